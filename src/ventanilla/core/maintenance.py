"""Keeping the database's query planner well informed.

The work queues and the search read pages straight from partial indexes; a planner without
statistics on a large table may prefer a less fitting index and sort every open case instead.
PostgreSQL's autovacuum keeps statistics current by itself; SQLite needs ``ANALYZE``. It runs
after seeding and with the nightly deadline sweep, sampling (``analysis_limit``) so that it
takes well under a second even with millions of rows.
"""

from __future__ import annotations

import time

from django.db import connection

SQLITE_ANALYSIS_LIMIT = 1000


def refresh_statistics() -> float:
    """Refresh the planner's statistics; returns the seconds it took."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA analysis_limit={SQLITE_ANALYSIS_LIMIT}")
        cursor.execute("ANALYZE")
    return time.perf_counter() - started
