"""Looking inside the engine: a sink that receives every intermediate result.

Off by default and free when off. To watch an extraction::

    from interop.fingerprints.transparency import CollectingSink, transparency
    sink = CollectingSink()
    with transparency(sink):
        extract(pixels)
    sink.items["orientation"]   # (H, W) float32 radians

Keys emitted by :func:`interop.fingerprints.extraction.extract` (a stable,
documented vocabulary; shapes are (H, W) of the 500-ppi image):

================  ====================================================
``normalized``    float32, zero-mean unit-variance grey levels
``contrast``      float32, local grey-level standard deviation
``orientation``   float32, ridge orientation radians [0, pi), image coords
``coherence``     float32, orientation coherence 0..1
``mask``          bool, foreground
``period``        float32, ridge period in pixels
``enhanced``      float32, Gabor-filtered image, ridges negative
``skeleton``      bool, one-pixel-wide ridge skeleton
``quality_map``   float32, local quality 0..1
================  ====================================================
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any


class TransparencySink:
    """Receives intermediate results. Subclass and override both methods."""

    def accepts(self, key: str) -> bool:
        """Whether :meth:`take` wants ``key`` (lets producers skip costly work)."""
        return False

    def take(self, key: str, value: Any) -> None:
        """Receive one intermediate result."""


class CollectingSink(TransparencySink):
    """Keeps every result it is given in :attr:`items`, optionally only some keys."""

    def __init__(self, keys: set[str] | None = None):
        self.keys = keys
        self.items: dict[str, Any] = {}

    def accepts(self, key: str) -> bool:
        return self.keys is None or key in self.keys

    def take(self, key: str, value: Any) -> None:
        self.items[key] = value


_NO_SINK = TransparencySink()
_current: contextvars.ContextVar[TransparencySink] = contextvars.ContextVar(
    "interop_fingerprint_transparency", default=_NO_SINK
)


@contextlib.contextmanager
def transparency(sink: TransparencySink) -> Iterator[TransparencySink]:
    """Route intermediate results of engine calls in this context to ``sink``."""
    token = _current.set(sink)
    try:
        yield sink
    finally:
        _current.reset(token)


def emit(key: str, value: Any) -> None:
    """Hand ``value`` to the current sink if it accepts ``key`` (no-op by default)."""
    sink = _current.get()
    if sink is not _NO_SINK and sink.accepts(key):
        sink.take(key, value)
