"""Importing an agency's registry: a generated CSV of N people (default 100,000; a few percent
with a wrong DNI letter, a date written dd/mm/yyyy, an impossible phone, or nothing to match on)
imported into an empty SQLite database with `ventanilla identity import`, then imported again
(nothing changes). Prints rows a second and the importing process's peak memory, and projects
the time for 1,000,000 rows.

    .venv/bin/python bench/identity_import.py                 # 100,000 rows
    .venv/bin/python bench/identity_import.py --rows 1000000

The file and the database are made again on each run (var/bench/identity-import-N.*).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
GIVEN = ["María", "José", "Ana", "Antonio", "Lucía", "Manuel", "Carmen", "Javier", "Isabel",
         "Francisco", "Laura", "David", "María Isabel", "José Luis", "Pilar", "Sergio"]  # fmt: skip
FAMILY = ["García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez",
          "Pérez", "Gómez", "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno",
          "Muñoz", "Álvarez", "Romero", "Alonso", "Gutiérrez", "Navarro", "Torres"]  # fmt: skip

IMPORT = r"""
import json, resource, sys, time
from pathlib import Path
import django
django.setup()
from ventanilla.access.actors import Actor
from ventanilla.identity.importing import parse_mapping, registry_import

path = Path(sys.argv[1])
mapping = parse_mapping([
    "given_name=NOMBRE", "family_name_1=APELLIDO1", "family_name_2=APELLIDO2",
    "birth_date=FECHA_NACIMIENTO", "identifier=DNI", "address=DOMICILIO",
    "postal_code=CP", "city=MUNICIPIO", "email=CORREO", "phone=TELEFONO",
])
actor = Actor(label="command:bench", sees_everything=True)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
runs = []
for run in ("first", "again"):
    started = time.perf_counter()
    result = registry_import(actor=actor, path=path, agency_code="padron", id_column="ID",
                             mapping=mapping, create_agency="Padrón municipal")
    runs.append({"run": run, "seconds": time.perf_counter() - started, **result.counts()})
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"runs": runs, "rss_before_kib": before, "peak_kib": peak}))
"""


def ascii_login(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def dni(rng: random.Random, wrong: bool) -> str:
    number = rng.randrange(10_000_000, 99_999_999)
    letter = LETTERS[number % 23]
    if wrong:
        letter = LETTERS[(number + 1) % 23]
    return f"{number}{letter}"


def generate(path: Path, rows: int) -> None:
    rng = random.Random(12)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(["ID", "NOMBRE", "APELLIDO1", "APELLIDO2", "FECHA_NACIMIENTO", "DNI",
                         "DOMICILIO", "CP", "MUNICIPIO", "CORREO", "TELEFONO"])  # fmt: skip
        for n in range(rows):
            roll = rng.random()
            if roll < 0.005:  # nothing to match on
                writer.writerow([f"P{n:08d}", "", "", "", "1970-01-01", "", "", "", "", "", ""])
                continue
            given, family_1 = rng.choice(GIVEN), rng.choice(FAMILY)
            family_2 = rng.choice(FAMILY) if rng.random() < 0.9 else ""
            year, month, day = rng.randint(1930, 2020), rng.randint(1, 12), rng.randint(1, 28)
            born = f"{year}-{month:02d}-{day:02d}"
            if roll < 0.025:
                born = f"{day:02d}/{month:02d}/{year}"
            login = ascii_login(f"{given.split()[0]}.{family_1}{n}")
            email = f"{login}@example.es" if rng.random() < 0.5 else ""
            phone = f"6{rng.randrange(10**7, 10**8)}" if rng.random() < 0.4 else ""
            if phone and roll > 0.99:
                phone = phone[:4]
            writer.writerow([
                f"P{n:08d}", given, family_1, family_2, born,
                dni(rng, wrong=0.025 <= roll < 0.05) if rng.random() < 0.8 else "",
                f"Calle {rng.choice(FAMILY)} {rng.randint(1, 120)}", f"41{rng.randint(1, 99):03d}",
                "Villanueva del Río", email, phone,
            ])  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    options = parser.parse_args()
    folder = ROOT / "var" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"identity-import-{options.rows}.csv"
    database = folder / f"identity-import-{options.rows}.sqlite3"
    for old in folder.glob(f"identity-import-{options.rows}.sqlite3*"):
        old.unlink()
    print(f"Generating {options.rows:,} rows in {path}…", flush=True)
    generate(path, options.rows)
    env = {**os.environ, "VENTANILLA_ENV": "development", "PYTHONPATH": str(ROOT / "src")}
    env["DJANGO_SETTINGS_MODULE"] = "ventanilla.settings"
    env["VENTANILLA_LOG_LEVEL"] = "WARNING"
    env["DATABASE_URL"] = f"sqlite:///{database}"
    subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "ventanilla", "migrate", "--noinput", "-v", "0"],
        env=env,
        cwd=ROOT,
        check=True,
        timeout=3600,
    )
    out = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, "-c", IMPORT, str(path)],
        env=env,
        cwd=ROOT,
        check=True,
        text=True,
        stdout=subprocess.PIPE,
        timeout=7200,
    ).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    size = path.stat().st_size / 2**20
    print(f"\n{options.rows:,} rows, {size:.0f} MiB of CSV, SQLite")
    print(f"{'run':<6} {'seconds':>8} {'rows/s':>8} {'added':>8} {'updated':>8} "
          f"{'unchanged':>9} {'skipped':>8} {'flagged':>8}")  # fmt: skip
    for run in result["runs"]:
        print(
            f"{run['run']:<6} {run['seconds']:>8.1f} {run['rows'] / run['seconds']:>8,.0f} "
            f"{run['added']:>8,} {run['updated']:>8,} {run['unchanged']:>9,} "
            f"{run['skipped']:>8,} {run['flagged']:>8,}"
        )
    first = result["runs"][0]
    projected = first["seconds"] * 1_000_000 / first["rows"]
    print(f"peak memory of the importing process: {result['peak_kib'] / 1024:.0f} MiB "
          f"({result['rss_before_kib'] / 1024:.0f} MiB before the first import)")  # fmt: skip
    print(f"projected first import of 1,000,000 rows: {projected / 60:.1f} min")


if __name__ == "__main__":
    main()
