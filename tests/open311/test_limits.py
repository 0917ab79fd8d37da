"""The Open311 door counts calls as the API does: reads per client address, posts per key."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from freezegun import freeze_time

from ventanilla.access.actors import Actor
from ventanilla.access.services import apikey_create

pytestmark = pytest.mark.django_db

OPERATOR = Actor(label="command:operator", sees_everything=True)
# 20 seconds into a minute, so a test never straddles two windows.
START = datetime.fromisoformat("2026-03-02T10:15:20+00:00")


@pytest.fixture(autouse=True)
def _empty_counters() -> None:
    cache.clear()


@override_settings(VENTANILLA_API_ANONYMOUS_RATE_PER_MINUTE=2)
def test_reads_from_one_address_are_limited_then_told_when_to_come_back(town: Any) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    with freeze_time(START):
        first, second, third = (client.get("/open311/v2/services.xml") for _ in range(3))

    assert (first.status_code, second.status_code, third.status_code) == (200, 200, 429)
    assert third["Retry-After"] == "40"
    assert b"<errors><error><code>429</code>" in third.content


def test_posts_count_against_the_keys_own_limit(town: Any) -> None:
    _key, secret = apikey_create(
        actor=OPERATOR,
        name="app-lenta",
        agency_code="ayto",
        scopes=["open311:post"],
        rate_per_minute=1,
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    with freeze_time(START):
        answers = [client.post("/open311/v2/requests.json", {"api_key": secret}) for _ in range(2)]

    # The first is refused for what it lacks, the second for being one too many.
    assert [a.status_code for a in answers] == [400, 429]
    assert answers[1].json()[0]["code"] == 429
