"""A citizen signs in to the portal with the national eID, through a provider running on
127.0.0.1: in Spanish on a desktop as someone not on record yet, in English at phone width as a
person on record; by keyboard."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import fits_the_screen
from tests.factories import make_party, valid_dni
from tests.oidc_provider import Provider
from ventanilla.access.actors import Actor
from ventanilla.parties.models import Identifier, Party
from ventanilla.parties.services import IdentifierInput

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def provider(settings: Any) -> Iterator[Provider]:
    with Provider() as running:
        settings.VENTANILLA_OIDC_ISSUER = running.issuer
        settings.VENTANILLA_OIDC_CLIENT_ID = running.client_id
        settings.VENTANILLA_OIDC_CLIENT_SECRET = running.client_secret
        yield running


def claims(dni: str, given: str, family: str) -> dict[str, str]:
    return {"sub": f"sub-{dni}", "dni": dni, "given_name": given, "family_name": family}


def focus_link_by_tab(page: Any, name: str) -> None:
    link = page.get_by_role("link", name=name)
    for _ in range(30):
        page.keyboard.press("Tab")
        if link.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"the link {name!r} cannot be reached with Tab")


def test_someone_not_on_record_signs_in_with_cl_ave_and_is_registered(
    page: Any, live_server: Any, provider: Provider
) -> None:
    dni = valid_dni()
    provider.person = claims(dni, "Íñigo", "del Río Sanz")
    page.goto(f"{live_server.url}/portal/sign-in/")

    focus_link_by_tab(page, "Identifíquese con Cl@ve")
    page.keyboard.press("Enter")

    page.wait_for_url(f"{live_server.url}/portal/me/")
    assert page.get_by_text("Le hemos dado de alta con su identidad electrónica").is_visible()
    assert "Íñigo del Río Sanz" in page.get_by_role("heading", level=1).inner_text()
    party = Party.objects.get(identifiers__value=dni)
    assert (party.family_name_1, party.family_name_2) == ("del Río", "Sanz")


def test_a_person_on_record_signs_in_with_cl_ave_in_english_at_phone_width(
    phone_page: Any, live_server: Any, provider: Provider
) -> None:
    page = phone_page
    dni = valid_dni()
    party = make_party(
        Actor(label="test:operator", sees_everything=True),
        given_name="Ana",
        preferred_language="en",
        identifiers=[IdentifierInput(scheme="dni", value=dni)],
    )
    provider.person = claims(dni, "Ana", party.family_name_1)
    page.goto(f"{live_server.url}/portal/me/cases/")
    page.wait_for_url(f"{live_server.url}/portal/sign-in/")

    focus_link_by_tab(page, "Sign in with Cl@ve")
    page.keyboard.press("Enter")

    page.wait_for_url(f"{live_server.url}/portal/me/cases/")
    assert fits_the_screen(page)
    assert Identifier.objects.get(party=party).verified is True
