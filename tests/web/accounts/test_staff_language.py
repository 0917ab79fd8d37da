"""The language a member of staff reads the console in is remembered for what is written to them
later: their browser's when they sign in, and whatever they choose with the switch after."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import PASSWORD, sign_in
from ventanilla.access.models import StaffLanguage

pytestmark = pytest.mark.django_db


def remembered(user: Any) -> str | None:
    found = StaffLanguage.objects.filter(user=user).first()
    return found.language if found else None


def test_signing_in_with_an_english_browser_remembers_english(make_staff: Any) -> None:
    analyst = make_staff("analista", "ayto", "analyst")
    client = Client(HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")

    response = client.post("/accounts/login/", {"username": "analista", "password": PASSWORD})

    assert response.status_code == 302
    assert remembered(analyst) == "en"


def test_the_language_switch_remembers_the_choice_and_ignores_one_not_offered(
    make_staff: Any,
) -> None:
    analyst = make_staff("analista", "ayto", "analyst")
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="es"), analyst)

    client.post("/i18n/setlang/", {"language": "fr", "next": "/console/"})
    assert remembered(analyst) != "fr"
    chosen = client.post("/i18n/setlang/", {"language": "en", "next": "/console/"})

    assert chosen.status_code == 302 and chosen["Location"] == "/console/"
    assert remembered(analyst) == "en"
    assert "Dashboards" in client.get("/console/analytics/").content.decode()


def test_a_visitor_who_is_not_signed_in_switches_without_anything_remembered() -> None:
    response = Client().post("/i18n/setlang/", {"language": "en", "next": "/portal/"})

    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"
    assert not StaffLanguage.objects.exists()
