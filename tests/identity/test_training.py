"""Training on a registry where an EM session finds nothing to learn from (no two records share
an identifier, or surnames and a birth date) keeps every comparison in the saved model: a
failed session must not take the surnames or the birth date out of the scoring."""

from __future__ import annotations

import random
from datetime import date

from tests.identity.test_matching import GIVEN, SURNAMES
from ventanilla.identity import linkage
from ventanilla.identity.features import prepare


def _comparison_names(model: dict[str, object]) -> list[str]:
    return [c["output_column_name"] for c in model["comparisons"]]  # type: ignore[attr-defined]


def test_a_training_session_that_fails_leaves_every_comparison_in_the_model() -> None:
    rng = random.Random(4)
    rows = []
    for n in range(80):  # eighty different people: no identifier, no shared birth date
        values = {
            "given_name": rng.choice(GIVEN),
            "family_name_1": rng.choice(SURNAMES),
            "family_name_2": rng.choice(SURNAMES),
            "birth_date": date(1930 + n, 1 + n % 12, 1 + n % 28),
            "postal_code": f"4180{n % 10}",
        }
        rows.append({"unique_id": f"r:{n}", "origin": "record", **prepare(values)})

    trained = linkage.train_and_score(linkage.rows_table(rows))

    assert _comparison_names(trained.model) == _comparison_names(linkage.settings())
