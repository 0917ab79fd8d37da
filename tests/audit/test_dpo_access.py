"""Only data-protection officers (and administrators) read the audit log, in the API and the
console alike; front-line staff are refused, and the refusal is itself recorded."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import OPERATOR, sign_in
from tests.factories import make_party
from ventanilla.access.actors import Actor
from ventanilla.access.services import apikey_create
from ventanilla.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def signed_in(username: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, username)
    return client


def test_the_dpo_sees_who_looked_at_a_citizen_and_when(
    api: Client, actor: Actor, make_staff: Any
) -> None:
    party = make_party(actor)
    api.get(f"/api/v1/parties/{party.pk}/360")
    make_staff("dpd", "villanueva", "dpo")

    entries = signed_in("dpd").get("/api/v1/audit/entries", {"party_id": str(party.pk)}).json()

    actions = [(e["actor"], e["action"]) for e in entries["items"]]
    assert actions == [("api:sede-electronica", "party.view_360"), ("agente", "party.create")]


def test_the_dpo_sees_what_one_member_of_staff_looked_at(actor: Actor, make_staff: Any) -> None:
    party = make_party(actor)
    signed_in("agente").get(f"/console/parties/{party.pk}/")
    make_staff("dpd", "villanueva", "dpo")

    page = signed_in("dpd").get("/console/audit/", {"actor": "agente"})

    body = page.content.decode()
    assert page.status_code == 200
    assert "Opened the 360° view" in body
    assert "Registered a party" in body


def test_an_agent_may_not_read_the_audit_log_and_the_attempt_is_recorded(
    agent_user: Any,
) -> None:
    client = signed_in("agente")

    api = client.get("/api/v1/audit/entries")
    page = client.get("/console/audit/")

    assert api.status_code == 403
    assert page.status_code == 403
    assert AuditEntry.objects.filter(action="access.denied", actor="agente").count() == 2


def test_an_application_needs_the_audit_scope(town: Any) -> None:
    _, plain = apikey_create(
        actor=OPERATOR, name="portal", agency_code="ayto", scopes=["parties:read"]
    )
    _, auditor = apikey_create(
        actor=OPERATOR, name="dpo-tool", agency_code="villanueva", scopes=["audit:read"]
    )

    refused = Client(HTTP_AUTHORIZATION=f"Bearer {plain}").get("/api/v1/audit/entries")
    allowed = Client(HTTP_AUTHORIZATION=f"Bearer {auditor}").get("/api/v1/audit/entries")

    assert refused.status_code == 403
    assert allowed.status_code == 200


def test_reading_the_audit_log_is_itself_in_the_log(make_staff: Any) -> None:
    make_staff("dpd", "villanueva", "dpo")

    signed_in("dpd").get("/api/v1/audit/entries")

    assert AuditEntry.objects.filter(action="audit.read", actor="dpd").exists()


def test_a_mistyped_person_id_is_an_error_not_the_whole_log(actor: Actor, make_staff: Any) -> None:
    make_party(actor)
    make_staff("dpd", "villanueva", "dpo")
    client = signed_in("dpd")

    page = client.get("/console/audit/", {"party": "12345678Z"})

    body = page.content.decode()
    assert page.status_code == 422
    assert "This is not a person&#x27;s identifier in Ventanilla." in body
    assert 'aria-invalid="true"' in body
    assert 'data-testid="audit-entry"' not in body
    assert not AuditEntry.objects.filter(action="audit.read").exists()
