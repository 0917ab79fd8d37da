"""Mining the services that follow each other on a seeded synthetic town: how long a run takes,
the rows (cases and requests) it reads per second, and the recall of the sequences the seeder
plants (``demand.FOLLOW_ON``: how many of them are among the rules), with the rules it found
that were not planted.

    python bench/associations.py                              # 50,000 citizens on SQLite
    python bench/associations.py --citizens 200000 --database-url postgres://…/bench_assoc

The seeded database is kept (var/bench/associations-*.sqlite3) so a second run skips seeding.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from run import ROOT, seeded_town, shell  # type: ignore[import-not-found]

MINE = r"""
import json, sys, time
from ventanilla.associations.models import ServiceAssociation
from ventanilla.associations.services import associations_mine
from ventanilla.demo.synthetic.demand import FOLLOW_ON

planted = {(a, b) for a, follows in FOLLOW_ON.items() for b, _chance in follows}
seconds = []
for _ in range(int(sys.argv[1])):
    started = time.perf_counter()
    run = associations_mine()
    seconds.append(time.perf_counter() - started)
found = {
    (r.antecedent.code, r.consequent.code): (r.with_both, r.with_antecedent, r.confidence, r.lift)
    for r in ServiceAssociation.objects.select_related("antecedent", "consequent")
}
print(json.dumps({
    "seconds": min(seconds),
    "uses": run.uses,
    "people": run.people,
    "rules": run.rules,
    "window_days": run.window_days,
    "planted": len(planted),
    "recalled": sorted(f"{a} -> {b}" for a, b in planted & set(found)),
    "missed": sorted(f"{a} -> {b}" for a, b in planted - set(found)),
    "not_planted": sorted(f"{a} -> {b}" for a, b in set(found) - planted),
    "rules_found": {f"{a} -> {b}": v for (a, b), v in sorted(found.items())},
}))
"""


def prepare(options: argparse.Namespace) -> dict[str, str]:
    return seeded_town("associations", options.citizens, options.seed, options.database_url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--citizens", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="runs; the fastest is reported")
    parser.add_argument(
        "--database-url", default="", help="a PostgreSQL database to seed (default: SQLite)"
    )
    options = parser.parse_args()
    env = prepare(options)
    result = shell(MINE, env, str(options.repeat))
    database = "postgresql" if options.database_url.startswith("postgres") else "sqlite"
    print(" ".join([os.path.basename(sys.executable), *sys.argv]))
    print(
        f"{database}, {options.citizens:,} citizens: mined {result['uses']:,} rows of "
        f"{result['people']:,} people in {result['seconds']:.2f} s "
        f"({result['uses'] / result['seconds']:,.0f} rows/s), window {result['window_days']} "
        f"days, {result['rules']} rules; recall of the planted sequences "
        f"{len(result['recalled'])}/{result['planted']}"
        + (f" (missed: {', '.join(result['missed'])})" if result["missed"] else "")
        + f"; {len(result['not_planted'])} rules not planted"
        + (f" ({', '.join(result['not_planted'])})" if result["not_planted"] else ""),
        flush=True,
    )
    out = ROOT / "var" / "bench" / f"associations-{database}-{options.citizens}.json"
    out.write_text(json.dumps({**result, "options": vars(options)}, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
