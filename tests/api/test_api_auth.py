"""Who may call the API: keys with scopes, staff sessions with CSRF, nobody else."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.conftest import OPERATOR, PASSWORD, sign_in
from ventanilla.access.services import apikey_create, apikey_revoke
from ventanilla.parties.models import Party

pytestmark = pytest.mark.django_db

PERSON = {"given_name": "Ana", "family_name_1": "Ruiz"}


def post(client: Client, body: Any, **extra: Any) -> Any:
    return client.post(
        "/api/v1/parties", json.dumps(body), content_type="application/json", **extra
    )


def test_a_call_without_credentials_is_told_how_to_authenticate(town: Any) -> None:
    response = Client().get("/api/v1/parties", {"q": "ana"})

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["type"] == "urn:ventanilla:problem:not-authenticated"


def test_an_unknown_key_is_refused(town: Any) -> None:
    client = Client(HTTP_AUTHORIZATION="Bearer vk_not-a-real-key")

    assert client.get("/api/v1/parties", {"q": "ana"}).status_code == 401


def test_a_revoked_key_is_refused_at_once(town: Any) -> None:
    key, secret = apikey_create(
        actor=OPERATOR, name="x", agency_code="ayto", scopes=["parties:read"]
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get("/api/v1/parties", {"q": "ana"}).status_code == 200

    apikey_revoke(actor=OPERATOR, prefix=key.prefix)

    assert client.get("/api/v1/parties", {"q": "ana"}).status_code == 401


def test_a_key_without_the_write_scope_cannot_register_and_writes_nothing(town: Any) -> None:
    _, secret = apikey_create(actor=OPERATOR, name="x", agency_code="ayto", scopes=["parties:read"])

    response = post(Client(HTTP_AUTHORIZATION=f"Bearer {secret}"), PERSON)

    assert response.status_code == 403
    assert response.json()["type"] == "urn:ventanilla:problem:permission-denied"
    assert not Party.objects.exists()


def test_a_staff_session_reads_and_writes_with_the_csrf_token(agent_user: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    sign_in(client, agent_user)
    client.get("/console/")  # the page sets the CSRF cookie
    token = client.cookies["csrftoken"].value

    without_token = post(client, PERSON)
    with_token = post(client, PERSON, HTTP_X_CSRFTOKEN=token)

    assert client.get("/api/v1/parties", {"q": "ana"}).status_code == 200
    assert without_token.status_code in {401, 403}
    assert with_token.status_code == 201
    assert Party.objects.count() == 1


def test_a_signed_in_user_who_belongs_to_no_agency_is_not_let_in(town: Any) -> None:
    get_user_model().objects.create_user(username="visitante", password=PASSWORD)
    client = Client()
    sign_in(client, "visitante")

    assert client.get("/api/v1/parties", {"q": "ana"}).status_code == 401
