"""The mail gateway's door: a raw message over real HTTP with a key holding ``mail:receive``;
any other key or a session is refused with a problem and nothing stored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.conftest import OPERATOR
from ventanilla.access.services import apikey_create
from ventanilla.catalog.models import Agency
from ventanilla.mail.models import InboundMessage

pytestmark = pytest.mark.django_db

MESSAGES = Path(__file__).parent / "messages"
URL = "/api/v1/mail/messages"


@pytest.fixture
def gateway(town: dict[str, Agency], settings: Any) -> Client:
    settings.VENTANILLA_TRIAGE_DEPARTMENT = "ayto"
    settings.VENTANILLA_MAIL_SERVICE = ""
    _key, secret = apikey_create(
        actor=OPERATOR, name="pasarela-correo", agency_code="ayto", scopes=["mail:receive"]
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def post(client: Client, raw: bytes, content_type: str = "message/rfc822") -> Any:
    return client.generic("POST", URL, raw, content_type=content_type)


def test_a_gateway_delivers_a_fax_and_it_is_kept_on_the_senders_history(gateway: Client) -> None:
    response = post(gateway, (MESSAGES / "fax_to_mail.eml").read_bytes())

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "needs_person" and body["duplicate"] is False
    message = InboundMessage.objects.get(pk=body["id"])
    assert message.source == InboundMessage.Source.GATEWAY
    assert message.delivered_by == "api:pasarela-correo"
    assert message.interaction is not None


def test_delivering_the_same_message_again_is_safe(gateway: Client) -> None:
    raw = (MESSAGES / "multipart_alternative.eml").read_bytes()
    first = post(gateway, raw)

    again = post(gateway, raw)

    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"] and again.json()["duplicate"] is True
    assert InboundMessage.objects.count() == 1


def test_an_unreadable_message_is_still_accepted_and_kept(gateway: Client) -> None:
    response = post(gateway, (MESSAGES / "broken.eml").read_bytes())

    assert response.status_code == 201
    assert response.json()["state"] == "needs_person"


def test_a_key_without_the_mail_scope_is_refused_and_nothing_is_stored(api: Client) -> None:
    response = post(api, (MESSAGES / "multipart_alternative.eml").read_bytes())

    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/problem+json")
    assert not InboundMessage.objects.exists()


def test_a_body_that_is_not_a_message_is_refused_in_the_callers_language(
    gateway: Client,
) -> None:
    response = gateway.post(
        URL, {"text": "hola"}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="es"
    )

    assert response.status_code == 415
    assert response["Content-Type"].startswith("application/problem+json")
    assert "Envíe el mensaje tal cual" in response.json()["detail"]
    assert not InboundMessage.objects.exists()


def test_an_empty_message_is_refused(gateway: Client) -> None:
    response = post(gateway, b"  \r\n")

    assert response.status_code == 422
    assert not InboundMessage.objects.exists()


def test_a_message_larger_than_the_limit_is_refused(gateway: Client, settings: Any) -> None:
    settings.VENTANILLA_MAX_UPLOAD_BYTES = 100

    response = post(gateway, (MESSAGES / "fax_to_mail.eml").read_bytes())

    assert response.status_code == 413
    assert not InboundMessage.objects.exists()
