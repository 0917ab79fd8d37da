"""Once-only: an agency asks another for what it holds on a party, for a purpose; it gets it only
under a consent in force or a named legal basis, and the request and the answer are both logged."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.conftest import OPERATOR
from tests.factories import make_party, signed_form
from ventanilla.access.actors import Actor
from ventanilla.access.services import apikey_create
from ventanilla.audit.models import AuditEntry
from ventanilla.consent.services import consent_record, consent_withdraw
from ventanilla.identity.models import SourceRecord
from ventanilla.parties.models import ProfileAttribute
from ventanilla.sharing.models import SharingRequest

pytestmark = pytest.mark.django_db


def town_hall() -> Client:
    _key, secret = apikey_create(
        actor=OPERATOR,
        name="padron-app",
        agency_code="ayto",
        scopes=["parties:read", "sharing:request"],
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def held(actor: Actor, town: Any) -> Any:
    """A person the health service knows: its own record of them and two facts it holds."""
    party = make_party(actor, given_name="Lucía", family_name_1="Ortega")
    SourceRecord.objects.create(
        agency=town["salud"],
        source_key="SIP-0001",
        given_name="Lucia",
        family_name_1="Ortega",
        address="Calle Mayor 3",
        postal_code="41001",
        party=party,
    )
    ProfileAttribute.objects.create(
        party=party, name="income_band", value="B", category="income", source_agency=town["salud"]
    )
    ProfileAttribute.objects.create(
        party=party,
        name="disability_degree",
        value=45,
        sensitivity="sensitive",
        category="disability",
        source_agency=town["salud"],
    )
    return party


def ask(client: Client, party: Any, **changes: Any) -> Any:
    body = {
        "holder": "salud",
        "purpose": "Bonificación del IBI por familia con discapacidad",
        "data_categories": ["income", "address"],
        **changes,
    }
    return client.post(
        f"/api/v1/parties/{party.pk}/sharing-requests",
        json.dumps(body),
        content_type="application/json",
    )


def give_consent(actor: Actor, party: Any, categories: list[str]) -> Any:
    return consent_record(
        actor=actor,
        party_id=party.pk,
        purpose="Bonificaciones fiscales",
        recipient_code="ayto",
        data_categories=categories,
        channel="desk",
        evidence=signed_form(),
    )


def test_with_a_consent_in_force_the_holders_data_comes_back(actor: Actor, held: Any) -> None:
    consent = give_consent(actor, held, ["income", "address"])

    response = ask(town_hall(), held)

    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["outcome"] == "granted"
    assert answer["consents"] == [str(consent.pk)]
    assert answer["data"]["attributes"] == [
        {"name": "income_band", "value": "B", "category": "income"}
    ]
    assert answer["data"]["records"] == [{"address": "Calle Mayor 3", "postal_code": "41001"}]


def test_the_request_and_the_answer_are_both_in_the_audit_log(actor: Actor, held: Any) -> None:
    give_consent(actor, held, ["income", "address"])

    request_id = ask(town_hall(), held).json()["id"]

    asked = AuditEntry.objects.get(action="sharing.request", object_id=request_id)
    answered = AuditEntry.objects.get(action="sharing.answer", object_id=request_id)
    assert asked.actor == "api:padron-app" and asked.party_id == held.pk
    assert asked.purpose == "Bonificación del IBI por familia con discapacidad"
    assert answered.actor == "agency:salud"
    assert answered.detail["outcome"] == "granted" and answered.detail["rows"] == 2


def test_without_a_covering_consent_it_is_refused_and_the_refusal_is_kept(
    actor: Actor, held: Any
) -> None:
    give_consent(actor, held, ["income"])

    response = ask(town_hall(), held)

    assert response.status_code == 403
    problem = response.json()
    assert problem["type"] == "urn:ventanilla:problem:sharing-refused"
    assert "address" in problem["detail"]
    refused = SharingRequest.objects.get(pk=problem["sharing_request_id"])
    assert refused.outcome == "refused"
    assert AuditEntry.objects.get(action="sharing.answer").detail["outcome"] == "refused"


def test_a_withdrawn_consent_no_longer_covers_a_request(actor: Actor, held: Any) -> None:
    consent = give_consent(actor, held, ["income", "address"])
    consent_withdraw(
        actor=actor,
        consent_id=consent.pk,
        instruction="En ventanilla, con el DNI a la vista",
        channel="desk",
    )

    assert ask(town_hall(), held).status_code == 403


def test_a_named_law_covers_ordinary_categories_without_consent(held: Any) -> None:
    response = ask(
        town_hall(),
        held,
        data_categories=["address"],
        legal_basis="public_task",
        legal_reference="Ley 39/2015, art. 28.2",
    )

    assert response.status_code == 201
    assert response.json()["data"]["records"] == [
        {"address": "Calle Mayor 3", "postal_code": "41001"}
    ]


def test_health_and_disability_need_consent_whatever_the_law_named(held: Any) -> None:
    response = ask(
        town_hall(),
        held,
        data_categories=["disability"],
        legal_basis="public_task",
        legal_reference="Ley 39/2015, art. 28.2",
    )

    assert response.status_code == 403
    assert "disability" in response.json()["detail"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"purpose": "porque sí"}, "purpose"),
        ({"data_categories": ["shoe-size"]}, "data_categories"),
        ({"holder": "nowhere"}, "holder"),
        ({"holder": "urbanismo"}, "holder"),
        ({"legal_basis": "public_task"}, "legal_reference"),
    ],
)
def test_bad_requests_name_the_field_and_record_nothing(
    held: Any, changes: dict[str, Any], field: str
) -> None:
    response = ask(town_hall(), held, **changes)

    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["errors"]]
    assert not SharingRequest.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="sharing.").exists()


def test_a_key_without_the_sharing_scope_is_refused(held: Any) -> None:
    _key, secret = apikey_create(
        actor=OPERATOR, name="reader", agency_code="ayto", scopes=["parties:read"]
    )

    response = ask(Client(HTTP_AUTHORIZATION=f"Bearer {secret}"), held)

    assert response.status_code == 403
    assert not SharingRequest.objects.exists()


def test_at_the_desk_an_agent_asks_and_reads_the_answer_in_their_language(
    actor: Actor, held: Any, agent_user: Any
) -> None:
    give_consent(actor, held, ["income"])
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(agent_user)
    url = f"/console/parties/{held.pk}/sharing/"
    form = {"holder": "salud", "purpose": "Bonificación del IBI", "data_categories": ["income"]}

    page = client.get(url)
    answer = client.post(url, form)

    assert page.status_code == 200 and ">Health<" in page.content.decode()
    assert answer.status_code == 200
    assert "What Health holds" in answer.content.decode()
    assert "Income band" in answer.content.decode()


def test_at_the_desk_a_refusal_and_a_bad_field_are_explained(held: Any, agent_user: Any) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(agent_user)
    url = f"/console/parties/{held.pk}/sharing/"

    refused = client.post(
        url, {"holder": "salud", "purpose": "Bonificación del IBI", "data_categories": ["income"]}
    )
    vague = client.post(url, {"holder": "salud", "purpose": "x", "data_categories": ["income"]})

    assert refused.status_code == 403
    assert 'id="refusal"' in refused.content.decode()
    assert vague.status_code == 422
    assert 'id="purpose-error"' in vague.content.decode()
    assert SharingRequest.objects.count() == 1
