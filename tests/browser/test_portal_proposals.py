"""Supporting a proposal in the portal at phone width, by keyboard, in Spanish and in English: a
registered resident signs in from the proposal's page, comes back to it, supports it, and reads
the count go up and the thanks in their language."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext, ngettext

from tests.browser.conftest import _close_checked, checked_context
from tests.factories import make_party
from tests.jobs import run_queued_jobs
from tests.proposals.conftest import publish
from ventanilla.access.actors import actor_for_citizen, actor_for_user
from ventanilla.interactions.models import Interaction
from ventanilla.parties.services import ContactPointInput, IdentifierInput
from ventanilla.proposals.models import Proposal, Support

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = 390
DNI = "12345678Z"
EMAIL = "ines.soto@example.org"
LINK = re.compile(r"https?://\S+/portal/sign-in/[A-Za-z0-9_-]+/")
# The sign-in page's words, already translated in the catalogue.
SIGN_IN = {
    "es": ("DNI o NIE", "Correo electrónico", "Entrar y ver mis datos"),
    "en": ("DNI or NIE", "Email address", "Sign in and see my data"),
}


@pytest.fixture(params=["es", "en"])
def language(request: Any) -> str:
    return str(request.param)


@pytest.fixture
def phone(browser: Any, language: str) -> Iterator[Any]:
    context, report = checked_context(
        browser,
        locale="es-ES" if language == "es" else "en-GB",
        viewport={"width": PHONE, "height": 800},
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    yield page
    _close_checked(context, page, report)


def words(language: str, text: str) -> str:
    with translation.override(language):
        return gettext(text)


def test_a_resident_supports_a_proposal_by_keyboard_on_a_phone(
    phone: Any, language: str, live_server: Any, town: Any, agent_user: Any, mailoutbox: Any
) -> None:
    cache.clear()  # no sign-in throttle left over from another test
    registrar = actor_for_user(agent_user)
    resident = make_party(
        registrar,
        birth_date=date(1985, 4, 2),
        identifiers=[IdentifierInput(scheme="dni", value=DNI)],
        contact_points=[
            ContactPointInput(kind="email", value=EMAIL),
            ContactPointInput(kind="postal", value="Calle Mayor 3", district="Centro"),
        ],
    )
    author = make_party(
        registrar,
        contact_points=[ContactPointInput(kind="postal", value="Plaza 1", district="Centro")],
    )
    proposal = publish(actor_for_citizen(author), town)
    page = phone
    dni, email, enter = SIGN_IN[language]

    page.goto(f"{live_server.url}/portal/proposals/")
    assert page.evaluate("document.documentElement.lang").startswith(language)
    page.get_by_role("link", name=proposal.title).focus()
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=proposal.title).wait_for()
    page.get_by_test_id("support-sign-in").focus()
    page.keyboard.press("Enter")
    page.get_by_label(dni).fill(DNI)
    page.get_by_label(email).fill(EMAIL)
    page.get_by_label(email).press("Enter")
    page.get_by_test_id("sign-in-sent").wait_for()
    run_queued_jobs()
    found = LINK.search(mailoutbox[-1].body)
    assert found, mailoutbox[-1].body
    page.goto(found.group(0))
    page.get_by_role("button", name=enter).press("Enter")

    page.get_by_role("heading", name=proposal.title).wait_for()  # back where they started
    count = page.get_by_test_id("supports-count")
    with translation.override(language):
        assert count.inner_text().startswith("0 ")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    button = page.get_by_test_id("support-button")
    assert button.inner_text() == words(language, "Support this proposal")
    button.focus()
    page.keyboard.press("Enter")

    page.get_by_test_id("support-given").wait_for()
    assert count.inner_text().startswith("1 ")
    with translation.override(language):
        thanks = ngettext(
            "Thank you: your support is counted. The proposal now has %(n)d support.",
            "Thank you: your support is counted. The proposal now has %(n)d supports.",
            1,
        ) % {"n": 1}
    assert page.get_by_role("status").inner_text() == thanks
    assert page.get_by_test_id("support-given").inner_text() == words(
        language, "You support this proposal."
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    assert Proposal.objects.get(pk=proposal.pk).supports_count == 1
    assert Support.objects.filter(proposal=proposal, party=resident).exists()
    assert Interaction.objects.filter(party=resident, relationship="participation").count() == 1
