"""The duplicate check over HTTP: who a new party may be, with scores, and a registration that
answers 409 with the candidates unless the client confirms it is another person."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.factories import make_party
from ventanilla.access.actors import Actor
from ventanilla.parties.models import Party
from ventanilla.parties.services import IdentifierInput

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
ISABEL = {
    "given_name": "Isabel",
    "family_name_1": "Acosta",
    "family_name_2": "Fernandez",
    "birth_date": "1978-04-11",
}


def post(client: Client, path: str, body: Any) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json")


@pytest.fixture
def isabel(actor: Actor) -> Party:
    return make_party(
        actor,
        given_name="Isabel",
        family_name_1="Acosta",
        family_name_2="Fernández",
        birth_date="1978-04-11",
        identifiers=[IdentifierInput(scheme="dni", value="12345678Z")],
    )


def test_candidates_come_back_scored_before_anything_is_saved(api: Client, isabel: Party) -> None:
    before = Party.objects.count()

    response = post(api, "/api/v1/parties/candidates", {**ISABEL, "family_name_1": "Acotsa"})

    assert response.status_code == 200, response.content
    (found,) = response.json()["items"]
    assert found["party_id"] == str(isabel.pk)
    assert found["display_name"] == "Isabel Acosta Fernández"
    assert found["birth_year"] == 1978
    assert 0.9 < found["probability"] <= 1
    assert Party.objects.count() == before


def test_nobody_alike_gives_an_empty_list(api: Client, isabel: Party) -> None:
    response = post(
        api, "/api/v1/parties/candidates", {"given_name": "Pedro", "family_name_1": "Gil"}
    )

    assert response.json() == {"items": []}


def test_registering_a_very_likely_duplicate_is_refused_with_the_candidates(
    api: Client, isabel: Party
) -> None:
    body = {**ISABEL, "identifiers": [{"scheme": "dni", "value": "12345678Z"}]}
    before = Party.objects.count()

    response = post(api, "/api/v1/parties", body)

    assert response.status_code == 409
    assert response["Content-Type"] == PROBLEM
    problem = response.json()
    assert problem["type"].endswith("possible-duplicate")
    assert problem["existing_party"] == str(isabel.pk)
    assert [c["party_id"] for c in problem["candidates"]] == [str(isabel.pk)]
    assert problem["candidates"][0]["likely"] is True
    assert Party.objects.count() == before


def test_a_confirmed_new_person_is_registered_despite_a_namesake(
    api: Client, isabel: Party
) -> None:
    body = {**ISABEL, "confirm_new": True}

    response = post(api, "/api/v1/parties", body)

    assert response.status_code == 201, response.content
    assert Party.objects.filter(given_name="Isabel").count() == 2


def test_the_same_name_and_birth_date_without_confirmation_is_refused(
    api: Client, isabel: Party
) -> None:
    response = post(api, "/api/v1/parties", ISABEL)

    assert response.status_code == 409
    assert response.json()["candidates"][0]["same_birth_date"] is True
