"""The saved model gives the same links on Spark as on DuckDB: the same pairs with the same
probabilities, so the same records end in the same parties; and a Spark run without pyspark is a
clear error."""

from __future__ import annotations

import random
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from tests.factories import valid_dni
from tests.identity.test_matching import GIVEN, SURNAMES, plant, record
from ventanilla.catalog.models import Agency
from ventanilla.identity import linkage
from ventanilla.identity.matching import cluster, load_parties, load_records, model_rows
from ventanilla.identity.spark_backend import SparkOptions, as_saved, for_spark

TYPOS = {"a": "e", "e": "a", "i": "y", "o": "u", "n": "m", "r": "rr", "l": "ll"}


def typo(word: str, rng: random.Random) -> str:
    spots = [i for i, ch in enumerate(word) if ch in TYPOS]
    if not spots:
        return word + "s"
    i = rng.choice(spots)
    return word[:i] + TYPOS[word[i]] + word[i + 1 :]


def plant_more(town: dict[str, Agency]) -> None:
    """A hundred more people known to both agencies, the second time with a register's errors
    (a typo, the surnames swapped, a second surname or the DNI missing, day and month swapped),
    and namesakes whose surnames are a hair's breadth apart for Jaro-Winkler."""
    health, ayto = town["salud"], town["padron"]
    rng = random.Random(2026)
    for n in range(100):
        given, family_1, family_2 = rng.choice(GIVEN), *rng.sample(SURNAMES, 2)
        born = date(rng.randint(1930, 2015), rng.randint(1, 12), rng.randint(1, 28))
        dni = valid_dni(20_000_000 + n * 104_729)
        postal_code = f"4181{n % 10}"
        record(health, f"M{n}", given_name=given, family_name_1=family_1,
               family_name_2=family_2, birth_date=born, identifier=dni, postal_code=postal_code,
               email=f"persona{n}@example.es" if n % 3 == 0 else "")  # fmt: skip
        error = n % 5
        variant: dict[str, Any] = {
            "given_name": typo(given, rng) if error == 0 else given,
            "family_name_1": {1: family_2, 4: typo(family_1, rng)}.get(error, family_1),
            "family_name_2": family_1 if error == 1 else "" if error == 2 else family_2,
            "birth_date": date(born.year, born.day, born.month)
            if error == 3 and born.day <= 12
            else born,
            "identifier": "" if n % 2 else dni,
            "postal_code": postal_code,
            "email": f"persona{n}@example.es" if n % 3 == 0 else "",
        }  # fmt: skip
        record(ayto, f"N{n}", **variant)
    # 0.9203 in DuckDB's Jaro-Winkler, 0.9112 in Splink's jar for Spark: across the 0.92 level.
    for key, family_2 in (("J1", "Blanco"), ("J2", "Molina")):
        agency = health if key == "J1" else ayto
        record(agency, key, given_name="Sara", family_name_1="Blanco", family_name_2=family_2,
               birth_date=date(1966, 9, 30), postal_code="41820")  # fmt: skip


def close_surnames(records: list[dict[str, Any]]) -> set[str]:
    return {
        f"r:{record['id']}"
        for record in records
        if record["given_name"] == "Sara" and record["birth_date"] == date(1966, 9, 30)
    }


def partition(rows: list[dict[str, Any]], records: list[dict[str, Any]], scored: Any) -> set[Any]:
    clusters, _decided, _refused = cluster(rows, records, scored.pairs)
    groups: dict[str, set[str]] = {}
    for row in rows:
        groups.setdefault(clusters.find(row["unique_id"]), set()).add(row["unique_id"])
    return {frozenset(group) for group in groups.values()}


