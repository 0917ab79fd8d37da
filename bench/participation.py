"""Supports of citizen proposals recorded per second through ``proposal_support``: each one
checks the resident, writes the support under its unique constraint, increments the count,
records the participation on the resident's history and its audit entry. Goal: 500 supports a
second on PostgreSQL.

    .venv/bin/python bench/participation.py                      # SQLite (var/bench/)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_participation \\
        .venv/bin/python bench/participation.py --residents 5000 --clients 2

The database is migrated and filled with registered residents (written directly, as the register
would load them) on each run; the figure is for the supports alone. With ``--clients`` above 1
the supports are spread in as many processes, each with its own connection (on SQLite, which
takes one writer at a time, 1 is the meaningful figure)."""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GOAL_PER_SECOND = 500.0


def prepared_env(name: str = "participation") -> dict[str, str]:
    """The environment of the measuring process: DATABASE_URL as given, else a new SQLite file
    ``var/bench/<name>.sqlite3``; the database migrated."""
    env = dict(os.environ)
    if not env.get("DATABASE_URL"):
        folder = ROOT / "var" / "bench"
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{name}.sqlite3"
        target.unlink(missing_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{target}"
    env.setdefault("DJANGO_SETTINGS_MODULE", "ventanilla.settings")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    subprocess.run(
        [sys.executable, "-m", "ventanilla", "migrate", "--no-input", "-v", "0"],
        env=env,
        check=True,
    )
    return env


def measured_apart(script: str, arguments: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run ``script --inner`` with ``arguments`` in ``env`` and return the figures it prints
    last, as JSON; the command line that asked for them is printed first."""
    out = subprocess.run(
        [sys.executable, script, "--inner", *arguments],
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    print(" ".join([os.path.basename(sys.executable), *sys.argv]))
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def keep(result: dict[str, Any], name: str) -> None:
    """Write the figures to ``var/bench/<name>-<database>.json``."""
    folder = ROOT / "var" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}-{result['database']}.json").write_text(
        json.dumps(result, indent=2), encoding="utf-8"
    )


def _support_all(share: list[tuple[str, str]], gate: Any) -> None:
    from django.db import connection

    from ventanilla.access.actors import Actor
    from ventanilla.proposals.services import proposal_support

    connection.close()
    gate.wait()
    for party_id, proposal_id in share:
        actor = Actor(label=f"citizen:{party_id[:8]}", party_id=party_id)
        proposal_support(actor=actor, proposal_id=proposal_id)
    connection.close()


def measure(residents: int, proposals: int, clients: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.db import connection, transaction

    from ventanilla.catalog.models import Agency
    from ventanilla.catalog.services import agency_ensure
    from ventanilla.parties.models import ContactPoint, Party
    from ventanilla.proposals.models import Proposal, Support

    town = agency_ensure(code="bench-town", kind="administration", name_es="Villa Bench")
    agency = agency_ensure(
        code="bench-ayto", kind=Agency.Kind.AGENCY, name_es="Ayuntamiento", parent=town
    )
    with transaction.atomic():
        people = Party.objects.bulk_create(
            Party(
                given_name="Vecina",
                family_name_1=f"Bench{number}",
                sort_name=f"bench{number} vecina",
                birth_date=date(1970 + number % 30, 1 + number % 12, 1 + number % 28),
            )
            for number in range(residents)
        )
        ContactPoint.objects.bulk_create(
            ContactPoint(
                party=person,
                kind=ContactPoint.Kind.POSTAL,
                value=f"Calle Mayor {number}",
                normalized=f"calle mayor {number}",
                district=("Centro", "Norte", "Sur")[number % 3],
            )
            for number, person in enumerate(people)
        )
        targets = Proposal.objects.bulk_create(
            Proposal(agency=agency, title=f"Propuesta {n}", summary="Para el bench.")
            for n in range(proposals)
        )
    # Each resident supports every proposal: residents × proposals supports in all.
    work = [(str(person.pk), str(target.pk)) for target in targets for person in people]
    shares = [work[start::clients] for start in range(clients)]
    # Processes, not threads: a support spends most of its time in Python, which one process
    # runs on one core at a time. Each child opens its own connection after the fork.
    connection.close()
    context = multiprocessing.get_context("fork")
    gate = context.Barrier(clients + 1)
    workers = [context.Process(target=_support_all, args=(share, gate)) for share in shares]
    for worker in workers:
        worker.start()
    gate.wait()
    started = time.perf_counter()
    for worker in workers:
        worker.join()
    seconds = time.perf_counter() - started
    if any(worker.exitcode for worker in workers):
        raise SystemExit("a client failed")
    counted = sum(
        Proposal.objects.filter(pk__in=[t.pk for t in targets]).values_list(
            "supports_count", flat=True
        )
    )
    assert counted == len(work) == Support.objects.filter(proposal__in=targets).count(), (
        "a support was lost or doubled"
    )
    return {
        "database": connection.vendor,
        "residents": residents,
        "proposals": proposals,
        "clients": clients,
        "supports": len(work),
        "seconds": seconds,
        "per_second": len(work) / seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=2000)
    parser.add_argument("--proposals", type=int, default=2)
    parser.add_argument(
        "--clients",
        type=int,
        default=0,
        help="processes (default: one per core on PostgreSQL, 1 on SQLite)",
    )
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.inner:
        result = measure(options.residents, options.proposals, options.clients)
        print(json.dumps(result))
        return
    env = prepared_env()
    on_postgres = env["DATABASE_URL"].startswith("postgres")
    clients = options.clients or ((os.cpu_count() or 2) if on_postgres else 1)
    result = measured_apart(
        __file__,
        [
            f"--residents={options.residents}",
            f"--proposals={options.proposals}",
            f"--clients={clients}",
        ],
        env,
    )
    print(
        f"{result['database']}: {result['supports']:,} supports ({result['residents']:,} "
        f"residents × {result['proposals']} proposals, {result['clients']} clients) in "
        f"{result['seconds']:.2f} s = {result['per_second']:,.0f} supports/s; "
        f"{result['per_second'] / GOAL_PER_SECOND:.2f}× the goal of {GOAL_PER_SECOND:.0f}/s",
        flush=True,
    )
    keep(result, "participation")


if __name__ == "__main__":
    main()
