"""Ventanilla's figures: 360° view and search latency over real HTTP through gunicorn, interaction
create throughput with concurrent clients, and the query count of a 360° request, on SQLite and
on PostgreSQL, with a seeded synthetic municipality.

    make bench                                   # 100,000 citizens, 1,000,000 interactions
    make bench BENCH_ARGS="--citizens 10000 --databases sqlite"
    make bench-large                             # 1,000,000 citizens, 10,000,000 contacts

The seeded databases are kept (var/bench/ and the PostgreSQL database ventanilla_bench) so a
second run skips seeding. Figures are printed, with their ratio to the goal, and saved as JSON.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VENTANILLA = [sys.executable, "-m", "ventanilla"]
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
GOAL_P95_MS = 50.0

PROBE = r"""
import json
from django.db.models import Count
from ventanilla.interactions.models import Interaction
from ventanilla.parties.models import ContactPoint, Identifier, Party

total = Party.objects.count()
sample = [str(pk) for pk in Party.objects.order_by("id").values_list("id", flat=True)[: 20000 : 37]]
counts = (
    Interaction.objects.filter(party_id__in=sample).values("party_id").annotate(n=Count("id"))
)
by_count = sorted(((row["n"], str(row["party_id"])) for row in counts))
parties = list(Party.objects.filter(pk__in=sample[:300]))
words = []
for party in parties:
    words.append(party.family_name_1[:4] if party.kind == "person" else party.legal_name[:5])
    words.append(f"{party.given_name.split(' ')[0]} {party.family_name_1}")
dnis = list(Identifier.objects.filter(party_id__in=sample[:300]).values_list("value", flat=True))
phones = list(
    ContactPoint.objects.filter(party_id__in=sample[:300], kind="phone")
    .values_list("value", flat=True)
)
short, long_ = by_count[0], by_count[-1]
from ventanilla.parties.models import ProfileAttribute
sensitive = [
    str(pk)
    for pk in ProfileAttribute.objects.filter(sensitivity="sensitive")
    .order_by("party_id")
    .values_list("party_id", flat=True)[:2000]
]
print(json.dumps({
    "sensitive": sensitive,
    "parties": total,
    "interactions": Interaction.objects.count(),
    "sample": sample,
    "short": short, "long": long_,
    "queries": [w for w in words if w.strip()] + dnis[:100] + phones[:100],
}))
"""

AUDIT_COST = r"""
import json, time
from django.db import transaction
from ventanilla.access.actors import Actor
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_record
actor = Actor(label="bench", user_id=None, agency_codes=frozenset({"ayto"}))
timings = []
for n in range(300):
    started = time.perf_counter()
    with transaction.atomic():
        audit_record(actor=actor, action=Action.PARTY_VIEW_360, party_id=None, detail={"n": n})
    timings.append((time.perf_counter() - started) * 1000)