@pytest.mark.long
def test_the_saved_model_links_the_same_records_on_spark_as_on_duckdb(
    town: dict[str, Agency], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # where an operator would start the command
    planted = plant(town)
    plant_more(town)
    records = load_records(())
    rows = model_rows(records, load_parties())
    table = linkage.rows_table(rows)
    trained = linkage.train_and_score(table)  # a model version, trained as matching does

    on_duckdb = linkage.train_and_score(table, model=trained.model)
    on_spark = linkage.train_and_score(
        table,
        model=trained.model,
        backend="spark",
        spark=SparkOptions(
            master="local[2]",
            work_dir=str(tmp_path / "checkpoints"),
            conf={
                "spark.sql.shuffle.partitions": "4",
                "spark.local.dir": str(tmp_path / "local"),
            },
            break_lineage="persist",
        ),
    )

    assert on_spark.model == on_duckdb.model == trained.model
    duckdb_pairs = {(pair.left, pair.right): pair for pair in on_duckdb.pairs}
    spark_pairs = {(pair.left, pair.right): pair for pair in on_spark.pairs}
    assert len(duckdb_pairs) > 100
    assert spark_pairs.keys() == duckdb_pairs.keys()
    for key, pair in duckdb_pairs.items():
        assert spark_pairs[key].probability == pytest.approx(pair.probability, abs=1e-9)
        levels = [(c["comparison"], c["level"]) for c in pair.comparisons]
        assert [(c["comparison"], c["level"]) for c in spark_pairs[key].comparisons] == levels
        weights = [c["weight"] for c in pair.comparisons]
        assert [c["weight"] for c in spark_pairs[key].comparisons] == pytest.approx(weights)
    parties = partition(rows, records, on_duckdb)
    assert partition(rows, records, on_spark) == parties
    together = {
        frozenset(group) for group in parties if len(group) > 1 and any(n[0] == "r" for n in group)
    }
    assert len(together) >= 100
    sara = [pair for pair in on_spark.pairs if {pair.left, pair.right} == close_surnames(records)]
    assert [c["level"] for c in sara[0].comparisons if c["comparison"] == "surnames"] == [
        "one typo"
    ]
    tomas = {f"r:{planted['tomas'].pk}", f"r:{planted['tomas_variant'].pk}"}
    assert any(tomas <= group for group in together)
    # Spark's own tables went with the intermediate ones, not into the folder it started in.
    assert not (tmp_path / "spark-warehouse").exists()


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "Matching on Spark needs pyspark"), ("es", "Emparejar en Spark requiere pyspark")],
)
def test_matching_on_spark_without_pyspark_is_a_clear_error_and_nothing_is_written(
    town: dict[str, Agency], monkeypatch: pytest.MonkeyPatch, language: str, message: str
) -> None:
    plant(town)
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)  # as if pyspark were not installed

    with translation.override(language), pytest.raises(CommandError, match=message):
        call_command("identity", "match", "--backend", "spark", "--no-progress")

    from ventanilla.identity.models import MatchModel, SourceRecord

    assert not MatchModel.objects.exists()
    assert not SourceRecord.objects.filter(party__isnull=False).exists()


def test_the_model_is_translated_for_spark_and_saved_back_as_duckdb_writes_it() -> None:
    written = linkage.settings()

    on_spark = for_spark(written)
    conditions = [
        level["sql_condition"]
        for comparison in on_spark["comparisons"]
        for level in comparison["comparison_levels"]
    ]

    assert on_spark["sql_dialect"] == "spark"
    assert not any('"' in condition for condition in conditions)  # a string in Spark SQL
    # Spark's function names are not case-sensitive.
    assert "JARO_WINKLER_SIMILARITY(`given_name_called_l`, `given_name_called_r`) >= 0.92" in (
        conditions
    )
    # A trained model may lack a comparison (Splink leaves out those a failed EM session
    # fixed); the others get their conditions back.
    trained = dict(on_spark, comparisons=on_spark["comparisons"][2:])
    saved = as_saved(trained, written)
    assert saved["sql_dialect"] == "duckdb"
    assert saved["comparisons"] == written["comparisons"][2:]
