"""Batch matching at scale: ``identity_match`` over 1,000,000 source records from several
agencies, timed stage by stage, with precision, recall and F1 against the planted truth.

    .venv/bin/python bench/identity_batch.py                     # 1,000,000 records
    .venv/bin/python bench/identity_batch.py --records 50000
    .venv/bin/python bench/identity_batch.py --records 50000 --backend spark   # on Spark

The population is made once and kept (var/bench/identity-batch-N-SEED.sqlite3, with the truth
beside it as .truth.json): people with Spanish names at their real frequencies, birth dates,
DNIs and NIEs, addresses in the demo town's streets, emails and phones, each known to one to
four of five agencies. Some registers hold the same person with the seed's own distortions
(``ventanilla.demo.synthetic.records.distort``: typos, swapped surnames, a missing second
surname, a wrong DNI letter, dropped accents, day and month swapped, an old address), in
capitals (the social security register), without a DNI or a birth date. The records are written
with ``bulk_create`` as the import writes them. No party exists before the run: this is a
deployment's first match, where every cluster becomes a new party.

Each run copies the kept database and runs ``identity_match`` on the copy in this process,
timing its stages (load and prepare, prior, u, m, score, cluster, write: links and new parties).
Printed: each stage's seconds, the total and its ratio to the 10-minute goal, and pairwise
precision, recall and F1 (two records in one party is a predicted pair; two records of one
planted person a true pair). Saved in var/bench/identity-batch.json
(identity-batch-spark.json for ``--backend spark``, which trains and scores in a local Spark
with ``--spark-master``, ``local[*]`` by default: its links are compared with the last DuckDB run
of the same population when there is one).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import sys
import time
import uuid
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GOAL_SECONDS = 600.0
LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
CHUNK = 20_000
# (code, name, keeps names in capitals)
AGENCIES = (
    ("sas", "Servicio Andaluz de Salud", False),
    ("tgss", "Tesorería General de la Seguridad Social", True),
    ("aeat", "Agencia Tributaria", False),
    ("sepe", "Servicio Público de Empleo", False),
    ("educacion", "Consejería de Educación", False),
)
# How many registers know one person: one in 40%, two in 30%, three in 20%, four in 10%.
COPIES = (1, 2, 3, 4)
COPIES_WEIGHTS = (40, 30, 20, 10)
DISTORTED_SHARE = 0.25


class _Districts:
    def __init__(self) -> None:
        from ventanilla.demo import names

        self.all = names.DISTRICTS

    def pick(self, rng: random.Random) -> Any:
        return rng.choice(self.all)


class _TownShim:
    """What ``distort`` asks of the town for a person without a household: a district and an
    address in it."""

    def __init__(self) -> None:
        self.districts = _Districts()

    def address(self, rng: random.Random, district: Any) -> str:
        street = rng.choice(district.streets)
        number = rng.randint(1, 140)
        if rng.random() < 0.4:
            return f"{street}, {number}"
        return f"{street}, {number}, {rng.randint(1, 7)}º {rng.choice('ABCD')}"


def _identifier(number: int, nie: bool) -> str:
    if nie:
        prefix = number // 10_000_000 % 3
        body = number % 10_000_000
        return f"{'XYZ'[prefix]}{body:07d}{LETTERS[(prefix * 10_000_000 + body) % 23]}"
    return f"{number:08d}{LETTERS[number % 23]}"


def make_population(records: int, seed: int) -> tuple[list[tuple[Any, ...]], list[int]]:
    """The records' fields, as (agency index, person index, values…), and the truth: the
    person of each record."""
    from ventanilla.demo import names
    from ventanilla.demo.synthetic.people import Person
    from ventanilla.demo.synthetic.records import distort

    rng = random.Random(seed)
    shim: Any = _TownShim()
    female = [g.name for g in names.FEMALE]
    female_w = [g.weight for g in names.FEMALE]
    male = [g.name for g in names.MALE]
    male_w = [g.weight for g in names.MALE]
    surnames = [s for s, _ in names.SURNAMES]
    surname_w = [w for _, w in names.SURNAMES]
    domains = [d for d, _ in names.EMAIL_DOMAINS]
    numbers = iter(rng.sample(range(10_000_000, 100_000_000), records))
    out: list[tuple[Any, ...]] = []
    truth: list[int] = []
    person_index = 0
    while len(out) < records:
        sex = rng.choice("FM")
        given = rng.choices(female, female_w)[0] if sex == "F" else rng.choices(male, male_w)[0]
        family_1, family_2 = rng.choices(surnames, surname_w, k=2)
        birth = date(1930, 1, 1) + timedelta(days=rng.randrange(0, 365 * 90))
        kind = rng.random()
        identifier = "" if kind < 0.05 else _identifier(next(numbers), nie=kind < 0.15)
        district = rng.choice(names.DISTRICTS)
        address = shim.address(rng, district)
        email = ""
        if rng.random() < 0.5:
            user = f"{given.split()[0]}.{family_1}{rng.randint(1, 999)}".lower()
            email = f"{fold_ascii(user)}@{rng.choice(domains)}"
        phone = f"6{rng.randrange(10**8):08d}" if rng.random() < 0.5 else ""
        person = Person(index=person_index, id="", sex=sex, birth=birth, age=0)
        copies = rng.choices(COPIES, COPIES_WEIGHTS)[0]
        for agency in rng.sample(range(len(AGENCIES)), copies):
            record = {
                "given": given,
                "family_1": family_1,
                "family_2": family_2,
                "birth": birth,
                "identifier": identifier,
                "address": address,
                "postal_code": district.postal_code,
            }
            if rng.random() < DISTORTED_SHARE:
                possible = ["typo_dropped_letter", "typo_swapped_letters", "typo_replaced_letter",
                            "swapped_surnames", "missing_second_surname", "old_address",
                            "accents_dropped"]  # fmt: skip
                if identifier:
                    possible.append("wrong_check_letter")
                if birth.day <= 12 and birth.day != birth.month:
                    possible.append("day_month_swapped")
                for distortion in rng.sample(possible, rng.choice((1, 1, 2))):
                    distort(rng, distortion, record, person, shim)
            given_r, f1, f2 = record["given"], record["family_1"], record["family_2"]
            if AGENCIES[agency][2]:
                given_r, f1, f2 = given_r.upper(), f1.upper(), f2.upper()
            ident = record["identifier"] if rng.random() < 0.9 else ""
            born = record["birth"] if rng.random() < 0.97 else None
            out.append(
                (agency, given_r, f1, f2, born, ident, record["address"],
                 record["postal_code"], email if rng.random() < 0.6 else "",
                 phone if rng.random() < 0.6 else "")
            )  # fmt: skip
            truth.append(person_index)
            if len(out) == records:
                break
        person_index += 1
    return out, truth


def fold_ascii(text: str) -> str:
    from ventanilla.core.text import fold

    return "".join(ch for ch in fold(text) if ch.isalnum() or ch == ".")


def record_id(index: int) -> uuid.UUID:
    return uuid.UUID(int=index + 1)


def seed(records: int, seed_value: int, truth_path: Path) -> float:
    from django.db import transaction

    from ventanilla.catalog.models import Agency
    from ventanilla.catalog.services import agency_ensure
    from ventanilla.identity.models import SourceRecord

    started = time.perf_counter()
    agencies = [
        agency_ensure(code=code, kind=Agency.Kind.AGENCY, name_es=name)
        for code, name, _caps in AGENCIES
    ]
    print(f"  generating {records:,} records…", flush=True)
    rows, truth = make_population(records, seed_value)
    print(f"  {len(set(truth)):,} people ({time.perf_counter() - started:.0f} s)", flush=True)
    for start in range(0, len(rows), CHUNK):
        batch = [
            SourceRecord(
                id=record_id(n),
                agency=agencies[agency],
                source_key=f"{AGENCIES[agency][0].upper()}{n:09d}",
                given_name=given,
                family_name_1=f1,
                family_name_2=f2,
                birth_date=born,
                identifier=ident,
                address=address,
                postal_code=postal_code,
                email=email,
                phone=phone,
            )
            for n, (agency, given, f1, f2, born, ident, address, postal_code, email, phone) in
            enumerate(rows[start : start + CHUNK], start=start)
        ]  # fmt: skip
        with transaction.atomic():
            SourceRecord.objects.bulk_create(batch, batch_size=1000)
        done = min(start + CHUNK, len(rows))
        if done % 100_000 == 0 or done == len(rows):
            print(f"  {done:,} records ({time.perf_counter() - started:.0f} s)", flush=True)
    truth_path.write_text(json.dumps(truth), encoding="utf-8")
    return time.perf_counter() - started


def pairs(groups: Counter[Any]) -> int:
    return sum(n * (n - 1) // 2 for n in groups.values())


def score(truth: list[int]) -> dict[str, Any]:
    from ventanilla.identity.models import SourceRecord

    by_party: Counter[Any] = Counter()
    by_person: Counter[Any] = Counter()
    by_both: Counter[Any] = Counter()
    unlinked = 0
    for pk, party in SourceRecord.objects.values_list("id", "party_id").iterator(chunk_size=20000):
        person = truth[pk.int - 1]
        by_person[person] += 1
        if party is None:
            unlinked += 1
            continue
        by_party[party] += 1
        by_both[(party, person)] += 1
    predicted, true, hits = pairs(by_party), pairs(by_person), pairs(by_both)
    precision = hits / predicted if predicted else 1.0
    recall = hits / true if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "people": len(by_person),
        "parties": len(by_party),
        "unlinked": unlinked,
        "true_pairs": true,
        "predicted_pairs": predicted,
        "precision": round(precision, 5),
        "recall": round(recall, 5),
        "f1": round(f1, 5),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--backend", choices=("duckdb", "spark"), default="duckdb")
    parser.add_argument("--spark-master", default="local[*]")
    args = parser.parse_args()

    bench = ROOT / "var" / "bench"
    bench.mkdir(parents=True, exist_ok=True)
    kept = bench / f"identity-batch-{args.records}-{args.seed}.sqlite3"
    truth_path = kept.with_suffix(".truth.json")
    working = bench / f"identity-batch-{args.records}-{args.seed}-matched.sqlite3"
    os.environ.setdefault("VENTANILLA_ENV", "development")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ventanilla.settings")
    sys.path.insert(0, str(ROOT / "src"))
    seeding = None
    fresh = not kept.exists() or not truth_path.exists()
    if fresh:
        kept.unlink(missing_ok=True)
    else:
        shutil.copyfile(kept, working)
    os.environ["DATABASE_URL"] = f"sqlite:///{kept if fresh else working}"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if fresh:
        call_command("migrate", verbosity=0, interactive=False)
        print(f"seeding {args.records:,} source records into {kept}…", flush=True)
        seeding = seed(args.records, args.seed, truth_path)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        connection.close()
        shutil.copyfile(kept, working)
        # The same process goes on with the copy.
        connection.settings_dict["NAME"] = str(working)

    from ventanilla.access.actors import Actor
    from ventanilla.identity.matching import identity_match
    from ventanilla.identity.spark_backend import SparkOptions

    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    stages: dict[str, float] = {}
    current: list[Any] = [None, 0.0]

    def stage(name: str) -> None:
        now = time.perf_counter()
        if current[0] is not None:
            stages[current[0]] = now - current[1]
            print(f"  {current[0]}: {stages[current[0]]:.1f} s", flush=True)
        current[0], current[1] = name, now

    print(f"matching {args.records:,} records in {working} on {args.backend}…", flush=True)
    started = time.perf_counter()
    summary = identity_match(
        actor=Actor(label="command:bench", sees_everything=True),
        stage=stage,
        backend=args.backend,
        spark=SparkOptions(master=args.spark_master) if args.backend == "spark" else None,
    )
    total = time.perf_counter() - started
    stage("")
    stages.pop("", None)
    quality = score(truth)
    result = {
        "records": args.records,
        "seconds": round(total, 1),
        "ratio_to_goal": round(total / GOAL_SECONDS, 3),
        "records_per_second": round(args.records / total),
        "stages": {name: round(seconds, 1) for name, seconds in stages.items()},
        "summary": summary.__dict__,
        **quality,
        "seeding_seconds": round(seeding, 1) if seeding else None,
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "load_average": round(os.getloadavg()[0], 2),
        "database": "sqlite",
        "backend": args.backend,
    }
    partition = _partition()
    same_as_duckdb = _compare(bench, args, partition)
    print()
    print("| figure | value | goal |")
    print("| --- | ---: | --- |")
    print(f"| engine | {args.backend} | |")
    print(f"| records | {args.records:,} | 1,000,000 |")
    for name, seconds in stages.items():
        print(f"| stage {name} | {seconds:.1f} s | |")
    print(f"| match, end to end | {total:.1f} s ({total / GOAL_SECONDS:.2f} of goal) | < 600 s |")
    print(f"| records a second | {args.records / total:,.0f} | ≥ 1,667 |")
    print(f"| precision | {quality['precision']:.4f} | |")
    print(f"| recall | {quality['recall']:.4f} | |")
    print(f"| F1 | {quality['f1']:.4f} | |")
    print(f"| people planted / parties made | {quality['people']:,} / {quality['parties']:,} | |")
    print(f"| peak memory | {result['peak_memory_mb']:,} MB | |")
    # Figures taken on a busy machine are slower than the code: the load says how busy.
    print(f"| load average (1 min) | {result['load_average']:.2f} | |")
    if same_as_duckdb is not None:
        print(f"| records placed as the DuckDB run placed them | {same_as_duckdb:.4%} | 100% |")
    suffix = "" if args.backend == "duckdb" else f"-{args.backend}"
    (bench / f"identity-batch{suffix}.json").write_text(json.dumps(result, indent=2, default=str))


def _partition() -> list[list[str]]:
    """The records grouped by the party they went to, each group as its sorted record ids."""
    from django.db import connection

    groups: dict[Any, list[str]] = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT party_id, id FROM identity_sourcerecord")
        for party_id, record in cursor.fetchall():
            groups.setdefault(party_id, []).append(str(record))
    return sorted(sorted(group) for group in groups.values())


def _compare(bench: Path, args: argparse.Namespace, partition: list[list[str]]) -> float | None:
    """Share of records whose party holds the same records as in the DuckDB run of this
    population; a DuckDB run keeps its grouping for a later Spark run to be compared with."""
    kept = bench / f"identity-batch-{args.records}-{args.seed}-duckdb-groups.json"
    if args.backend == "duckdb":
        kept.write_text(json.dumps(partition))
        return None
    if not kept.exists():
        return None
    theirs = {tuple(group) for group in json.loads(kept.read_text())}
    same = sum(len(group) for group in partition if tuple(group) in theirs)
    return same / max(1, sum(len(group) for group in partition))


if __name__ == "__main__":
    main()
