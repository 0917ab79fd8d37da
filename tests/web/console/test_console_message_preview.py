"""The message editor's preview flags a placeholder it does not know before anyone saves, with
the same words saving refuses it with."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.test import Client

from tests.conftest import sign_in
from ventanilla.notifications.models import NotificationTemplate

pytestmark = pytest.mark.django_db
ALLOWED = "Use {reference}, {service}, {status}, {text}, {due_date}, {link}."


@pytest.fixture
def supervisor(make_staff: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, make_staff("jefa", "ayto", "supervisor"))
    return client


def accepted_es() -> NotificationTemplate:
    return NotificationTemplate.objects.get(event="accepted", language="es", medium="email")


def body_error(response: Any) -> str:
    found = re.search(r'<p id="msg-body-error" class="error">(.*?)</p>', response.content.decode())
    assert found is not None, "no error beside the text"
    return html.unescape(found.group(1))


def test_the_preview_names_an_unknown_placeholder_and_lists_the_allowed_ones(
    supervisor: Client,
) -> None:
    template = accepted_es()
    before = template.body

    preview = supervisor.post(
        f"/console/messages/{template.pk}/",
        {"subject": "Aceptada", "body": "Su solicitud {refrence} avanza", "preview": "1"},
    )

    assert preview.status_code == 200
    assert body_error(preview) == f"Unknown placeholder: {{refrence}}. {ALLOWED}"
    assert 'aria-invalid="true"' in preview.content.decode()
    assert accepted_es().body == before


def test_saving_the_same_text_is_refused_with_the_same_message(supervisor: Client) -> None:
    template = accepted_es()
    form = {"subject": "Aceptada", "body": "Su solicitud {refrence} avanza"}

    preview = supervisor.post(f"/console/messages/{template.pk}/", {**form, "preview": "1"})
    saved = supervisor.post(f"/console/messages/{template.pk}/", {**form, "save": "1"})

    assert saved.status_code == 422
    assert body_error(saved) == body_error(preview)
    assert accepted_es().body != form["body"]


def test_an_unknown_placeholder_in_the_subject_is_flagged_beside_the_subject(
    supervisor: Client,
) -> None:
    template = accepted_es()

    preview = supervisor.post(
        f"/console/messages/{template.pk}/",
        {"subject": "Aceptada {expediente}", "body": "Su solicitud {reference}", "preview": "1"},
    )

    assert f"Unknown placeholder: {{expediente}}. {ALLOWED}" in html.unescape(
        preview.content.decode()
    )
    assert 'id="msg-subject-error"' in preview.content.decode()


def test_a_preview_of_known_placeholders_flags_nothing(supervisor: Client) -> None:
    template = accepted_es()

    preview = supervisor.post(
        f"/console/messages/{template.pk}/",
        {"subject": "Aceptada {reference}", "body": "Plazo: {due_date}. {link}", "preview": "1"},
    )

    assert preview.status_code == 200
    assert 'class="error"' not in preview.content.decode()


def test_the_preview_flags_the_placeholder_in_spanish_for_a_spanish_reader(
    make_staff: Any,
) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    sign_in(client, make_staff("jefa", "ayto", "supervisor"))
    template = accepted_es()

    preview = client.post(
        f"/console/messages/{template.pk}/",
        {"subject": "Aceptada", "body": "Su solicitud {refrence} avanza", "preview": "1"},
    )

    assert body_error(preview).startswith("Marcador desconocido: {refrence}.")
