"""Supervisors edit what citizens are told, with a preview; a typo in a placeholder is caught
before any citizen sees it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import sign_in
from tests.factories import make_party
from ventanilla.access.actors import Actor
from ventanilla.cases.notifications import notify_case
from ventanilla.cases.services import case_open
from ventanilla.catalog.models import PublicService
from ventanilla.notifications.models import NotificationTemplate
from ventanilla.parties.services import ContactPointInput

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor(make_staff: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, make_staff("jefa", "ayto", "supervisor"))
    return client


def accepted_es() -> NotificationTemplate:
    return NotificationTemplate.objects.get(event="accepted", language="es", medium="email")


def test_a_supervisor_changes_a_message_and_the_next_citizen_reads_it(
    supervisor: Client, actor: Actor, service: PublicService
) -> None:
    template = accepted_es()
    url = f"/console/messages/{template.pk}/"
    body = "Hola. Su solicitud {reference} ya está en manos de {service}. {link}"

    listed = supervisor.get("/console/messages/")
    form = {"subject": "Aceptada {reference}", "body": body, "active": "on"}
    preview = supervisor.post(url, {**form, "preview": "1"})
    saved = supervisor.post(url, {**form, "save": "1"})

    assert listed.status_code == 200 and url in listed.content.decode()
    assert "AY-2026-000123" in preview.content.decode()
    assert saved.status_code == 302
    assert accepted_es().body == body
    party = make_party(actor, contact_points=[ContactPointInput("email", "ana@example.es")])
    case = case_open(actor=actor, party_id=party.pk, service_code=service.code, channel="web")
    [message] = notify_case(case=case, event="accepted")
    assert message.subject == f"Aceptada {case.reference}"
    assert message.body.startswith(f"Hola. Su solicitud {case.reference} ya está en manos de")


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("Su solicitud {refrence} avanza", "Unknown placeholder: {refrence}"),
        ("", "Write the message."),
    ],
)
def test_a_broken_message_is_refused_and_nothing_changes(
    supervisor: Client, body: str, error: str
) -> None:
    template = accepted_es()
    before = template.body

    response = supervisor.post(
        f"/console/messages/{template.pk}/", {"subject": "Aceptada", "body": body, "save": "1"}
    )

    assert response.status_code == 422
    assert error in response.content.decode()
    assert accepted_es().body == before


def test_an_sms_stays_short(supervisor: Client) -> None:
    sms = NotificationTemplate.objects.get(event="accepted", language="es", medium="sms")

    response = supervisor.post(
        f"/console/messages/{sms.pk}/", {"body": "x" * 321, "active": "on", "save": "1"}
    )

    assert response.status_code == 422
    assert "An SMS holds at most 320 characters." in response.content.decode()


def test_front_line_agents_may_not_change_the_messages(make_staff: Any) -> None:
    client = Client()
    sign_in(client, make_staff("agente2", "ayto", "agent"))
    template = accepted_es()

    response = client.post(
        f"/console/messages/{template.pk}/", {"subject": "x", "body": "y", "save": "1"}
    )

    assert response.status_code == 403
    assert accepted_es().body != "y"
