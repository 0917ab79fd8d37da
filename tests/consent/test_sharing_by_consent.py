"""Another agency's cases and contacts are invisible (404, not 403) until a consent in force
shares them; withdrawal closes them again at once."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import OPERATOR
from tests.factories import make_party, signed_form
from ventanilla.access.actors import Actor, actor_for_citizen
from ventanilla.access.services import apikey_create
from ventanilla.cases.services import case_open
from ventanilla.consent.models import Consent
from ventanilla.consent.services import consent_record, consent_withdraw_by_subject
from ventanilla.interactions.services import interaction_record
from ventanilla.parties.models import ProfileAttribute

pytestmark = pytest.mark.django_db

READ = ["parties:read", "cases:read", "interactions:read"]


def key_client(agency: str) -> Client:
    _key, secret = apikey_create(
        actor=OPERATOR, name=f"key-{agency}", agency_code=agency, scopes=READ
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture
def town_case(actor: Actor, service: Any) -> Any:
    party = make_party(actor)
    case = case_open(actor=actor, party_id=party.pk, service_code=service.code, channel="desk")
    interaction_record(actor=actor, party_id=party.pk, channel="desk", summary="Obra en el patio")
    return case


def share(actor: Actor, party: Any, recipient: str, categories: list[str]) -> Any:
    return consent_record(
        actor=actor,
        party_id=party.pk,
        purpose="Coordinación sociosanitaria",
        recipient_code=recipient,
        data_categories=categories,
        channel="desk",
        evidence=signed_form(),
    )


def test_another_agencys_case_is_reported_missing(town_case: Any) -> None:
    health = key_client("salud")

    response = health.get(f"/api/v1/cases/{town_case.pk}")
    view = health.get(f"/api/v1/parties/{town_case.party_id}/360").json()

    assert response.status_code == 404
    assert view["open_cases"] == [] and view["timeline"]["items"] == []


def test_a_consent_sharing_cases_opens_them_to_the_recipient(actor: Actor, town_case: Any) -> None:
    share(actor, town_case.party, "salud", ["cases"])
    health = key_client("salud")

    response = health.get(f"/api/v1/cases/{town_case.reference}")
    view = health.get(f"/api/v1/parties/{town_case.party_id}/360").json()
    listed = health.get("/api/v1/cases", {"party_id": str(town_case.party_id)}).json()

    assert response.status_code == 200
    assert [c["reference"] for c in view["open_cases"]] == [town_case.reference]
    assert "Obra en el patio" in [i["summary"] for i in view["timeline"]["items"]]
    assert [c["reference"] for c in listed["items"]] == [town_case.reference]


def test_a_consent_for_other_categories_shares_no_cases(actor: Actor, town_case: Any) -> None:
    share(actor, town_case.party, "salud", ["income"])

    response = key_client("salud").get(f"/api/v1/cases/{town_case.pk}")

    assert response.status_code == 404


def test_withdrawing_the_consent_hides_the_cases_again_at_once(
    actor: Actor, town_case: Any
) -> None:
    consent = share(actor, town_case.party, "salud", ["cases"])
    health = key_client("salud")
    assert health.get(f"/api/v1/cases/{town_case.pk}").status_code == 200

    consent_withdraw_by_subject(actor=actor_for_citizen(town_case.party), consent_id=consent.pk)

    assert health.get(f"/api/v1/cases/{town_case.pk}").status_code == 404


def test_a_consent_to_an_agency_reaches_its_departments(actor: Actor, make_staff: Any) -> None:
    party = make_party(actor)
    interaction_record(
        actor=actor, party_id=party.pk, channel="desk", summary="Alta", agency_code="padron"
    )
    planning = key_client("urbanismo")
    assert planning.get(f"/api/v1/parties/{party.pk}/interactions").json()["items"] == []

    share(actor, party, "ayto", ["cases"])

    items = planning.get(f"/api/v1/parties/{party.pk}/interactions").json()["items"]
    assert [i["summary"] for i in items] == ["Alta"]


def test_facts_another_agency_holds_are_shown_only_under_a_consent(actor: Actor, town: Any) -> None:
    party = make_party(actor)
    ProfileAttribute.objects.create(
        party=party,
        name="employment_status",
        value="unemployed",
        category="employment",
        source_agency=town["salud"],
    )
    town_hall = key_client("ayto")
    assert town_hall.get(f"/api/v1/parties/{party.pk}/360").json()["attributes"] == []

    share(actor, party, "ayto", ["employment"])

    attributes = town_hall.get(f"/api/v1/parties/{party.pk}/360").json()["attributes"]
    assert [a["name"] for a in attributes] == ["employment_status"]


def forged(party: Any, recipient: Any, categories: list[str], basis: str) -> Consent:
    """A row as an agency could write one on its own word before the person's was required."""
    return Consent.objects.create(
        party=party,
        purpose="Coordinación",
        recipient=recipient,
        data_categories=categories,
        legal_basis=basis,
        granted_at=timezone.now(),
        channel_id="desk",
        recorded_by_label="api:sede-electronica",
    )


@pytest.mark.parametrize("basis", ["consent", "public_task", "legal_obligation"])
def test_an_agencys_own_record_opens_no_other_agencys_cases(
    town_case: Any, town: Any, basis: str
) -> None:
    forged(town_case.party, town["salud"], ["cases", "health"], basis)
    health = key_client("salud")

    case = health.get(f"/api/v1/cases/{town_case.pk}")
    view = health.get(f"/api/v1/parties/{town_case.party.pk}/360").json()

    assert case.status_code == 404
    assert view["open_cases"] == [] and view["timeline"]["items"] == []


def test_a_public_task_record_never_opens_a_diagnosis(actor: Actor, town: Any) -> None:
    party = make_party(actor)
    ProfileAttribute.objects.create(
        party=party,
        name="diagnosis",
        value="diabetes",
        sensitivity="sensitive",
        category="health",
        source_agency=town["salud"],
    )
    forged(party, town["ayto"], ["health"], "public_task")
    _key, secret = apikey_create(
        actor=OPERATOR,
        name="sensible",
        agency_code="ayto",
        scopes=[*READ, "parties:read_sensitive"],
    )
    town_hall = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    view = town_hall.get(
        f"/api/v1/parties/{party.pk}/360?purpose=Valoración de la ayuda&sensitive=true"
    ).json()

    assert view["attributes"] == []


def test_health_shared_by_consent_needs_it_to_be_explicit(actor: Actor, town: Any) -> None:
    party = make_party(actor)
    ProfileAttribute.objects.create(
        party=party,
        name="diagnosis",
        value="diabetes",
        sensitivity="sensitive",
        category="health",
        source_agency=town["salud"],
    )
    # Given by the person, but without saying so explicitly for health.
    implicit = forged(party, town["ayto"], ["health"], "consent")
    Consent.objects.filter(pk=implicit.pk).update(given_by="person")
    _key, secret = apikey_create(
        actor=OPERATOR,
        name="sensible",
        agency_code="ayto",
        scopes=[*READ, "parties:read_sensitive"],
    )
    town_hall = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    url = f"/api/v1/parties/{party.pk}/360?purpose=Valoración de la ayuda&sensitive=true"

    before = town_hall.get(url).json()["attributes"]
    consent_record(
        actor=actor,
        party_id=party.pk,
        purpose="Valoración de la dependencia",
        recipient_code="ayto",
        data_categories=["health"],
        channel="desk",
        explicit=True,
        evidence=signed_form(),
    )
    after = town_hall.get(url).json()["attributes"]

    assert before == []
    assert [a["name"] for a in after] == ["diagnosis"]
