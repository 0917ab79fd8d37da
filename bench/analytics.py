"""Ventanilla's warehouse figures on a seeded synthetic town: the full build's rate (rows read per
second, goal 200,000), the refresh after one day's changes (goal under 10 s), the same refresh
when a person was erased that day (the file is then rewritten), and the p95 of a dashboard query
(volumes by channel and month over a year, small cells suppressed; goal under 300 ms).

    python bench/analytics.py                                  # 50,000 citizens on SQLite
    python bench/analytics.py --citizens 20000 --database-url postgres://…/ventanilla_bench_wh

The seeded database is kept (var/bench/analytics-*.sqlite3, or the one named) so a second run
skips seeding. Figures are printed with their ratio to the goal, and saved as JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
from typing import Any

from run import ROOT, percentile, seeded_town, shell  # type: ignore[import-not-found]

GOAL_ROWS_PER_S = 200_000.0
GOAL_REFRESH_S = 10.0
GOAL_QUERY_P95_MS = 300.0

BUILD = r"""
import json, sys
from pathlib import Path
from ventanilla.warehouse.build import warehouse_build
report = warehouse_build(path=Path(sys.argv[1]), full=sys.argv[2] == "full")
print(json.dumps({"full": report.full, "rows": report.total_read, "seconds": report.seconds,
                  "held": report.rows_held, "read": report.rows_read}))
"""

# One working day of a town this size: the contacts of a day (three years of history hold
# 1,095 days), the cases that moved, the people whose profile changed.
A_DAY = r"""
import json, random, sys, uuid
from datetime import timedelta
from django.db import transaction
from django.utils import timezone
from ventanilla.cases.models import Case
from ventanilla.interactions.models import Interaction
from ventanilla.parties.models import Party

