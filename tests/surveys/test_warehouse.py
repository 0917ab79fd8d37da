"""Every response to a survey counts in the warehouse, and none is linked to a person there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.surveys.conftest import full_answers, load
from ventanilla.access.actors import Actor
from ventanilla.parties.models import Party
from ventanilla.surveys.services import survey_respond
from ventanilla.warehouse.build import warehouse_build

pytestmark = pytest.mark.django_db


def test_identified_and_anonymous_responses_are_counted_and_never_linked(
    town: Any, citizen_actor: Actor, citizen: Party, tmp_path: Path, settings: Any
) -> None:
    settings.VENTANILLA_SEALED_MIX_SIZE = 2  # the two anonymous answers are mixed, then counted
    identified = load()
    anonymous = load(anonymous=True, once_per_person=False)
    survey_respond(actor=citizen_actor, survey_id=identified.pk, answers=full_answers(identified))
    for _ in range(2):
        survey_respond(
            actor=Actor(label="anonymous"),
            survey_id=anonymous.pk,
            answers=full_answers(anonymous),
        )
    path = tmp_path / "warehouse.duckdb"

    warehouse_build(path=path, full=True)

    with duckdb.connect(str(path), read_only=True) as con:
        counted = con.execute(
            "SELECT anonymous, agency_code, count(*) FROM fact_survey_response "
            "GROUP BY ALL ORDER BY anonymous"
        ).fetchall()
        columns = {row[0] for row in con.execute("DESCRIBE fact_survey_response").fetchall()}
        consultations = con.execute(
            "SELECT count(*) FROM fact_interaction WHERE relationship = 'consultation'"
        ).fetchone()
    assert counted == [(False, "ayto", 1), (True, "ayto", 2)]
    assert "party_key" not in columns
    assert consultations == (1,)
