"""Ventanilla's figures for other systems: contacts recorded per second through the batch door
(POST /api/v1/batch/contacts, 1,000 a call, through gunicorn; one caller sending its calls one
after the other, then a caller per worker, as the other doors' figures are taken with
concurrent clients), cases opened per second through its sibling (POST /api/v1/batch/cases,
each routed and numbered as one opened alone), and the events those contacts and cases cause
delivered per second to a webhook (a real HTTP receiver on 127.0.0.1, signed, in order) and
published to RabbitMQ (publisher confirms). On SQLite and on PostgreSQL, each on a fresh small
database (var/bench/events.sqlite3, PostgreSQL ventanilla_bench_events).

    python bench/events.py                                # SQLite and PostgreSQL
    python bench/events.py --databases postgresql --calls 20
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from run import (  # type: ignore[import-not-found]
    PG_ADMIN_URL,
    ROOT,
    VENTANILLA,
    Server,
    print_table,
    request,
    run,
    shell,
)

GOAL_BATCH_CONTACTS_PER_S = 2000.0
GOAL_EVENTS_PER_S = 1000.0
PG_NAME = os.environ.get("BENCH_EVENTS_PG_DB", "ventanilla_bench_events")
AMQP_URL = os.environ.get("BENCH_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")

TOWN = r"""
import json, sys
from ventanilla.access.actors import Actor
from ventanilla.catalog.services import agency_ensure, service_ensure
from ventanilla.parties.services import PartyInput, party_create_many
operator = Actor(label="command:bench", sees_everything=True)
town = agency_ensure(code="villanueva", kind="administration", name_es="Villanueva")
ayto = agency_ensure(code="ayto", kind="agency", name_es="Ayuntamiento", parent=town)
service_ensure(code="aviso", name_es="Aviso", name_en="Report", department=ayto, channels=["web"])
parties = party_create_many(actor=operator, parties=[
    PartyInput(profile={"given_name": f"Nombre{n}", "family_name_1": f"Apellido{n}"})
    for n in range(int(sys.argv[1]))
])
print(json.dumps([str(p.pk) for p in parties]))
"""

DELIVER = r"""
import json, time
import urllib3
from ventanilla.events.amqp import amqp_publish
from ventanilla.events.delivery import DeliveryReport, _send_subscription, events_fan_out
from ventanilla.events.models import Event, Subscription
report = DeliveryReport()
started = time.perf_counter()
events_fan_out(report)
fan_out_s = time.perf_counter() - started
timings = {}
with urllib3.PoolManager(timeout=10, retries=False) as session:
    for subscription in Subscription.objects.order_by("batch_size"):
        sent_before = report.sent
        started = time.perf_counter()
        _send_subscription(session, subscription, None, report)
        took = time.perf_counter() - started
        timings[subscription.batch_size] = (report.sent - sent_before, took)
started = time.perf_counter()
published = amqp_publish()
amqp_s = time.perf_counter() - started
print(json.dumps({"fan_out_s": fan_out_s, "single": timings[1], "batched": timings[100],
                  "published": published, "amqp_s": amqp_s,
                  "events": Event.objects.exclude(type__endswith="party.created").count()}))
