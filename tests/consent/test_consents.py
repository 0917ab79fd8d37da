"""Consents: recorded at the desk or through the API with their evidence, shown in the 360° view,
withdrawn with effect at once, every step in the audit log."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import sign_in
from tests.factories import make_party
from ventanilla.access.actors import Actor
from ventanilla.audit.models import AuditEntry
from ventanilla.consent.models import Consent

pytestmark = pytest.mark.django_db


def post(client: Client, path: str, body: Any = None) -> Any:
    return client.post(path, json.dumps(body or {}), content_type="application/json")


CONSENT = {
    "purpose": "Ayuda al alquiler joven",
    "recipient": "salud",
    "data_categories": ["income", "address"],
    "channel": "desk",
}


def test_a_consent_is_recorded_with_its_evidence_and_shown_in_the_360_view(
    api: Client, actor: Actor
) -> None:
    party = make_party(actor)
    expires = (timezone.now() + timedelta(days=365)).isoformat()

    response = post(api, f"/api/v1/parties/{party.pk}/consents", {**CONSENT, "expires_at": expires})
    view = api.get(f"/api/v1/parties/{party.pk}/360").json()

    assert response.status_code == 201, response.content
    assert response.json()["recorded_by"] == "api:sede-electronica"
    assert [c["purpose"] for c in view["consents"]] == ["Ayuda al alquiler joven"]
    assert view["consents"][0]["data_categories"] == ["address", "income"]
    assert AuditEntry.objects.filter(action="consent.record", party_id=party.pk).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"recipient": "nowhere"}, "recipient"),
        ({"data_categories": ["shoe-size"]}, "data_categories"),
        ({"data_categories": []}, "data_categories"),
        ({"legal_basis": "whim"}, "legal_basis"),
        ({"expires_at": "2001-01-01T00:00:00Z"}, "expires_at"),
        ({"purpose": ""}, "purpose"),
    ],
)
def test_a_bad_consent_names_the_field_and_writes_nothing(
    api: Client, actor: Actor, change: dict[str, Any], field: str
) -> None:
    party = make_party(actor)

    response = post(api, f"/api/v1/parties/{party.pk}/consents", {**CONSENT, **change})

    assert response.status_code == 422, response.content
    assert field in [error["field"] for error in response.json()["errors"]]
    assert not Consent.objects.exists()


def test_a_withdrawal_takes_effect_at_once_and_cannot_be_repeated(
    api: Client, actor: Actor
) -> None:
    party = make_party(actor)
    consent = post(api, f"/api/v1/parties/{party.pk}/consents", CONSENT).json()

    first = post(api, f"/api/v1/consents/{consent['id']}/withdraw")
    second = post(api, f"/api/v1/consents/{consent['id']}/withdraw")

    assert first.status_code == 200
    assert not Consent.objects.get().in_force(timezone.now())
    assert second.status_code == 409
    assert AuditEntry.objects.filter(action="consent.withdraw").count() == 1


def test_staff_withdraw_a_consent_from_the_360_page(agent_user: Any, api: Client) -> None:
    from ventanilla.access.actors import actor_for_user

    party = make_party(actor_for_user(agent_user))
    post(api, f"/api/v1/parties/{party.pk}/consents", CONSENT)
    consent = Consent.objects.get()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, agent_user)

    page = client.get(f"/console/parties/{party.pk}/").content.decode()
    response = client.post(f"/console/consents/{consent.pk}/withdraw/", follow=True)

    assert "Ayuda al alquiler joven" in page
    assert "The consent was withdrawn." in response.content.decode()
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None


def test_at_the_desk_an_agent_records_a_consent_that_the_360_view_then_shows(
    actor: Actor, agent_user: Any
) -> None:
    party = make_party(actor)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(agent_user)
    url = f"/console/parties/{party.pk}/consents/new/"

    form = client.get(url)
    response = client.post(
        url,
        {
            "purpose": "Ayuda al alquiler joven",
            "recipient": "salud",
            "data_categories": ["income", "address"],
            "legal_basis": "consent",
            "channel": "phone",
            "expires": "2030-12-31",
        },
    )

    assert form.status_code == 200 and "Record a consent" in form.content.decode()
    assert response.status_code == 302
    consent = Consent.objects.get(party=party)
    assert (consent.channel_id, consent.recorded_by_label) == ("phone", "agente")
    assert consent.data_categories == ["address", "income"]
    assert timezone.localtime(consent.expires_at).date().isoformat() == "2030-12-31"
    page = client.get(f"/console/parties/{party.pk}/").content.decode()
    assert "Ayuda al alquiler joven" in page


def test_at_the_desk_a_bad_consent_form_says_what_to_fix_and_records_nothing(
    actor: Actor, agent_user: Any
) -> None:
    party = make_party(actor)
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(agent_user)

    response = client.post(
        f"/console/parties/{party.pk}/consents/new/",
        {"purpose": "", "recipient": "salud", "channel": "desk", "expires": "2001-01-01"},
    )

    body = response.content.decode()
    assert response.status_code == 422
    assert 'id="purpose-error"' in body and 'id="categories-error"' in body
    assert 'id="expires-error"' in body
    assert not Consent.objects.filter(party=party).exists()
