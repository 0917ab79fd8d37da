"""Candidate lookup on create: how long ``identity.candidates.candidates_for`` takes to find and
score the people a record being typed may be, at 1,000,000 registered people.

    .venv/bin/python bench/candidates.py                      # 1,000,000 people, 500 lookups
    .venv/bin/python bench/candidates.py --people 200000

A SQLite database of its own (var/bench/candidates-N-SEED.sqlite3, kept for later runs) holds
only what the lookup reads: people with Spanish names drawn with their real frequencies, a
birth date, a DNI each, and their candidate keys. 500 of them are then typed again as a desk
would mistype them (a slip in a surname, surnames swapped, the second one left out, a DNI with
the wrong letter, the birth date now and then) and looked up. Printed: p50/p95 of the lookup
(retrieval and scoring by the built-in weights), the ratio to the 50 ms goal, and how often the
person typed was among the five candidates returned. Saved in var/bench/candidates.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import string
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GOAL_P95_MS = 50.0
DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
CHUNK = 50_000


def slip(word: str, rng: random.Random) -> str:
    """One typing slip: a letter swapped with its neighbour, missing, doubled or wrong."""
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("swap", "drop", "double", "wrong"))
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + rng.choice(string.ascii_lowercase) + word[i + 1 :]


def seed_people(people: int, seed: int) -> float:
    """Writes ``people`` people, their DNIs and their keys; returns the seconds it took."""
    from django.db import connection, transaction
    from django.utils import timezone

    from ventanilla.demo import names
    from ventanilla.parties.matchkeys import name_keys
    from ventanilla.parties.naming import sort_name

    rng = random.Random(seed)
    given = [g.name for g in names.FEMALE + names.MALE]
    given_weights = [g.weight for g in names.FEMALE + names.MALE]
    surnames = [s for s, _ in names.SURNAMES]
    surname_weights = [w for _, w in names.SURNAMES]
    stamp = timezone.now().isoformat()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous = OFF")
    for start in range(0, people, CHUNK):
        parties, identifiers, keys = [], [], []
        for n in range(start, min(start + CHUNK, people)):
            party_id = uuid.UUID(int=rng.getrandbits(128), version=4).hex
            first = rng.choices(given, given_weights)[0]
            family_1, family_2 = rng.choices(surnames, surname_weights, k=2)
            born = date(1930, 1, 1) + timedelta(days=rng.randrange(0, 365 * 90))
            naming = {"given_name": first, "family_name_1": family_1, "family_name_2": family_2}
            parties.append(
                (party_id, stamp, stamp, "person", "active", first, family_1, family_2, "",
                 born.isoformat(), "", "es", "", "[]",
                 sort_name(kind="person", legal_name="", **naming))
            )  # fmt: skip
            number = 10_000_000 + n * 7
            identifiers.append(
                (uuid.UUID(int=rng.getrandbits(128), version=4).hex, stamp, stamp, party_id,
                 "dni", f"{number:08d}{DNI_LETTERS[number % 23]}", "ES", False)
            )  # fmt: skip
            keys.extend((party_id, key) for key in sorted(name_keys(**naming, birth_date=born)))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO parties_party (id, created_at, updated_at, kind, status, given_name,"
                " family_name_1, family_name_2, legal_name, birth_date, sex, preferred_language,"
                " education_level, accessibility_needs, sort_name)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                parties,
            )
            cursor.executemany(
                "INSERT INTO parties_identifier (id, created_at, updated_at, party_id, scheme,"
                " value, issuing_country, verified) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                identifiers,
            )
            cursor.executemany("INSERT INTO parties_partykey (party_id, key) VALUES (%s, %s)", keys)
        done = min(start + CHUNK, people)
        print(f"  {done:,} people ({time.perf_counter() - started:.0f} s)", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def typed_again(party: Any, dni: str, rng: random.Random) -> dict[str, Any]:
    """The person as a desk may type them: a slip in a surname, and the rest as it comes."""
    family_1, family_2 = party.family_name_1, party.family_name_2
    if rng.random() < 0.7:
        family_1 = slip(family_1.lower(), rng)
    if rng.random() < 0.2:
        family_1, family_2 = family_2, family_1
    if rng.random() < 0.3:
        family_2 = ""
    record: dict[str, Any] = {
        "given_name": party.given_name,
        "family_name_1": family_1,
        "family_name_2": family_2,
    }
    if rng.random() < 0.5:
        record["birth_date"] = party.birth_date
    if rng.random() < 0.3:
        wrong = rng.choice([ch for ch in DNI_LETTERS if ch != dni[-1]])
        record["identifier"] = dni[:-1] + wrong
    return record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    path = ROOT / "var" / "bench" / f"candidates-{args.people}-{args.seed}.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("VENTANILLA_ENV", "development")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ventanilla.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    from ventanilla.identity.candidates import candidates_for
    from ventanilla.parties.models import Identifier, Party

    call_command("migrate", verbosity=0, interactive=False)
    seeding = None
    if Party.objects.count() != args.people:
        if Party.objects.exists():
            sys.exit(f"{path} holds another town; remove it first.")
        print(f"seeding {args.people:,} people into {path}…", flush=True)
        seeding = seed_people(args.people, args.seed)

    rng = random.Random(args.seed + 1)
    rowids = rng.sample(range(1, args.people + 1), args.lookups + 20)
    marks = ", ".join(["%s"] * len(rowids))
    sample = list(
        # Placeholders only: the row numbers are parameters.
        Party.objects.raw(f"SELECT * FROM parties_party WHERE rowid IN ({marks})", rowids)  # noqa: S608, S611
    )
    dnis = dict(Identifier.objects.filter(party__in=sample).values_list("party_id", "value"))
    records = [(p, typed_again(p, dnis[p.pk], rng)) for p in sample]
    for _party, record in records[:20]:  # warm: the model compiled, DuckDB and caches ready
        candidates_for(record)
    timings, found = [], 0
    # A name alone, with a slip in it, is shared by many at a million people: how often the
    # person is found is told apart for records that also carry a birth date or a DNI.
    more, found_more = 0, 0
    for party, record in records[20:]:
        started = time.perf_counter()
        result = candidates_for(record)
        timings.append((time.perf_counter() - started) * 1000)
        hit = any(s.party.pk == party.pk for s in result)
        found += hit
        if record.get("birth_date") or record.get("identifier"):
            more += 1
            found_more += hit
    timings.sort()
    p50 = statistics.median(timings)
    p95 = timings[int(len(timings) * 0.95) - 1]
    size = path.stat().st_size
    result = {
        "people": args.people,
        "lookups": len(timings),
        "p50_ms": round(p50, 2),
        "p95_ms": round(p95, 2),
        "p95_to_goal": round(p95 / GOAL_P95_MS, 2),
        "found_among_5": round(found / len(timings), 3),
        "found_among_5_with_birth_date_or_dni": round(found_more / max(more, 1), 3),
        "database_bytes": size,
        "seeding_seconds": round(seeding, 1) if seeding else None,
        "load_average": round(os.getloadavg()[0], 2),
    }
    print()
    print("| figure | value | goal |")
    print("| --- | --- | --- |")
    print(f"| people | {args.people:,} | 1,000,000 |")
    print(f"| candidate lookup p50 | {p50:.1f} ms | |")
    print(f"| candidate lookup p95 | {p95:.1f} ms ({p95 / GOAL_P95_MS:.2f} of goal) | < 50 ms |")
    print(f"| person typed found among 5 | {found / len(timings):.1%} | |")
    print(f"| … when a birth date or DNI was typed too | {found_more / max(more, 1):.1%} | |")
    print(f"| database | {size / 1e9:.2f} GB | |")
    # Figures taken on a busy machine are slower than the code: the load says how busy.
    print(f"| load average (1 min) | {os.getloadavg()[0]:.2f} | |")
    (ROOT / "var" / "bench" / "candidates.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
