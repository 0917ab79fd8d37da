"""The daily deadline sweep over many open cases, on SQLite and on PostgreSQL: N open cases
(default 1,000,000) with due dates spread from two weeks ago to two months ahead, so about a
fifth is overdue and a few percent near their due date; then one timed `deadline_sweep`.

    .venv/bin/python bench/deadlines.py                      # 1,000,000 cases, both databases
    .venv/bin/python bench/deadlines.py --cases 100000 --databases sqlite

The cases are inserted once (var/bench/deadlines-N.sqlite3 and the PostgreSQL database
ventanilla_bench_deadlines_N); each run first undoes the previous sweep, so it is timed alike.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from run import database_url  # type: ignore[import-not-found]

ROOT = Path(__file__).resolve().parent.parent

SWEEP = r"""
import json, random, sys, time, uuid
from datetime import timedelta
import django
django.setup()
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone
from ventanilla.access.services import staff_member_ensure
from ventanilla.cases.deadlines import deadline_sweep
from ventanilla.cases.models import Case, CaseEvent
from ventanilla.catalog.services import agency_ensure, channels_ensure, service_ensure
from ventanilla.parties.models import Party

wanted = int(sys.argv[1])
rng = random.Random(1)
today = timezone.localdate()
now = timezone.now()
channels_ensure()
admin = agency_ensure(code="villanueva", kind="administration", name_es="Villanueva")
ayto = agency_ensure(code="ayto", kind="agency", name_es="Ayuntamiento", parent=admin)
services = []
for n in range(8):
    department = agency_ensure(code=f"dep{n}", kind="department", name_es=f"Dep {n}", parent=ayto)
    services.append(service_ensure(code=f"servicio-{n}", name_es=f"Servicio {n}",
                                   name_en=f"Service {n}", department=department,
                                   deadline_days=10, channels=["web"]))
    user = staff_member_ensure(username=f"sup{n}", password="bench-password-1",
                               agency_code=department.code, role="supervisor").user
    get_user_model().objects.filter(pk=user.pk).update(email=f"sup{n}@example.es")
if not Party.objects.exists():
    Party.objects.bulk_create(
        [Party(given_name="Ana", family_name_1=f"Bench{n}", sort_name=f"bench{n} ana")
         for n in range(1000)]
    )
# SQLite keeps UUIDs as 32 hex digits, PostgreSQL as its uuid type.
key = (lambda u: u.hex) if connection.vendor == "sqlite" else str
parties = [key(pk) for pk in Party.objects.values_list("pk", flat=True)]
have = Case.objects.count()
started = time.perf_counter()
quote = connection.ops.quote_name
columns = ["id", "created_at", "updated_at", "reference", "party_id", "service_id", "status",
           "priority", "channel_id", "department_id", "opened_at", "due_date", "description",
           "form_data", "location_text", "district"]
table = quote(Case._meta.db_table)
sql_columns = ", ".join(quote(c) for c in columns)
statuses = ["new", "accepted", "in_progress", "in_progress", "in_progress", "waiting_citizen"]
while have < wanted:
    rows = []
    for n in range(have, min(wanted, have + 50_000)):
        service = services[n % len(services)]
        due = today + timedelta(days=rng.randint(-14, 60))
        rows.append((key(uuid.uuid4()), now, now, f"BE-{n:09d}", rng.choice(parties),
                     key(service.pk), rng.choice(statuses),
                     rng.choices(("normal", "low", "high", "urgent"), (80, 8, 10, 2))[0],
                     "web", key(service.department_id), now, due, "", "{}", "", ""))
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({sql_columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({sql_columns}) VALUES ({marks})", rows)
    have += len(rows)
    print(f"inserted {have:,} cases", file=sys.stderr, flush=True)
inserted = time.perf_counter() - started
# Undo an earlier sweep so every run does the same work.
with transaction.atomic():
    CaseEvent.objects.filter(kind__in=["warning", "escalation"]).delete()
    Case.objects.exclude(warned_at=None, escalated_at=None).update(
        warned_at=None, escalated_at=None
    )
if connection.vendor == "postgresql":
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {table}")
open_cases = Case.objects.filter(is_open=True).count()
dry = deadline_sweep(dry_run=True)
started = time.perf_counter()
report = deadline_sweep()
seconds = time.perf_counter() - started
print(json.dumps({"open": open_cases, "insert_s": inserted, "dry_s": dry.seconds,
                  "warned": report.warned, "escalated": report.escalated,
                  "digests": report.digests, "sweep_s": seconds}))
"""


def prepare(database: str, cases: int) -> dict[str, str]:
    env = {**os.environ, "VENTANILLA_ENV": "development", "PYTHONPATH": str(ROOT / "src")}
    env["DJANGO_SETTINGS_MODULE"] = "ventanilla.settings"
    env["VENTANILLA_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    env["VENTANILLA_LOG_LEVEL"] = "WARNING"
    env["DATABASE_URL"] = database_url(database, f"bench-deadlines-{cases}")
    subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "ventanilla", "migrate", "--noinput", "-v", "0"],
        env=env,
        cwd=ROOT,
        check=True,
        timeout=3600,
    )
    return env


def bench(database: str, cases: int) -> dict[str, Any]:
    env = prepare(database, cases)
    print(f"[{database}] {cases:,} open cases (inserted once), then one sweep…", flush=True)
    out = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, "-c", SWEEP, str(cases)],
        env=env,
        cwd=ROOT,
        check=True,
        text=True,
        stdout=subprocess.PIPE,
        timeout=7200,
    ).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    result["database"] = database
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    options = parser.parse_args()
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    results = [bench(database, options.cases) for database in options.databases]
    print(f"\n{'database':<11} {'open':>10} {'warned':>8} {'escalated':>9} {'dry s':>7} "
          f"{'sweep s':>8} {'changed/s':>10} {'open/s':>10}")  # fmt: skip
    for r in results:
        changed = r["warned"] + r["escalated"]
        print(
            f"{r['database']:<11} {r['open']:>10,} {r['warned']:>8,} {r['escalated']:>9,} "
            f"{r['dry_s']:>7.2f} {r['sweep_s']:>8.2f} {changed / r['sweep_s']:>10,.0f} "
            f"{r['open'] / r['sweep_s']:>10,.0f}"
        )


if __name__ == "__main__":
    main()
