"""Sensitive facts (health, disability, income, a minor's data) are shown only for a stated purpose
or an open case, to roles that handle them; every such reading is logged with its purpose."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import OPERATOR
from tests.factories import make_party
from ventanilla.access.actors import Actor
from ventanilla.access.services import apikey_create
from ventanilla.audit.models import AuditEntry
from ventanilla.cases.services import case_open
from ventanilla.catalog.models import PublicService
from ventanilla.parties.models import ProfileAttribute

pytestmark = pytest.mark.django_db

FRONT = ["parties:read", "cases:read", "interactions:read", "cases:write"]


def client_with(scopes: list[str], agency: str = "ayto") -> Client:
    _key, secret = apikey_create(
        actor=OPERATOR, name=f"k-{len(scopes)}-{agency}", agency_code=agency, scopes=scopes
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")


def with_facts(party: Any) -> Any:
    ProfileAttribute.objects.create(
        party=party, name="employment_status", value="employed", category="employment"
    )
    ProfileAttribute.objects.create(
        party=party,
        name="disability_degree",
        value=65,
        sensitivity="sensitive",
        category="disability",
    )
    return party


def names(view: dict[str, Any]) -> list[str]:
    return [attribute["name"] for attribute in view["attributes"]]


def test_sensitive_facts_are_held_back_when_no_purpose_is_given(actor: Actor) -> None:
    party = with_facts(make_party(actor))
    client = client_with([*FRONT, "parties:read_sensitive"])

    view = client.get(f"/api/v1/parties/{party.pk}/360").json()

    assert names(view) == ["employment_status"]
    assert view["withheld_sensitive"] == 1
    assert not AuditEntry.objects.filter(action="party.read_sensitive").exists()


def test_a_stated_purpose_shows_them_and_the_log_keeps_the_purpose(actor: Actor) -> None:
    party = with_facts(make_party(actor))
    client = client_with([*FRONT, "parties:read_sensitive"])
    purpose = "Valoración de la ayuda a la dependencia"

    view = client.get(
        f"/api/v1/parties/{party.pk}/360", {"purpose": purpose, "sensitive": "true"}
    ).json()

    assert names(view) == ["disability_degree", "employment_status"]
    assert view["withheld_sensitive"] == 0
    assert view["sensitive_purpose"] == purpose
    entry = AuditEntry.objects.get(action="party.read_sensitive", party_id=party.pk)
    assert entry.purpose == purpose
    assert entry.detail == {"attributes": ["disability_degree"]}


def test_a_vague_purpose_is_refused_naming_the_field(actor: Actor) -> None:
    party = with_facts(make_party(actor))
    client = client_with([*FRONT, "parties:read_sensitive"])

    response = client.get(
        f"/api/v1/parties/{party.pk}/360", {"purpose": "porque", "sensitive": "true"}
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "purpose"
    assert "at least 10 characters" in response.json()["detail"]
    assert not AuditEntry.objects.filter(action="party.read_sensitive").exists()


def test_a_role_without_sensitive_access_is_refused_even_with_a_purpose(actor: Actor) -> None:
    party = with_facts(make_party(actor))
    client = client_with(FRONT)

    response = client.get(
        f"/api/v1/parties/{party.pk}/360",
        {"purpose": "Quiero ver su discapacidad", "sensitive": "true"},
    )

    assert response.status_code == 403
    assert response.headers["Content-Type"] == "application/problem+json"
    denied = AuditEntry.objects.get(action="access.denied", party_id=party.pk)
    assert denied.detail == {"scope": "parties:read_sensitive"}


def needing(service: Any, *categories: str) -> Any:
    """The service as the catalogue declares it: these kinds of data are needed to handle it."""
    PublicService.objects.filter(pk=service.pk).update(data_categories=list(categories))
    return service


def test_an_open_case_of_the_actors_department_gives_the_purpose(
    actor: Actor, service: Any
) -> None:
    party = with_facts(make_party(actor))
    needing(service, "disability")
    case = case_open(actor=actor, party_id=party.pk, service_code=service.code, channel="desk")
    client = client_with([*FRONT, "parties:read_sensitive"])

    view = client.get(f"/api/v1/parties/{party.pk}/360").json()

    assert "disability_degree" in names(view)
    assert view["sensitive_purpose"] == f"case {case.reference}"
    assert AuditEntry.objects.get(action="party.read_sensitive").purpose == f"case {case.reference}"


def test_an_open_case_opens_only_the_categories_its_service_needs(
    actor: Actor, service: Any
) -> None:
    party = with_facts(make_party(actor))
    ProfileAttribute.objects.create(
        party=party, name="diagnosis", value="diabetes", sensitivity="sensitive", category="health"
    )
    needing(service, "disability")
    case_open(actor=actor, party_id=party.pk, service_code=service.code, channel="desk")

    view = (
        client_with([*FRONT, "parties:read_sensitive"])
        .get(f"/api/v1/parties/{party.pk}/360")
        .json()
    )

    assert names(view) == ["disability_degree", "employment_status"]
    assert view["withheld_sensitive"] == 1
    logged = AuditEntry.objects.get(action="party.read_sensitive")
    assert logged.detail["attributes"] == ["disability_degree"]


def test_an_open_case_of_a_service_needing_no_sensitive_data_opens_none(
    actor: Actor, service: Any
) -> None:
    party = with_facts(make_party(actor))
    case_open(actor=actor, party_id=party.pk, service_code=service.code, channel="desk")

    view = (
        client_with([*FRONT, "parties:read_sensitive"])
        .get(f"/api/v1/parties/{party.pk}/360")
        .json()
    )

    assert names(view) == ["employment_status"]
    assert view["withheld_sensitive"] == 1
    assert not AuditEntry.objects.filter(action="party.read_sensitive").exists()


def test_an_open_case_does_not_open_them_to_a_role_without_sensitive_access(
    actor: Actor, service: Any
) -> None:
    party = with_facts(make_party(actor))
    case_open(actor=actor, party_id=party.pk, service_code=service.code, channel="desk")

    view = client_with(FRONT).get(f"/api/v1/parties/{party.pk}/360").json()

    assert names(view) == ["employment_status"]
    assert view["withheld_sensitive"] == 1


def test_a_minors_personal_facts_count_as_sensitive(actor: Actor) -> None:
    today = timezone.localdate()
    child = make_party(actor, birth_date=date(today.year - 9, 1, 1))
    ProfileAttribute.objects.create(
        party=child, name="school", value="CEIP Río", category="education"
    )
    ProfileAttribute.objects.create(
        party=child, name="nationality", value="ES", sensitivity="public", category="identity"
    )

    view = client_with([*FRONT, "parties:read_sensitive"]).get(f"/api/v1/parties/{child.pk}/360")

    assert names(view.json()) == ["nationality"]
    assert view.json()["withheld_sensitive"] == 1


def test_the_console_tells_an_agent_what_is_held_back_and_to_hand_over(
    actor: Actor, agent_user: Any
) -> None:
    party = with_facts(make_party(actor))
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(agent_user)

    body = client.get(f"/console/parties/{party.pk}/").content.decode()

    assert "1 sensitive fact is held back." in body
    assert "hand the matter to a case worker" in body
    # Neither the fact nor its value (65) is in the profile; the random birth date may hold "65".
    profile = body.split("held back")[0].split("Profile")[-1]
    assert "degree of disability" not in profile
    assert not re.search(r"<dd>\s*65\s*%?\s*</dd>", profile)


def test_a_purpose_stated_without_asking_for_sensitive_facts_is_simply_recorded(
    actor: Actor,
) -> None:
    party = with_facts(make_party(actor))

    view = client_with(FRONT).get(
        f"/api/v1/parties/{party.pk}/360", {"purpose": "Atención en ventanilla"}
    )

    assert view.status_code == 200 and view.json()["withheld_sensitive"] == 1
    entry = AuditEntry.objects.get(
        action="party.view_360", party_id=party.pk, actor__startswith="api"
    )
    assert entry.purpose == "Atención en ventanilla"


def test_in_the_console_a_case_worker_states_a_purpose_and_sees_them(
    actor: Actor, make_staff: Any
) -> None:
    from tests.conftest import sign_in

    party = with_facts(make_party(actor))
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, make_staff("tramitadora", "ayto", "case_worker"))
    url = f"/console/parties/{party.pk}/"

    before = client.get(url).content.decode()
    vague = client.get(url, {"sensitive": "1", "purpose": "ver"}).content.decode()
    shown = client.get(url, {"sensitive": "1", "purpose": "Valoración de dependencia"})

    assert "Why do you need them?" in before and "degree of disability" not in before
    assert 'id="purpose-error"' in vague and "degree of disability" not in vague
    assert "Recognised degree of disability" in shown.content.decode()
    assert "Sensitive data shown for: Valoración de dependencia" in shown.content.decode()
