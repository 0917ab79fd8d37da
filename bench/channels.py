"""Ventanilla's channel figures, on SQLite and on PostgreSQL: requests posted through the Open311
GeoReport v2 door per second with routing rules in place (4 concurrent clients, gunicorn), each an
ordinary case on the reporter's party, and reading them back (GET requests.json) p95; inbound
emails through the mail gateway per second (parsed, matched, threaded or routed, answered); the
citizen portal's pages p95 under 20 concurrent clients; 50 citizens racing for 10 appointment
slots, none of which may be booked twice.

    python bench/channels.py                      # what `make bench` runs
    python bench/channels.py --databases sqlite --posts 400

The town is the small seeded one the case bench uses (``--citizens``), kept in var/bench/.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import threading
import time
from typing import Any
from urllib.parse import urlencode

from cases import SETUP, WORDS  # type: ignore[import-not-found]
from doors import (  # type: ignore[import-not-found]
    BOOKING,
    GOAL_MAIL_PER_S,
    GOAL_PORTAL_P95_MS,
    SESSIONS,
    mail_key,
    mail_throughput,
    portal_latency,
)
from run import (  # type: ignore[import-not-found]
    ROOT,
    Server,
    new_key,
    percentile,
    prepare,
    print_table,
    shell,
)

GOAL_OPEN311_POSTS_PER_S = 200.0
BENCH_USER = "bench-supervisora"
BENCH_PASSWORD = "bench-queue-2026-password"  # noqa: S105 - a throw-away account of the bench

# The reporters: people of the town with one email each, so a request lands on their party.
REPORTERS = r"""
import json
from django.db.models import Count
from ventanilla.catalog.models import PublicService
from ventanilla.parties.models import ContactPoint
shared = (ContactPoint.objects.filter(kind="email").values("normalized")
          .annotate(n=Count("id")).filter(n__gt=1).values("normalized"))
emails = list(ContactPoint.objects.filter(kind="email", party__status="active")
              .exclude(normalized__in=shared).values_list("normalized", flat=True)[:2000])
services = [s.code for s in PublicService.objects.filter(active=True)
            if s.department_id and not (s.input_schema or {}).get("required")]
