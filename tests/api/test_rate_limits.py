"""Rate limits of the API: each key gets so many calls a minute, then 429 with Retry-After;
other keys and the next minute are unaffected. Runs on the local-memory cache and, with
REDIS_URL set, on Redis, where every process counts together."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from freezegun import freeze_time

from tests.conftest import OPERATOR
from ventanilla.access.models import ApiKey
from ventanilla.access.services import apikey_create
from ventanilla.api.urls import api

# The API's schemas are built before the clock is frozen (pydantic cannot type a fake datetime).
assert api.urls

pytestmark = pytest.mark.django_db

# A moment 20 seconds into a minute, so a test never straddles two windows.
START = datetime.fromisoformat("2026-03-02T10:15:20+00:00")


def key_client(rate: int | None = None) -> Client:
    _key, secret = apikey_create(
        actor=OPERATOR,
        name=f"k-{secrets.token_hex(3)}",
        agency_code="ayto",
        scopes=["parties:read"],
        rate_per_minute=rate,
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def search(client: Client, **extra: Any) -> Any:
    return client.get("/api/v1/parties", {"q": "ana"}, **extra)


def test_a_key_makes_its_calls_then_is_told_to_wait(town: Any) -> None:
    client = key_client(rate=3)

    with freeze_time(START):
        answers = [search(client) for _ in range(3)]
        refused = search(client, HTTP_ACCEPT_LANGUAGE="en")

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a["RateLimit-Remaining"] for a in answers] == ["2", "1", "0"]
    assert answers[0]["RateLimit-Limit"] == "3"
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert refused["Retry-After"] == "40"
    body = refused.json()
    assert body["type"] == "urn:ventanilla:problem:rate-limited"
    assert body["title"] == "Too many requests."
    assert "3" in body["detail"]


def test_the_refusal_speaks_spanish_to_a_spanish_caller(town: Any) -> None:
    client = key_client(rate=1)

    with freeze_time(START):
        search(client)
        refused = search(client, HTTP_ACCEPT_LANGUAGE="es")

    assert refused.status_code == 429
    assert refused.json()["title"] == "Demasiadas peticiones."


def test_another_key_is_not_held_back_by_a_busy_one(town: Any) -> None:
    busy, quiet = key_client(rate=1), key_client(rate=1)

    with freeze_time(START):
        search(busy)
        assert search(busy).status_code == 429
        answer = search(quiet)

    assert answer.status_code == 200


def test_the_next_minute_opens_a_new_window(town: Any) -> None:
    client = key_client(rate=1)

    with freeze_time(START) as clock:
        search(client)
        assert search(client).status_code == 429
        clock.tick(40)
        answer = search(client)

    assert answer.status_code == 200


def test_a_key_without_its_own_limit_gets_the_instance_default(town: Any, settings: Any) -> None:
    settings.VENTANILLA_API_RATE_PER_MINUTE = 2
    client = key_client()

    with freeze_time(START):
        codes = [search(client).status_code for _ in range(3)]

    assert codes == [200, 200, 429]


def test_calls_without_a_key_are_limited_per_address(town: Any, settings: Any) -> None:
    settings.VENTANILLA_API_ANONYMOUS_RATE_PER_MINUTE = 2
    here = {"REMOTE_ADDR": f"2001:db8::{secrets.token_hex(2)}"}
    elsewhere = {"REMOTE_ADDR": f"2001:db8::1:{secrets.token_hex(2)}"}
    client = Client()

    with freeze_time(START):
        codes = [client.get("/api/v1/catalog/channels", **here).status_code for _ in range(3)]
        other = client.get("/api/v1/catalog/channels", **elsewhere)

    assert codes == [200, 200, 429]
    assert other.status_code == 200


def test_guessing_keys_counts_against_the_address(town: Any, settings: Any) -> None:
    settings.VENTANILLA_API_ANONYMOUS_RATE_PER_MINUTE = 2
    address = {"REMOTE_ADDR": f"2001:db8::2:{secrets.token_hex(2)}"}
    client = Client(HTTP_AUTHORIZATION="Bearer vk_guess")

    with freeze_time(START):
        codes = [search(client, **address).status_code for _ in range(3)]

    assert codes == [401, 401, 429]


def test_the_console_is_not_rate_limited_as_the_api_is(town: Any, settings: Any) -> None:
    settings.VENTANILLA_API_ANONYMOUS_RATE_PER_MINUTE = 1
    address = {"REMOTE_ADDR": f"2001:db8::3:{secrets.token_hex(2)}"}

    with freeze_time(START):
        codes = [Client().get("/accounts/login/", **address).status_code for _ in range(3)]

    assert codes == [200, 200, 200]


def test_the_command_gives_a_key_its_own_limit(town: Any, capsys: Any) -> None:
    call_command(
        "apikey", "create", "--name", "padron", "--agency", "ayto",
        "--scopes", "parties:read", "--rate", "30",
    )  # fmt: skip

    assert ApiKey.objects.get(name="padron").rate_per_minute == 30
    call_command("apikey", "list")
    assert "30/min" in capsys.readouterr().out
