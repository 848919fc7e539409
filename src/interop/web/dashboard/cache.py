"""A small least-recently-used cache for rendered charts and computed figures.

Keys hold the page's parameters and the store's state
(:func:`interop.web.dashboard.queries.store_token`), so an entry is never
stale: when the store changes, the key changes and the old entry ages out.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

__all__ = ["LruCache"]

T = TypeVar("T")


class LruCache:
    """A bounded, thread-safe map from keys to values, least recently used dropped first.

    Parameters
    ----------
    size : int
        Entries kept.
    """

    def __init__(self, size: int = 256) -> None:
        if size < 1:
            raise ValueError(f"size must be >= 1, got {size}")
        self.size = size
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The value cached under ``key``, else ``compute()`` (cached, then returned).

        Two threads missing the same key both compute it; the later result is kept.
        """
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                self.hits += 1
                return self._entries[key]  # type: ignore[return-value]
            self.misses += 1
        value = compute()
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._entries)