print(json.dumps({"emails": emails, "services": services}))
"""


def open311_key(env: dict[str, str]) -> str:
    return new_key(env, ("open311:post",))


def form_post(port: int, path: str, form: dict[str, str]) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(
        "POST",
        path,
        body=urlencode(form),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, data


def get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, data


def open311_throughput(
    port: int, key: str, emails: list[str], services: list[str], clients: int, per_client: int
) -> tuple[float, list[str]]:
    errors: list[str] = []
    posted: list[str] = []
    lock = threading.Lock()

    def work(worker: int) -> None:
        rng = random.Random(100 + worker)
        for n in range(per_client):
            status, body = form_post(
                port,
                "/open311/v2/requests.json",
                {
                    "api_key": key,
                    "service_code": rng.choice(services),
                    "email": rng.choice(emails),
                    "lat": f"{40.41 + rng.random() / 100:.6f}",
                    "long": f"{-3.70 - rng.random() / 100:.6f}",
                    "description": f"{' '.join(rng.sample(WORDS, 3))} ({worker}-{n})",
                },
            )
            if status != 201:
                errors.append(f"{status} {body[:300]!r}")
                continue
            with lock:
                posted.append(json.loads(body)[0]["service_request_id"])

    threads = [threading.Thread(target=work, args=(w,)) for w in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"{len(errors)} Open311 posts failed, first: {errors[0]}")
    return clients * per_client / elapsed, posted


def open311_reads(port: int, ids: list[str], requests: int) -> dict[str, float]:
    rng = random.Random(5)
    one, lists = [], []
    for _ in range(requests):
        started = time.perf_counter()
        status, body = get(port, f"/open311/v2/requests/{rng.choice(ids)}.json")
        one.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise RuntimeError(f"GET one request answered {status}: {body[:300]!r}")
    for _ in range(max(20, requests // 10)):
        started = time.perf_counter()
        status, body = get(port, "/open311/v2/requests.json")
        lists.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise RuntimeError(f"GET requests answered {status}: {body[:300]!r}")
    return {
        "one_p50_ms": statistics.median(one),
        "one_p95_ms": percentile(one, 0.95),
        "list_p95_ms": percentile(lists, 0.95),
        "listed": len(json.loads(body)),
    }


def bench(database: str, options: argparse.Namespace) -> dict[str, Any]:
    env = prepare(database, options.citizens, 2, options.seed)
    shell(SETUP, env, "0", BENCH_USER, BENCH_PASSWORD)  # the routing rules of the case bench
    town = shell(REPORTERS, env)
    key = open311_key(env)
    inbox = mail_key(env)
    signed_in = shell(SESSIONS, env, "50")
    server = Server(env, options.workers)
    try:
        throughput, posted = open311_throughput(
            server.port, key, town["emails"], town["services"], 4, options.posts // 4
        )
        print(f"[{database}] {throughput:.0f} Open311 requests posted per second", flush=True)
        reads = open311_reads(server.port, posted, options.requests)
        mails = mail_throughput(server.port, inbox, town["emails"], WORDS, 4, options.mails // 4)
        print(f"[{database}] {mails:.0f} inbound emails per second", flush=True)
        portal = portal_latency(
            server.port, signed_in["cookie"], signed_in["keys"], 20, options.pages // 20
        )
        print(f"[{database}] portal p95 {portal['portal_p95_ms']:.0f} ms", flush=True)
    finally:
        server.stop()
    race = shell(BOOKING, env)
    print(f"[{database}] booking race: {race}", flush=True)
    return {
        "database": database,
        "open311_posts_per_s": throughput,
        **reads,
        "mails_per_s": mails,
        **portal,
        "booked": race["booked"],
        "most_in_one_slot": race["most_in_one_slot"],
        "race_errors": len(race["errors"]),
    }


def report(results: list[dict[str, Any]]) -> None:
    print_table(
        results,
        [
            ("Open311 requests posted per second, routing on, 4 clients",
             "open311_posts_per_s", ".0f", f"≥ {GOAL_OPEN311_POSTS_PER_S:.0f}"),
            ("Open311 one request read p50 (ms)", "one_p50_ms", ".1f", ""),
            ("Open311 one request read p95 (ms)", "one_p95_ms", ".1f", ""),
            ("Open311 list of requests (up to 1000) p95 (ms)", "list_p95_ms", ".1f", ""),
            ("Inbound emails per second, parsed, matched, routed, answered, 4 gateways",
             "mails_per_s", ".0f", f"≥ {GOAL_MAIL_PER_S:.0f}"),
            ("Portal page p50 (ms), 20 concurrent clients", "portal_p50_ms", ".1f", ""),
            ("Portal page p95 (ms), 20 concurrent clients", "portal_p95_ms", ".1f",
             f"< {GOAL_PORTAL_P95_MS:.0f}"),
            ("Appointments booked by 50 racers for 10 single-seat slots", "booked", "d", "10"),
            ("Most appointments in one slot", "most_in_one_slot", "d", "1"),
            ("Racers that hit an error", "race_errors", "d", "0"),
        ],
    )  # fmt: skip
    for r in results:
        print(
            f"[{r['database']}] Open311 posts are "
            f"{r['open311_posts_per_s'] / GOAL_OPEN311_POSTS_PER_S:.2f}× the goal; emails "
            f"{r['mails_per_s'] / GOAL_MAIL_PER_S:.2f}× the goal; portal p95 "
            f"{r['portal_p95_ms'] / GOAL_PORTAL_P95_MS:.2f}× the bound"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--citizens", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--posts", type=int, default=2000, help="requests POSTed in all")
    parser.add_argument("--requests", type=int, default=300, help="timed reads of one request")
    parser.add_argument("--mails", type=int, default=400, help="emails POSTed in all")
    parser.add_argument("--pages", type=int, default=1200, help="portal pages fetched in all")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    options = parser.parse_args()
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    results = [bench(database, options) for database in options.databases]
    report(results)
    (ROOT / "var" / "bench" / "channels.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
