"""Per-client token buckets, in memory (one process).

Each client (an API key, or the address of a caller without one) has a
bucket of ``burst`` tokens refilled at ``rate_per_s``; a request takes one
token, and a request that finds the bucket empty is refused with the time
until the next token.

**The limits are per process, not per deployment.** The buckets live in
the serving process's memory and are not shared through the store: behind
N processes (``uvicorn --workers N``, several hosts) a client gets N times
the configured rate, and a restart refills every bucket. Put a shared
limiter in the reverse proxy, or divide the rates by N, when that matters
(:class:`interop.web.ApiSettings` says the same).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["TokenBuckets"]


@dataclass
class _Bucket:
    tokens: float
    updated: float


class TokenBuckets:
    """Token buckets by client key.

    Parameters
    ----------
    rate_per_s : float
        Tokens added per second.
    burst : int
        Bucket size: requests allowed at once after a quiet period.
    clock : callable, optional
        Seconds, monotonic (``time.monotonic``); tests pass their own.
    max_clients : int
        Buckets kept; beyond it full buckets (idle clients) are forgotten,
        then the least recently used.
    """

    def __init__(
        self,
        rate_per_s: float,
        burst: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_clients: int = 100_000,
    ) -> None:
        if rate_per_s <= 0 or burst < 1:
            raise ValueError("rate_per_s must be > 0 and burst >= 1")
        self.rate_per_s = rate_per_s
        self.burst = burst
        self._clock = clock
        self._max_clients = max_clients
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, client: str) -> float:
        """Take a token for ``client``.

        Returns
        -------
        float
            0 when the request may go ahead, else the seconds until a token
            is available (nothing is taken then).
        """
        with self._lock:
            now = self._clock()
            bucket = self._buckets.pop(client, None)
            if bucket is None:
                bucket = _Bucket(float(self.burst), now)
            else:
                elapsed = max(0.0, now - bucket.updated)
                bucket.tokens = min(float(self.burst), bucket.tokens + elapsed * self.rate_per_s)
                bucket.updated = now
            self._buckets[client] = bucket  # re-inserted: the dict is in LRU order
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                wait = 0.0
            else:
                wait = (1.0 - bucket.tokens) / self.rate_per_s
            if len(self._buckets) > self._max_clients:
                self._forget(now)
            return wait

    def _forget(self, now: float) -> None:
        full_after = self.burst / self.rate_per_s
        idle = [k for k, b in self._buckets.items() if now - b.updated >= full_after]
        for key in idle:
            del self._buckets[key]
        while len(self._buckets) > self._max_clients:
            del self._buckets[next(iter(self._buckets))]
