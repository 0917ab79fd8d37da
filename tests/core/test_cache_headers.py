"""Answers that may carry personal data are never kept by a browser or a proxy: the API, the
console and the portal say ``Cache-Control: no-store``; static files keep their own caching."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import sign_in
from tests.factories import make_party
from ventanilla.access.actors import Actor

pytestmark = pytest.mark.django_db


def is_not_stored(response: Any) -> bool:
    return response["Cache-Control"] == "no-store" and response["Pragma"] == "no-cache"


def test_an_api_answer_with_personal_data_is_not_stored(api: Client, actor: Actor) -> None:
    party = make_party(actor)

    response = api.get(f"/api/v1/parties/{party.pk}")

    assert response.status_code == 200, response.content
    assert is_not_stored(response)


def test_an_api_problem_is_not_stored(api: Client) -> None:
    response = api.get("/api/v1/parties/00000000-0000-0000-0000-000000000000")

    assert response.status_code == 404
    assert is_not_stored(response)


def test_a_console_page_is_not_stored(agent_user: Any, actor: Actor) -> None:
    party = make_party(actor)
    client = sign_in(Client(), agent_user)

    response = client.get(f"/console/parties/{party.pk}/")

    assert response.status_code == 200
    assert is_not_stored(response)


def test_a_portal_page_is_not_stored(town: Any) -> None:
    response = Client().get("/portal/")

    assert response.status_code == 200
    assert is_not_stored(response)


def test_a_static_file_keeps_its_own_caching(town: Any) -> None:
    response = Client().get("/static/css/ventanilla.css")

    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
