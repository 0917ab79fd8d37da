"""Counting calls in fixed windows in the shared cache: the one mechanism behind the API's rate
limits and the portal's sign-in throttling.

``cache.add`` starts a window's counter and ``cache.incr`` bumps it atomically, so every gunicorn
worker and host sharing the Redis cache counts together (with the local-memory cache each process
counts on its own). Windows are named by the clock, so a count restarts on time whatever the cache
backend does with expiry.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Allowance:
    """Where a caller stands in the current window."""

    limit: int
    used: int
    reset_seconds: int

    @property
    def allowed(self) -> bool:
        return self.used <= self.limit

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)


def hit(identity: str, limit: int, *, window: int) -> Allowance:
    """Count one call of ``identity`` in the current window and say whether it is allowed."""
    now = time.time()
    index = int(now // window)
    reset_seconds = max(1, math.ceil((index + 1) * window - now))
    key = f"ratelimit:{identity}:{window}:{index}"
    # Most calls find the window's counter there: incr first saves a round trip to Redis. The
    # first call of a window adds it; add is atomic, so of two first calls only one wins and the
    # other counts on. The counter outlives its window a little, so a late incr finds it.
    try:
        used = cache.incr(key)
    except ValueError:
        if cache.add(key, 1, timeout=window + 5):
            used = 1
        else:
            used = cache.incr(key)
    return Allowance(limit=limit, used=used, reset_seconds=reset_seconds)