timings.sort()
print(json.dumps({"p50": timings[len(timings) // 2], "p95": timings[int(0.95 * 299)]}))
"""

RETENTION = r"""
import json, time
from django.db import transaction
from ventanilla.retention.models import RetentionRule
from ventanilla.retention.services import retention_apply
# Measured inside a transaction that is rolled back, so the bench town keeps its history: the
# contact history is given a period of 2.5 years, so the oldest half-year of the three is due.
with transaction.atomic():
    RetentionRule.objects.update_or_create(
        category="cases", defaults={"keep_days": 912, "enabled": True}
    )
    started = time.perf_counter()
    survey = retention_apply(dry_run=True)
    dry = time.perf_counter() - started
    started = time.perf_counter()
    run = retention_apply(dry_run=False)
    applied = time.perf_counter() - started
    transaction.set_rollback(True)
print(json.dumps({"due": survey.rows_due, "dry_s": dry, "done": run.rows_done, "apply_s": applied}))
"""

QUERY_COUNT = r"""
import json, sys
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
key, short, long_ = sys.argv[1:4]
client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
result = {}
for name, pk in (("short", short), ("long", long_)):
    client.get(f"/api/v1/parties/{pk}/360")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/v1/parties/{pk}/360")
    assert response.status_code == 200, response.content
    result[name] = len(queries)
print(json.dumps(result))
"""


def run(args: list[str], env: dict[str, str], *, capture: bool = True) -> str:
    result = subprocess.run(
        args, env=env, cwd=ROOT, check=True, text=True, capture_output=capture, timeout=7200
    )
    return result.stdout if capture else ""


def shell(code: str, env: dict[str, str], *argv: str) -> Any:
    script = ROOT / "var" / "bench" / "probe.py"
    script.write_text(
        "import django, os, sys\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', "
        "'ventanilla.settings')\ndjango.setup()\n" + code,
        encoding="utf-8",
    )
    out = run([sys.executable, str(script), *argv], env)
    return json.loads(out.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def database_url(database: str, name: str) -> str:
    """A kept bench database called ``name``: a file in var/bench/ or a PostgreSQL database
    (created when missing)."""
    if database == "sqlite":
        return f"sqlite:///{ROOT / 'var' / 'bench' / name}.sqlite3"
    import psycopg

    pg_name = "ventanilla_" + name.replace("-", "_")
    with psycopg.connect(
        PG_ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [pg_name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{pg_name}"')
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{pg_name}"


def print_table(results: list[dict[str, Any]], rows: list[tuple[str, str, str, str]]) -> None:
    """A Markdown table: one row a figure (label, key, format, goal), one column a database."""
    print()
    print("| figure | " + " | ".join(r["database"] for r in results) + " | goal |")
    print("| --- | " + " | ".join("---" for _ in results) + " | --- |")
    for label, key, fmt, goal in rows:
        cells = " | ".join(format(r[key], fmt) for r in results)
        print(f"| {label} | {cells} | {goal} |")
    print()


SIZE = r"""
import json, os
from django.db import connection
if connection.vendor == "sqlite":
    name = connection.settings_dict["NAME"]
    size = sum(os.path.getsize(f) for f in (name, name + "-wal") if os.path.exists(f))
else:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        size = cursor.fetchone()[0]
print(json.dumps({"bytes": size}))
"""


def prepare(database: str, citizens: int, per_citizen: int, seed: int) -> dict[str, str]:
    env = dict(os.environ)
    env["VENTANILLA_ENV"] = "development"
    env["DATABASE_URL"] = database_url(database, f"bench-{citizens}-{per_citizen}-{seed}")
    print(
        f"[{database}] migrating and seeding {citizens:,} citizens (skipped when done)…", flush=True
    )
    run([*VENTANILLA, "migrate", "--noinput", "-v", "0"], env)
    started = time.perf_counter()
    out = run(
        [
            *VENTANILLA,
            "seed",
            "--citizens",
            str(citizens),
            "--seed",
            str(seed),
            "--interactions-per-citizen",
            str(per_citizen),
            "--no-progress",
        ],
        env,
    )
    elapsed = time.perf_counter() - started
    print(f"[{database}] {out.strip().splitlines()[-1]} ({elapsed:.0f} s)")
    # The seed time is the first run's: a later run finds the town made and skips seeding.
    record = ROOT / "var" / "bench" / f"seeded-{database}-{citizens}-{per_citizen}-{seed}.json"
    if not record.exists():
        record.write_text(json.dumps({"seconds": elapsed}), encoding="utf-8")
    env["BENCH_SEED_SECONDS"] = str(json.loads(record.read_text(encoding="utf-8"))["seconds"])
    return env


def seeded_town(name: str, citizens: int, seed: int, url: str = "") -> dict[str, str]:
    """The environment of a bench's own town of ``citizens`` (seeded once, kept in var/bench):
    SQLite by default, or the PostgreSQL database at ``url``."""
    env = dict(os.environ)
    env["VENTANILLA_ENV"] = "development"
    bench = ROOT / "var" / "bench"
    bench.mkdir(parents=True, exist_ok=True)
    env["VENTANILLA_VAR_DIR"] = str(bench / f"{name}-var")
    env["DATABASE_URL"] = url or f"sqlite:///{bench / f'{name}-{citizens}-{seed}.sqlite3'}"
    print(f"migrating and seeding {citizens:,} citizens (skipped when done)…", flush=True)
    run([*VENTANILLA, "migrate", "--noinput", "-v", "0"], env)
    started = time.perf_counter()
    out = run(
        [*VENTANILLA, "seed", "--citizens", str(citizens), "--seed", str(seed), "--no-progress"],
        env,
    )
    print(f"{out.strip().splitlines()[-1]} ({time.perf_counter() - started:.0f} s)", flush=True)
    return env


READ_AND_WRITE = (
    "parties:read",
    "interactions:read",
    "interactions:write",
    "cases:read",
    "parties:read_sensitive",
)


def new_key(env: dict[str, str], scopes: tuple[str, ...] = READ_AND_WRITE) -> str:
    """A key of the town hall for the bench, with ``scopes``; its secret."""
    out = run(
        [
            *VENTANILLA,
            "apikey",
            "create",
            "--name",
            f"bench-{time.time_ns()}",
            "--agency",
            "villanueva",
            # The bench measures the server, not the per-key limit that would stop it.
            "--rate",
            "1000000",
            "--scopes",
            *scopes,
        ],
        env,
    )
    return out.split(": ", 1)[1].split()[0]


class Server:
    def __init__(self, env: dict[str, str], workers: int) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [*VENTANILLA, "serve", "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status, _ = request(self.port, "GET", "/api/v1/catalog/channels", None, None)
                if status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def request(
    port: int, method: str, path: str, key: str | None, body: dict[str, Any] | None
) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Accept": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    connection.request(method, path, body=payload, headers=headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, data


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def timed_gets(port: int, key: str, paths: list[str]) -> list[float]:
    for path in paths[:20]:  # warm-up: connections, caches
        request(port, "GET", path, key, None)
    timings = []
    for path in paths:
        started = time.perf_counter()
        status, body = request(port, "GET", path, key, None)
        timings.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}: {body[:300]!r}")
    return timings


def create_throughput(
    port: int, key: str, parties: list[str], clients: int, per_client: int
) -> float:
    errors: list[str] = []

    def work(worker: int) -> None:
        rng = random.Random(worker)
        for n in range(per_client):
            status, body = request(
                port,
                "POST",
                "/api/v1/interactions",
                key,
                {
                    "party_id": rng.choice(parties),
                    "channel": rng.choice(["web", "phone", "desk", "email"]),
                    "summary": f"Benchmark contact {worker}-{n}",
                    "agency": "ayto",
                },
            )
            if status != 201:
                errors.append(f"{status} {body[:200]!r}")

    threads = [threading.Thread(target=work, args=(w,)) for w in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"{len(errors)} creates failed, first: {errors[0]}")
    return clients * per_client / elapsed


def bench(database: str, options: argparse.Namespace) -> dict[str, Any]:
    env = prepare(database, options.citizens, options.interactions_per_citizen, options.seed)
    probe = shell(PROBE, env)
    key = new_key(env)
    counts = shell(QUERY_COUNT, env, key, probe["short"][1], probe["long"][1])
    audit_cost = shell(AUDIT_COST, env)
    rng = random.Random(options.seed)
    sample = probe["sample"]
    paths_360 = [f"/api/v1/parties/{rng.choice(sample)}/360" for _ in range(options.requests)]
    purpose = "sensitive=true&purpose=Valoraci%C3%B3n+de+la+ayuda+a+la+dependencia"
    paths_purpose = [
        f"/api/v1/parties/{rng.choice(probe['sensitive'] or sample)}/360?{purpose}"
        for _ in range(options.requests)
    ]
    queries = probe["queries"]
    paths_search = [
        "/api/v1/parties?" + http_query(rng.choice(queries)) for _ in range(options.requests)
    ]
    server = Server(env, options.workers)
    try:
        view = timed_gets(server.port, key, paths_360)
        view_purpose = timed_gets(server.port, key, paths_purpose)
        search = timed_gets(server.port, key, paths_search)
        throughput = create_throughput(server.port, key, sample, 4, options.creates // 4)
    finally:
        server.stop()
    # Said at once: on a large town the retention figures below take long to come.
    print(
        f"[{database}] 360° p95 {percentile(view, 0.95):.1f} ms, with a purpose "
        f"{percentile(view_purpose, 0.95):.1f} ms, search p95 {percentile(search, 0.95):.1f} ms, "
        f"{throughput:.0f} creates/s",
        flush=True,
    )
    size = shell(SIZE, env)
    retention = (
        shell(RETENTION, env)
        if options.retention
        else {"due": 0, "dry_s": 0.0, "done": 0, "apply_s": float("inf")}
    )
    return {
        "database": database,
        "database_gb": size["bytes"] / 1e9,
        "seed_min": float(env["BENCH_SEED_SECONDS"]) / 60,
        "parties": probe["parties"],
        "interactions": probe["interactions"],
        "requests": options.requests,
        "360_p50_ms": statistics.median(view),
        "360_p95_ms": percentile(view, 0.95),
        "360_purpose_p50_ms": statistics.median(view_purpose),
        "360_purpose_p95_ms": percentile(view_purpose, 0.95),
        "retention_due": retention["due"],
        "retention_dry_run_s": retention["dry_s"],
        "retention_rows_per_s": retention["done"] / retention["apply_s"],
        "search_p50_ms": statistics.median(search),
        "search_p95_ms": percentile(search, 0.95),
        "creates_per_s_4_clients": throughput,
        "audit_entry_p50_ms": audit_cost["p50"],
        "audit_share_of_360_p50": audit_cost["p50"] / statistics.median(view),
        "queries_360_short_history": counts["short"],
        "queries_360_long_history": counts["long"],
        "short_history_len": probe["short"][0],
        "long_history_len": probe["long"][0],
    }


def http_query(q: str) -> str:
    from urllib.parse import urlencode

    return urlencode({"q": q, "limit": 20})


def report(results: list[dict[str, Any]]) -> None:
    goal = f"< {GOAL_P95_MS:.0f}"
    print_table(
        results,
        [
            ("parties", "parties", ",", ""),
            ("interactions", "interactions", ",", ""),
            ("database size before the timed writes (GB)", "database_gb", ".2f", ""),
            ("seed time, first run (min)", "seed_min", ".1f", ""),
            ("360° view p50 (ms)", "360_p50_ms", ".1f", ""),
            ("360° view p95 (ms)", "360_p95_ms", ".1f", goal),
            ("360° with a purpose, sensitive facts shown, p50 (ms)", "360_purpose_p50_ms", ".1f",
             ""),
            ("360° with a purpose, sensitive facts shown, p95 (ms)", "360_purpose_p95_ms", ".1f",
             goal),
            ("search p50 (ms)", "search_p50_ms", ".1f", ""),
            ("search p95 (ms)", "search_p95_ms", ".1f", goal),
            ("interaction creates/s, 4 clients", "creates_per_s_4_clients", ".0f", ""),
            ("audit entry write p50 (ms)", "audit_entry_p50_ms", ".2f", ""),
            ("audit share of a 360° read (p50)", "audit_share_of_360_p50", ".1%", "< 10%"),
            ("retention: rows due (contacts older than 2.5 years)", "retention_due", ",", ""),
            ("retention: dry-run report (s)", "retention_dry_run_s", ".1f", ""),
            ("retention: rows removed per second", "retention_rows_per_s", ",.0f", ""),
            ("queries per 360°, shortest history", "queries_360_short_history", "d", ""),
            ("queries per 360°, longest history", "queries_360_long_history", "d", "equal"),
        ],
    )  # fmt: skip
    for r in results:
        view_ratio = r["360_p95_ms"] / GOAL_P95_MS
        search_ratio = r["search_p95_ms"] / GOAL_P95_MS
        print(
            f"[{r['database']}] 360° p95 is {view_ratio:.2f}× the goal, search p95 "
            f"{search_ratio:.2f}×; {r['queries_360_short_history']} queries for a history of "
            f"{r['short_history_len']}, {r['queries_360_long_history']} for "
            f"{r['long_history_len']}"
        )
    if len(results) == 2:
        a, b = results
        print(
            f"{b['database']}/{a['database']}: 360° p95 {b['360_p95_ms'] / a['360_p95_ms']:.2f}×, "
            f"search p95 {b['search_p95_ms'] / a['search_p95_ms']:.2f}×, creates/s "
            f"{b['creates_per_s_4_clients'] / a['creates_per_s_4_clients']:.2f}×"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--citizens", type=int, default=100_000)
    parser.add_argument("--interactions-per-citizen", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--requests", type=int, default=1000, help="timed GETs per figure")
    parser.add_argument("--creates", type=int, default=2000, help="interactions POSTed in all")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument(
        "--no-retention",
        dest="retention",
        action="store_false",
        help="leave out the retention figures (long on a large town)",
    )
    options = parser.parse_args()
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    results = [bench(database, options) for database in options.databases]
    report(results)
    out = ROOT / "var" / "bench" / "results.json"
    out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(f"\nsaved {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
