"""Cost of the rate limiter per request: the cache round trips of one ``hit`` (incr, or add),
timed on the cache the environment configures (local memory, or Redis with REDIS_URL set).

    python bench/ratelimit.py                                   # local-memory cache
    REDIS_URL=redis://127.0.0.1:6379/0 python bench/ratelimit.py
"""

from __future__ import annotations

import os
import statistics
import time
import uuid

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ventanilla.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from ventanilla.core.ratelimit import hit  # noqa: E402


def main(calls: int = 5000) -> None:
    identity = f"bench:{uuid.uuid4().hex}"
    timings = []
    for _ in range(calls):
        start = time.perf_counter()
        hit(identity, limit=10**9, window=60)
        timings.append((time.perf_counter() - start) * 1e6)
    timings.sort()
    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    print(
        f"rate limiter on {backend}: median {statistics.median(timings):.0f} µs, "
        f"p95 {timings[int(len(timings) * 0.95)]:.0f} µs per request ({calls} calls)"
    )


if __name__ == "__main__":
    main()