rng = random.Random(7)
now = timezone.now()
total = Interaction.objects.count()
new = max(100, total // 1095)
cases = max(50, Case.objects.count() // 365)
people = max(20, Party.objects.count() // 1000)
with transaction.atomic():
    sample = list(Interaction.objects.order_by("?")[:new])
    for row in sample:
        row.pk = uuid.uuid4()
        row.case_id = None
        row.occurred_at = now - timedelta(minutes=rng.randint(1, 600))
    Interaction.objects.bulk_create(sample)
    ids = list(Case.objects.order_by("?").values_list("id", flat=True)[:cases])
    Case.objects.filter(pk__in=ids).update(priority="high", updated_at=now)
    persons = Party.objects.filter(kind="person").order_by("?")
    pids = list(persons.values_list("id", flat=True)[:people])
    Party.objects.filter(pk__in=pids).update(preferred_language="en", updated_at=now)
print(json.dumps({"interactions": new, "cases": cases, "parties": people}))
"""

ERASE = r"""
import json
from ventanilla.access.actors import Actor
from ventanilla.parties.models import Party
from ventanilla.privacy.services import party_erase
person = (Party.objects.filter(kind="person", status="active", interactions__isnull=False)
          .exclude(cases__is_open=True).order_by("id").first())
party_erase(actor=Actor(label="bench", sees_everything=True), party_id=person.pk, reason="bench")
print(json.dumps({"erased": str(person.pk)}))
"""

QUERY = r"""
import json, sys, time
from datetime import date
from pathlib import Path
from ventanilla.warehouse.build import connect
from ventanilla.warehouse.suppression import aggregate
times = []
with connect(Path(sys.argv[1])) as con:
    [(last,)] = con.execute("SELECT max(date_key) FROM fact_interaction").fetchall()
    start = date(last.year - 1, last.month, 1)
    for _ in range(30):
        t = time.perf_counter()
        table = aggregate(con, fact="fact_interaction", by=("channel_code", "month"), start=start)
        times.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        aggregate(con, fact="fact_case", by=("service_code", "district"), start=start)
        times.append((time.perf_counter() - t) * 1000)
print(json.dumps({"ms": times, "cells": len(table.cells),
                  "hidden": sum(1 for c in table.cells if c.count is None)}))
"""

# The whole dashboard page's reading: every figure for this period and the one before, and the
# contacts by channel week by week (month by month over a year), for each period offered.
PAGE = r"""
import json, sys, time
from pathlib import Path
from ventanilla.warehouse.build import connect
from ventanilla.warehouse.dashboard import OUTCOMES, PERIODS, Filters, dashboard, trend
codes = ["none", "0-29", "30-89", "90-364", "365+", "on_time", "late", "first", "repeat"]
labels = {code: code for code in codes} | {f"outcome:{c}": c for c in OUTCOMES}
times = []
with connect(Path(sys.argv[1])) as con:
    [(last,)] = con.execute("SELECT max(date_key) FROM fact_interaction").fetchall()
    for _ in range(5):
        for days in PERIODS:
            t = time.perf_counter()
            dashboard(con, Filters(days=days), language="es", labels=labels, today=last)
            trend(con, Filters(days=days), language="es", today=last)
            times.append((time.perf_counter() - t) * 1000)
print(json.dumps({"ms": times}))
"""

SEGMENTS = r"""
import json, shutil, sys, tempfile, time
from pathlib import Path
import duckdb
from ventanilla.warehouse.segments import segment_figures, segments_build
with tempfile.TemporaryDirectory() as folder:
    copy = Path(folder) / "copy.duckdb"
    shutil.copy(sys.argv[1], copy)
    with duckdb.connect(str(copy)) as con:
        t = time.perf_counter()
        made = segments_build(con)
        seconds = time.perf_counter() - t
        sizes = [s.people for s in segment_figures(con)]
print(json.dumps({"segments": made, "seconds": seconds, "sizes": sizes}))
"""


def prepare(options: argparse.Namespace) -> dict[str, str]:
    return seeded_town("analytics", options.citizens, options.seed, options.database_url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--citizens", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--database-url", default="", help="a PostgreSQL database to seed (default: SQLite)"
    )
    options = parser.parse_args()
    env = prepare(options)
    database = "postgresql" if options.database_url.startswith("postgres") else "sqlite"
    path = ROOT / "var" / "bench" / f"analytics-{database}-{options.citizens}.duckdb"

    full = shell(BUILD, env, str(path), "full")
    rate = full["rows"] / full["seconds"]
    print(f"full build: {full['rows']:,} rows in {full['seconds']:.1f} s", flush=True)
    day = shell(A_DAY, env)
    refresh = shell(BUILD, env, str(path), "refresh")
    shell(ERASE, env)
    erased = shell(BUILD, env, str(path), "refresh")
    query = shell(QUERY, env, str(path))
    p95 = percentile(query["ms"], 0.95)
    page = shell(PAGE, env, str(path))
    page_p95 = percentile(page["ms"], 0.95)
    segments = shell(SEGMENTS, env, str(path))

    result: dict[str, Any] = {
        "database": database,
        "citizens": options.citizens,
        "rows": full["rows"],
        "held": full["held"],
        "full_seconds": full["seconds"],
        "rows_per_s": rate,
        "day": day,
        "refresh_seconds": refresh["seconds"],
        "refresh_rows": refresh["rows"],
        "refresh_erased_seconds": erased["seconds"],
        "query_p95_ms": p95,
        "query_median_ms": statistics.median(query["ms"]),
        "page_p95_ms": page_p95,
        "cells": query["cells"],
        "hidden_cells": query["hidden"],
        "file_bytes": path.stat().st_size,
        "segments": segments,
    }
    print()
    print(f"| figure ({database}, {options.citizens:,} citizens) | value | goal | ratio |")
    print("| --- | --- | --- | --- |")
    print(
        f"| full build | {rate:,.0f} rows/s ({full['rows']:,} rows, {full['seconds']:.1f} s) "
        f"| {GOAL_ROWS_PER_S:,.0f} rows/s | {rate / GOAL_ROWS_PER_S:.2f} |"
    )
    print(
        f"| refresh of one day ({day['interactions']:,} contacts, {day['cases']:,} cases, "
        f"{day['parties']:,} people) | {refresh['seconds']:.2f} s | {GOAL_REFRESH_S:.0f} s "
        f"| {GOAL_REFRESH_S / refresh['seconds']:.1f} |"
    )
    print(
        f"| refresh with one erasure (file rewritten) | {erased['seconds']:.2f} s "
        f"| {GOAL_REFRESH_S:.0f} s | {GOAL_REFRESH_S / erased['seconds']:.1f} |"
    )
    print(
        f"| dashboard query p95 (suppressed) | {p95:.1f} ms | {GOAL_QUERY_P95_MS:.0f} ms "
        f"| {GOAL_QUERY_P95_MS / p95:.1f} |"
    )
    print(
        f"| whole dashboard page (12 figures, both periods, and the weekly trend) p95 "
        f"| {page_p95:.0f} ms | | |"
    )
    print(
        f"| segments (k-means, part of each build) | {segments['segments']} in "
        f"{segments['seconds']:.1f} s, sizes {segments['sizes']} | | |"
    )
    print(f"| warehouse file | {path.stat().st_size / 1e6:.1f} MB | | |")
    print()
    out = ROOT / "var" / "bench" / f"analytics-{database}-{options.citizens}.json"
    out.write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
