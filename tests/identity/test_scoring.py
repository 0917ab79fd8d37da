"""A model Splink trained and saved scores candidates as Splink itself would predict: the
compiled query gives the same probabilities as Splink's ``compare_records``."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
import pytest
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.internals.realtime import compare_records

from ventanilla.identity.features import prepare
from ventanilla.identity.scoring import Scorer, compile_model, score_pairs

GIVEN = ["Isabel", "Ana", "Luis", "Pedro", "Marta", "José", "Carmen", "Pilar", "Juan", "Elena"]
SURNAMES = ["Acosta", "Fernández", "García", "López", "Ruiz", "Sanz", "Gil", "Mora", "Vidal"]


def prepared(record: dict[str, Any], unique_id: int) -> dict[str, Any]:
    values = {name: (None if value == "" else value) for name, value in prepare(record).items()}
    return {"unique_id": unique_id, **values}


@pytest.fixture(scope="module")
def splink_model() -> dict[str, Any]:
    """Splink trained briefly on 400 planted records, a third of them typed twice."""
    rng = random.Random(5)
    rows = []
    for _ in range(300):
        record = {
            "given_name": rng.choice(GIVEN),
            "family_name_1": rng.choice(SURNAMES),
            "family_name_2": rng.choice(SURNAMES),
            "birth_date": date(rng.randint(1940, 1999), rng.randint(1, 12), rng.randint(1, 28)),
        }
        rows.append(prepared(record, len(rows)))
        if rng.random() < 0.33:
            typo = {**record, "family_name_1": record["family_name_1"][:-1] + "z"}
            rows.append(prepared(typo, len(rows)))
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.ExactMatch("surnames_sorted"),
            cl.JaroWinklerAtThresholds("given_name_called", [0.9]),
            cl.ExactMatch("birth_date"),
        ],
        blocking_rules_to_generate_predictions=[block_on("birth_year")],
    )
    db_api = DuckDBAPI()
    linker = Linker(db_api.register(pa.Table.from_pylist(rows)), settings, log_level="WARNING")
    linker.training.estimate_u_using_random_sampling(max_pairs=2e4)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("surnames_sorted"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("birth_date"))
    model: dict[str, Any] = linker.misc.save_model_to_json()
    return model


PAIRS = [
    ({"given_name": "Isabel", "family_name_1": "Acosta", "birth_date": "1978-04-11"},
     {"given_name": "Isabel", "family_name_1": "Acosta", "birth_date": "1978-04-11"}),
    ({"given_name": "Isabel", "family_name_1": "Acosta", "family_name_2": "Gil"},
     {"given_name": "Isabela", "family_name_1": "Gil", "family_name_2": "Acosta"}),
    ({"given_name": "Ana", "family_name_1": "Ruiz", "birth_date": "1950-01-02"},
     {"given_name": "Pedro", "family_name_1": "Sanz", "birth_date": "1960-03-04"}),
    ({"given_name": "Luis"}, {"given_name": "Luis", "birth_date": "1960-03-04"}),
]  # fmt: skip


@pytest.mark.parametrize(("new", "other"), PAIRS, ids=["same", "swapped", "apart", "sparse"])
def test_a_saved_splink_model_scores_as_splink_predicts(
    splink_model: dict[str, Any], new: dict[str, Any], other: dict[str, Any]
) -> None:
    scorer = Scorer(7, compile_model(splink_model), 0.99, 0.5)

    (ours,) = score_pairs(new, [other], scorer=scorer)

    splink = compare_records(prepared(new, 0), prepared(other, 1), splink_model, DuckDBAPI())
    (theirs,) = splink.as_record_list()
    assert ours == pytest.approx(theirs["match_probability"], abs=1e-4)