"""


class Receiver:
    """A webhook that takes every event (HTTP/1.1 keep-alive) and counts them."""

    def __init__(self) -> None:
        self.count = 0
        lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with lock:
                    outer.count += 1
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def record_contacts(port: int, key: str, calls: list[list[dict[str, Any]]], callers: int) -> float:
    """Send ``calls`` to the batch door from ``callers`` threads at once; the seconds taken."""

    def send(items: list[dict[str, Any]]) -> None:
        status, body = request(port, "POST", "/api/v1/batch/contacts", key, {"items": items})
        if status != 200 or json.loads(body)["created"] != len(items):
            raise RuntimeError(f"batch call answered {status}: {body[:300]!r}")

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=callers) as pool:
        list(pool.map(send, calls))
    return time.perf_counter() - started


def fresh_database(database: str) -> str:
    if database == "sqlite":
        path = ROOT / "var" / "bench" / "events.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import psycopg

    with psycopg.connect(
        PG_ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_NAME}"')
        conn.execute(f'CREATE DATABASE "{PG_NAME}"')
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{PG_NAME}"


def bench(database: str, options: argparse.Namespace) -> dict[str, Any]:
    env = dict(os.environ)
    env["VENTANILLA_ENV"] = "development"
    env["DATABASE_URL"] = fresh_database(database)
    env["VENTANILLA_EVENTS_AMQP_URL"] = AMQP_URL
    env["VENTANILLA_EVENTS_AMQP_EXCHANGE"] = "ventanilla.bench"
    print(f"[{database}] migrating a fresh database…", flush=True)
    run([*VENTANILLA, "migrate", "--noinput", "-v", "0"], env)
    parties = shell(TOWN, env, str(options.parties))
    out = run(
        [*VENTANILLA, "apikey", "create", "--name", "bench-batch", "--agency", "ayto",
         "--rate", "1000000", "--scopes", "interactions:write", "cases:write"],
        env,
    )  # fmt: skip
    key = out.split(": ", 1)[1].split()[0]
    receiver = Receiver()
    # One receiver taking each event on its own, one taking batches of 100 (batched mode).
    single = Receiver()
    run([*VENTANILLA, "events", "subscribe", "--agency", "ayto", "--url", single.url], env)
    run(
        [*VENTANILLA, "events", "subscribe", "--agency", "ayto", "--url", receiver.url,
         "--batch", "100"],
        env,
    )  # fmt: skip
    server = Server(env, options.workers)
    try:
        calls = [
            [
                {
                    "external_id": f"legacy-{call}-{n}",
                    "party_id": parties[(call * 1000 + n) % len(parties)],
                    "channel": "phone",
                    "summary": f"Llamada {n} del sistema antiguo",
                    "duration_seconds": 60 + n % 300,
                }
                for n in range(1000)
            ]
            for call in range(options.workers + 2 * options.calls)
        ]
        # A first call to each worker warms it up; it is not timed.
        record_contacts(server.port, key, calls[: options.workers], options.workers)
        timed = calls[options.workers :]
        # One system sending its calls one after the other, then one caller per worker.
        one_s = record_contacts(server.port, key, timed[: options.calls], 1)
        many_s = record_contacts(server.port, key, timed[options.calls :], options.workers)
        cases = [
            {
                "external_id": f"expediente-{n}",
                "party_id": parties[n % len(parties)],
                "service": "aviso",
                "channel": "web",
                "description": f"Expediente {n} del sistema antiguo",
            }
            for n in range(options.cases)
        ]
        started = time.perf_counter()
        status, body = request(server.port, "POST", "/api/v1/batch/cases", key, {"items": cases})
        if status != 200 or json.loads(body)["created"] != options.cases:
            raise RuntimeError(f"batch call answered {status}: {body[:300]!r}")
        cases_s = time.perf_counter() - started
    finally:
        server.stop()
    contacts_one_per_s = options.calls * 1000 / one_s
    contacts_per_s = options.calls * 1000 / many_s
    print(
        f"[{database}] {contacts_per_s:.0f} contacts recorded per second (batch, "
        f"{options.workers} callers); {contacts_one_per_s:.0f} with one caller",
        flush=True,
    )
    cases_per_s = options.cases / cases_s
    print(f"[{database}] {cases_per_s:.0f} cases opened per second (batch)", flush=True)
    delivered = shell(DELIVER, env)
    receiver.stop()
    single.stop()
    (one_sent, one_s), (many_sent, many_s) = delivered["single"], delivered["batched"]
    if not one_sent == many_sent == delivered["events"] == single.count:
        raise RuntimeError(f"receiver got {single.count}, run reports {delivered}")
    webhook_per_s = one_sent / (one_s + delivered["fan_out_s"] / 2)
    batched_per_s = many_sent / (many_s + delivered["fan_out_s"] / 2)
    amqp_per_s = delivered["published"] / delivered["amqp_s"]
    print(
        f"[{database}] {webhook_per_s:.0f} events/s to a webhook one by one, "
        f"{batched_per_s:.0f} events/s in batches of 100, {amqp_per_s:.0f} events/s to "
        f"RabbitMQ ({one_sent} events)",
        flush=True,
    )
    return {
        "database": database,
        "batch_contacts_per_s": contacts_per_s,
        "batch_contacts_one_caller_per_s": contacts_one_per_s,
        "batch_cases_per_s": cases_per_s,
        "webhook_events_per_s": webhook_per_s,
        "webhook_batched_events_per_s": batched_per_s,
        "amqp_events_per_s": amqp_per_s,
        "events": one_sent,
    }


def report(results: list[dict[str, Any]]) -> None:
    print_table(
        results,
        [
            ("Contacts recorded per second, batch of 1,000 per call, a caller per worker",
             "batch_contacts_per_s", ".0f", f"≥ {GOAL_BATCH_CONTACTS_PER_S:.0f} (PostgreSQL)"),
            ("Contacts recorded per second, batch of 1,000 per call, one caller",
             "batch_contacts_one_caller_per_s", ".0f", "no goal: one call at a time"),
            ("Cases opened per second, batch of 1,000 per call", "batch_cases_per_s", ".0f",
             "no goal: each case is routed and numbered"),
            ("Events delivered per second to a webhook (signed, in order)",
             "webhook_events_per_s", ".0f", f"≥ {GOAL_EVENTS_PER_S:.0f}"),
            ("Events delivered per second to a webhook, batches of 100",
             "webhook_batched_events_per_s", ".0f", f"≥ {GOAL_EVENTS_PER_S:.0f}"),
            ("Events published per second to RabbitMQ (confirmed)", "amqp_events_per_s",
             ".0f", f"≥ {GOAL_EVENTS_PER_S:.0f}"),
        ],
    )  # fmt: skip
    for r in results:
        print(
            f"[{r['database']}] batch "
            f"{r['batch_contacts_per_s'] / GOAL_BATCH_CONTACTS_PER_S:.2f}×, "
            f"webhook {r['webhook_events_per_s'] / GOAL_EVENTS_PER_S:.2f}×, "
            f"RabbitMQ {r['amqp_events_per_s'] / GOAL_EVENTS_PER_S:.2f}× the goal"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--parties", type=int, default=2000)
    parser.add_argument("--calls", type=int, default=10, help="timed calls of 1,000 contacts")
    parser.add_argument("--cases", type=int, default=1000, help="cases in the timed call")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    options = parser.parse_args()
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    results = [bench(database, options) for database in options.databases]
    report(results)
    (ROOT / "var" / "bench" / "events.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
