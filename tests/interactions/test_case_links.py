"""A contact names the case it belongs to only if the actor's agency handles that case; the
refusal reads the same whether the reference is another agency's, another person's or unknown,
so it cannot be used to learn which references exist."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.conftest import OPERATOR
from tests.factories import make_party
from ventanilla.access.actors import Actor, actor_for_user
from ventanilla.access.services import apikey_create
from ventanilla.cases.models import Case
from ventanilla.cases.services import case_open
from ventanilla.catalog.models import PublicService
from ventanilla.interactions.models import Interaction

pytestmark = pytest.mark.django_db


@pytest.fixture
def planning_case(actor: Actor, service: PublicService, make_staff: Any) -> Case:
    planner = actor_for_user(make_staff("tramitador", "urbanismo", "case_worker"))
    party = make_party(actor)
    return case_open(actor=planner, party_id=party.pk, service_code=service.code, channel="desk")


@pytest.fixture
def health_api(town: Any) -> Client:
    _key, secret = apikey_create(
        actor=OPERATOR,
        name="salud",
        agency_code="salud",
        scopes=["interactions:write", "cases:read", "cases:write"],
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def record(client: Client, party_id: Any, reference: str) -> Any:
    body = {
        "party_id": str(party_id),
        "channel": "phone",
        "summary": "Llama por su expediente",
        "case_reference": reference,
    }
    return client.post("/api/v1/interactions", json.dumps(body), content_type="application/json")


def case_error(response: Any) -> tuple[int, list[dict[str, str]]]:
    body = response.json()
    return response.status_code, [e for e in body["errors"] if e["field"] == "case"]


def test_a_contact_is_linked_to_a_case_of_the_agency_that_records_it(
    api: Client, planning_case: Case
) -> None:
    response = record(api, planning_case.party_id, planning_case.reference.lower())

    assert response.status_code == 201, response.content
    assert response.json()["case_reference"] == planning_case.reference


def test_another_agencys_case_cannot_be_given_to_a_contact(
    health_api: Client, planning_case: Case
) -> None:
    response = record(health_api, planning_case.party_id, planning_case.reference)

    assert response.status_code == 422, response.content
    assert len(case_error(response)[1]) == 1
    assert not Interaction.objects.filter(case=planning_case, channel_id="phone").exists()


def test_another_agencys_case_reads_as_a_reference_that_does_not_exist(
    health_api: Client, planning_case: Case
) -> None:
    unknown_reference = planning_case.reference[:-6] + "999999"

    existing = record(health_api, planning_case.party_id, planning_case.reference)
    unknown = record(health_api, planning_case.party_id, unknown_reference)

    assert case_error(existing) == case_error(unknown)


def test_another_persons_case_reads_as_a_reference_that_does_not_exist(
    api: Client, actor: Actor, planning_case: Case
) -> None:
    someone_else = make_party(actor)
    unknown_reference = planning_case.reference[:-6] + "999999"

    theirs = record(api, someone_else.pk, planning_case.reference)
    unknown = record(api, someone_else.pk, unknown_reference)

    assert theirs.status_code == 422
    assert case_error(theirs) == case_error(unknown)
    assert not Interaction.objects.filter(case=planning_case, channel_id="phone").exists()
