"""How a contact ended (answered, a case opened, to call back…) is kept with it, through the
service and the API alike; a case opened records its contact as "case opened"."""

from __future__ import annotations

import json
from typing import Any, get_args

import pytest
from django.test import Client

from tests.factories import make_party
from ventanilla.access.actors import Actor
from ventanilla.cases.services import case_open
from ventanilla.catalog.models import PublicService
from ventanilla.core.errors import ValidationFailed
from ventanilla.interactions.api import OutcomeCode
from ventanilla.interactions.models import Interaction
from ventanilla.interactions.services import interaction_record

pytestmark = pytest.mark.django_db


def test_the_api_offers_exactly_the_outcomes_the_model_knows() -> None:
    assert set(get_args(OutcomeCode)) == set(Interaction.Outcome.values)


def test_a_contact_keeps_how_it_ended(actor: Actor) -> None:
    party = make_party(actor)

    contact = interaction_record(
        actor=actor, party_id=party.pk, channel="phone", summary="Horario", outcome="call_back"
    )

    contact.refresh_from_db()
    assert contact.outcome == Interaction.Outcome.CALL_BACK


def test_an_unknown_outcome_is_refused_and_nothing_is_saved(actor: Actor) -> None:
    party = make_party(actor)

    with pytest.raises(ValidationFailed) as refused:
        interaction_record(
            actor=actor, party_id=party.pk, channel="phone", summary="Horario", outcome="maybe"
        )

    assert "outcome" in refused.value.errors
    assert not Interaction.objects.filter(party=party).exists()


def test_the_api_records_and_returns_the_outcome(api: Client, actor: Actor) -> None:
    party = make_party(actor)
    body = {"party_id": str(party.pk), "channel": "phone", "summary": "Horario"}

    answered = api.post(
        "/api/v1/interactions",
        json.dumps({**body, "outcome": "answered"}),
        content_type="application/json",
    )
    silent = api.post("/api/v1/interactions", json.dumps(body), content_type="application/json")

    assert answered.status_code == 201, answered.content
    assert answered.json()["outcome"] == "answered"
    assert silent.json()["outcome"] is None


def test_the_contact_that_opens_a_case_reads_case_opened(
    actor: Actor, service: PublicService, make_staff: Any
) -> None:
    party = make_party(actor)

    case = case_open(actor=actor, party_id=party.pk, service_code=service.code, channel="desk")

    assert case.interactions.get().outcome == Interaction.Outcome.CASE_OPENED
