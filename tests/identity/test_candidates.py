"""Who a person being registered may already be, and how likely: typos, swapped surnames and a
wrong DNI letter still find them; the active model's scores order them; a fixed number of
queries however many there are."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_party
from ventanilla.access.actors import Actor
from ventanilla.identity.candidates import candidates_for, party_candidates_scored
from ventanilla.identity.models import MatchModel
from ventanilla.identity.scoring import FALLBACK_MODEL, compile_model, score_pairs
from ventanilla.parties.services import IdentifierInput, party_update

pytestmark = pytest.mark.django_db


def isabel(actor: Actor, **overrides: Any) -> Any:
    data: dict[str, Any] = {
        "given_name": "Isabel",
        "family_name_1": "Acosta",
        "family_name_2": "Fernández",
        "birth_date": date(1978, 4, 11),
        "identifiers": [IdentifierInput(scheme="dni", value="12345678Z")],
    }
    data.update(overrides)
    return make_party(actor, **data)


def top(record: dict[str, Any]) -> Any:
    found = candidates_for(record)
    return found[0] if found else None


@pytest.mark.parametrize(
    "typed",
    [
        {"given_name": "Isabel", "family_name_1": "Acotsa"},
        {"given_name": "Isabel", "family_name_1": "Fernandes", "family_name_2": "Acosta"},
        {"given_name": "Isbael", "family_name_1": "Acosta", "family_name_2": "Fernandez"},
        {"given_name": "Maria Isabel", "family_name_1": "Acosta"},
        {"given_name": "Isabel", "family_name_1": "Akosta", "birth_date": "1978-04-11"},
        {"given_name": "Isabela", "family_name_1": "Acosta", "birth_date": "1978-04-11"},
        {"identifier": "12345678A"},
        {"identifier": "12345678"},
    ],
    ids=[
        "transposed-surname",
        "swapped-surnames-with-a-sound-alike",
        "transposed-given-name",
        "compound-given-name",
        "sound-alike-with-birth-date",
        "another-given-name-with-the-birth-date",
        "wrong-dni-letter",
        "dni-without-letter",
    ],
)
def test_the_person_is_found_through_a_typo(actor: Actor, typed: dict[str, Any]) -> None:
    person = isabel(actor)
    make_party(actor, given_name="Isabel", family_name_1="Ruiz", family_name_2="Sanz")

    found = top(typed)

    assert found is not None and found.party == person


def test_the_same_name_and_birth_date_score_above_the_same_name_alone(actor: Actor) -> None:
    person = isabel(actor)
    namesake = isabel(
        actor,
        birth_date=date(1990, 1, 2),
        identifiers=[IdentifierInput(scheme="dni", value="87654321X")],
    )

    found = candidates_for(
        {
            "given_name": "Isabel",
            "family_name_1": "Acosta",
            "family_name_2": "Fernandez",
            "birth_date": date(1978, 4, 11),
        }
    )

    assert [s.party for s in found] == [person, namesake]
    assert found[0].probability > 0.9 > found[1].probability
    assert found[0].model_version == 0


def test_the_same_dni_outweighs_a_different_name(actor: Actor) -> None:
    holder = isabel(actor, given_name="Isa", family_name_1="Costa", birth_date=None)
    isabel(actor, identifiers=[IdentifierInput(scheme="dni", value="87654321X")])

    found = candidates_for(
        {"given_name": "Isabel", "family_name_1": "Acosta", "identifier": "12345678Z"}
    )

    assert found[0].party == holder and found[0].possible
    assert found[0].probability > found[1].probability


def test_a_renamed_person_is_found_by_the_new_name_only(actor: Actor) -> None:
    person = isabel(actor)
    party_update(actor=actor, party_id=person.pk, changes={"family_name_1": "Beltrán"})

    assert top({"given_name": "Isabel", "family_name_1": "Beltran"}).party == person
    assert top({"given_name": "Isabel", "family_name_1": "Acosta", "family_name_2": ""}) is None


def test_an_active_model_scores_the_candidates(actor: Actor) -> None:
    isabel(actor)
    record = {"given_name": "Isabel", "family_name_1": "Acosta", "family_name_2": "Fernandez"}
    before = top(record).probability
    given_only = {
        "probability_two_random_records_match": 0.01,
        "comparisons": [
            {
                "output_column_name": "given_name",
                "comparison_levels": [
                    {"sql_condition": '"given_name_l" IS NULL', "is_null_level": True},
                    {
                        "sql_condition": '"given_name_l" = "given_name_r"',
                        "m_probability": 0.9,
                        "u_probability": 0.09,
                    },
                    {"sql_condition": "ELSE", "m_probability": 0.1, "u_probability": 0.91},
                ],
            }
        ],
    }
    MatchModel.objects.create(version=3, settings=given_only)

    after = top(record)

    # log-odds: log2(0.01/0.99) + log2(0.9/0.09) -> 10/99 odds
    assert after.model_version == 3
    assert after.probability == pytest.approx(10 / 109, abs=1e-3)
    assert after.probability != before


def test_the_fallback_model_compiles_to_one_query() -> None:
    sql = compile_model(FALLBACK_MODEL)

    assert sql.count("SELECT") == 1 and "CASE WHEN" in sql
    assert score_pairs({"given_name": "Ana"}, []) == []


def test_candidates_cost_the_same_queries_however_many_there_are(actor: Actor) -> None:
    isabel(actor)
    record = {"given_name": "Isabel", "family_name_1": "Acosta", "identifier": "12345678Z"}
    candidates_for(record)  # the model is compiled once per process
    with CaptureQueriesContext(connection) as one:
        candidates_for(record)
    for n in range(8):  # each with a DNI of their own
        make_party(actor, given_name="Isabel", family_name_1="Acosta", family_name_2=f"{n}")

    with CaptureQueriesContext(connection) as many:
        found = candidates_for(record)

    assert len(found) == 5
    assert len(many) == len(one) <= 8


def test_the_people_shown_to_an_agent_are_audited(actor: Actor) -> None:
    from ventanilla.audit.models import AuditEntry

    person = isabel(actor)

    found = party_candidates_scored(
        actor=actor, record={"given_name": "Isabel", "family_name_1": "Acosta"}
    )

    assert [s.party for s in found] == [person]
    event = AuditEntry.objects.filter(detail__duplicate_check=True).latest("id")
    assert event.detail["shown"] == [str(person.pk)]


def test_the_phone_typed_is_compared_with_the_same_one_of_several(actor: Actor) -> None:
    from ventanilla.parties.services import ContactPointInput

    person = isabel(
        actor,
        contact_points=[
            ContactPointInput(kind="phone", value="611111111"),
            ContactPointInput(kind="phone", value="622222222"),
        ],
    )
    plain = {"given_name": "Isabel", "family_name_1": "Acosta"}

    with_phone = top({**plain, "phone": "+34 622 22 22 22"})

    assert with_phone.party == person and with_phone.candidate.same_phone
    assert with_phone.probability > top(plain).probability
