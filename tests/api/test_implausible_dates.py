"""Dates no one could mean (year 1, year 9999) are refused at every door: the API's schemas, the
services behind the console, the models' validators and the database itself."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from tests.conftest import sign_in
from tests.factories import make_party
from ventanilla.access.actors import Actor
from ventanilla.core.errors import ValidationFailed
from ventanilla.interactions.models import Interaction
from ventanilla.interactions.services import interaction_record
from ventanilla.parties.models import Party

pytestmark = pytest.mark.django_db

YEAR_ONE = "0001-01-01T00:00:00Z"


def send(client: Client, method: str, path: str, body: Any, **headers: Any) -> Any:
    call = getattr(client, method)
    return call(path, json.dumps(body), content_type="application/json", **headers)


def problem_fields(response: Any) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


@pytest.fixture
def party(actor: Actor) -> Party:
    return make_party(actor)


@pytest.mark.parametrize("when", [YEAR_ONE, "9999-12-31T23:59:59Z", "1969-12-31T23:59:59Z"])
def test_a_contact_dated_outside_1970_to_now_is_a_422_naming_occurred_at(
    api: Client, party: Party, when: str
) -> None:
    body = {"party_id": str(party.pk), "channel": "web", "summary": "x", "occurred_at": when}

    response = send(api, "post", "/api/v1/interactions", body, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert problem_fields(response) == ["occurred_at"]
    assert not Interaction.objects.exists()


def test_the_refusal_of_a_date_is_a_sentence_in_the_callers_language(
    api: Client, party: Party
) -> None:
    body = {"party_id": str(party.pk), "channel": "web", "summary": "x", "occurred_at": YEAR_ONE}

    response = send(api, "post", "/api/v1/interactions", body, HTTP_ACCEPT_LANGUAGE="en")

    assert response.json()["errors"][0]["message"] == "Give a time between 1 January 1970 and now."


def test_a_person_born_in_year_one_is_not_registered(api: Client) -> None:
    body = {"given_name": "Ana", "family_name_1": "Ruiz", "birth_date": "0001-01-01"}

    response = send(api, "post", "/api/v1/parties", body)

    assert response.status_code == 422, response.content
    assert problem_fields(response) == ["birth_date"]
    assert not Party.objects.exists()


def test_a_birth_date_cannot_be_corrected_to_year_one(api: Client, party: Party) -> None:
    response = send(api, "patch", f"/api/v1/parties/{party.pk}", {"birth_date": "0001-01-01"})

    assert response.status_code == 422, response.content
    assert problem_fields(response) == ["birth_date"]
    party.refresh_from_db()
    assert party.birth_date is not None and party.birth_date.year > 1900


def test_the_service_refuses_a_birth_date_before_1900_whoever_calls_it(
    actor: Actor, party: Party, agent_user: Any
) -> None:
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), agent_user)
    form = {"given_name": party.given_name, "family_name_1": party.family_name_1}

    response = client.post(
        f"/console/parties/{party.pk}/edit/", {**form, "birth_date": "1899-12-31"}
    )

    assert response.status_code == 422
    assert "Give a birth date between" in response.content.decode()
    party.refresh_from_db()
    assert party.birth_date is not None and party.birth_date.year >= 1900


def test_a_channel_adapter_cannot_date_a_contact_in_year_one(actor: Actor, party: Party) -> None:
    with pytest.raises(ValidationFailed) as refused:
        interaction_record(
            actor=actor,
            party_id=party.pk,
            channel="desk",
            summary="x",
            occurred_at=datetime(1, 1, 1, tzinfo=UTC),
        )

    assert refused.value.errors.keys() == {"occurred_at"}


def test_a_consent_expiry_sent_without_its_zone_is_read_in_local_time(
    api: Client, party: Party
) -> None:
    body = {
        "purpose": "Padrón",
        "recipient": "ayto",
        "data_categories": ["address"],
        "legal_basis": "public_task",
        "channel": "desk",
        "expires_at": "0001-01-01T00:00:00",
    }

    response = send(api, "post", f"/api/v1/parties/{party.pk}/consents", body)

    assert response.status_code == 422, response.content
    assert problem_fields(response) == ["expires_at"]
