"""Training the deadline-risk tree on a seeded synthetic town: how long a training takes (reading
the cases, the backlog each joined, the evaluation, the tree, the scores of the open cases), the
cases read per second, how the tree did on the newest fifth it did not see beside flagging by the
service alone, and which of the slowdowns the seeder plants (``demo/synthetic/cases.py``: August
and Christmas, the planning department, letters by post) its rules name.

    python bench/risk.py                                # 50,000 citizens on SQLite
    python bench/risk.py --citizens 200000 --database-url postgres://…/bench_risk

The seeded database is kept (var/bench/risk-*.sqlite3) so a second run skips seeding.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from run import ROOT, seeded_town, shell  # type: ignore[import-not-found]

TRAIN = r"""
import json, sys, time
from django.utils import translation
from ventanilla.access.actors import Actor
from ventanilla.risk.selectors import rules_in_words
from ventanilla.risk.services import risk_train

seconds = []
for _ in range(int(sys.argv[1])):
    started = time.perf_counter()
    model = risk_train()
    seconds.append(time.perf_counter() - started)
with translation.override("en"):
    rules = rules_in_words(actor=Actor(label="bench", sees_everything=True), model=model)
said = " | ".join("; ".join(rule.conditions) for rule in rules if rule.flags)
planted = {
    "the planning department": "Department: Planning" in said,
    "August": "Opened in: August" in said,
    "Christmas (December)": "Opened in: December" in said,
    "letters by post": "Channel: Post" in said,
}
print(json.dumps({
    "seconds": min(seconds),
    "cases": model.cases,
    "late": model.late,
    "rules": len(rules),
    "flagging_rules": sum(rule.flags for rule in rules),
    "open_scored": sum(rule.open_now for rule in rules),
    "open_flagged": sum(rule.open_now for rule in rules if rule.flags),
    "evaluation": model.evaluation,
    "planted": planted,
    "flagging": [f"{rule.percent}% of {rule.cases}: " + "; ".join(rule.conditions)
                 for rule in rules if rule.flags],
}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--citizens", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="trainings; the fastest is reported")
    parser.add_argument(
        "--database-url", default="", help="a PostgreSQL database to seed (default: SQLite)"
    )
    options = parser.parse_args()
    env = seeded_town("risk", options.citizens, options.seed, options.database_url)
    result = shell(TRAIN, env, str(options.repeat))
    database = "postgresql" if options.database_url.startswith("postgres") else "sqlite"
    held = result["evaluation"]
    tree, by_service = held["tree"], held["by_service"]
    print(" ".join([os.path.basename(sys.executable), *sys.argv]))
    for line in result["flagging"]:
        print(f"  at risk: {line}")
    found = [name for name, named in result["planted"].items() if named]
    missed = [name for name, named in result["planted"].items() if not named]
    print(
        f"{database}, {options.citizens:,} citizens: trained on {result['cases']:,} cases "
        f"({result['late']:,} late) in {result['seconds']:.2f} s "
        f"({result['cases'] / result['seconds']:,.0f} cases/s); {result['rules']} rules, "
        f"{result['flagging_rules']} flag; {result['open_flagged']:,} of "
        f"{result['open_scored']:,} open cases at risk.\n"
        f"On the newest {held['tested_on']:,} cases ({held['late_share']:.1%} late): tree "
        f"AUC {held['tree_auc']:.3f}, precision {tree['precision']:.2f}, recall "
        f"{tree['recall']:.2f}, F1 {tree['f1']:.2f}; the service alone AUC "
        f"{held['by_service_auc']:.3f}, precision {by_service['precision']:.2f}, recall "
        f"{by_service['recall']:.2f}, F1 {by_service['f1']:.2f} "
        f"(AUC ratio {held['tree_auc'] / held['by_service_auc']:.2f}).\n"
        f"Planted slowdowns named by a flagging rule: {len(found)}/{len(found) + len(missed)}"
        + (f" (missed: {', '.join(missed)})" if missed else ""),
        flush=True,
    )
    out = ROOT / "var" / "bench" / f"risk-{database}-{options.citizens}.json"
    out.write_text(json.dumps({**result, "options": vars(options)}, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
