"""A citizen asks for a sign-in link, opens it from the email, sees and withdraws a consent, and
reads who has used their data — in Spanish on a desktop, in English at phone width."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache

from tests.factories import make_party, signed_form
from tests.jobs import run_queued_jobs
from ventanilla.access.actors import actor_for_user
from ventanilla.citizen360.selectors import party_360
from ventanilla.consent.services import consent_record
from ventanilla.parties.models import Party
from ventanilla.parties.services import ContactPointInput, IdentifierInput

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

DNI = "12345678Z"
EMAIL = "mjose.nunez@example.org"
LINK = re.compile(r"https?://\S+/portal/sign-in/[A-Za-z0-9_-]+/")


@pytest.fixture
def citizen(make_staff: Any) -> Party:
    cache.clear()  # no throttle left over from another test
    agent = actor_for_user(make_staff("jperez", "ayto", "agent"))
    party = make_party(
        agent,
        given_name="María José",
        family_name_1="Núñez",
        family_name_2="Ibáñez",
        identifiers=[IdentifierInput(scheme="dni", value=DNI)],
        contact_points=[ContactPointInput(kind="email", value=EMAIL)],
    )
    for purpose, recipient in [("Ayuda al alquiler joven", "salud"), ("Beca comedor", "padron")]:
        consent_record(
            actor=agent,
            party_id=party.pk,
            purpose=purpose,
            recipient_code=recipient,
            data_categories=["income"],
            channel="desk",
            evidence=signed_form(),
        )
    party_360(actor=agent, party_id=party.pk, purpose="Atención en ventanilla")
    return party


def open_emailed_link(page: Any, mailoutbox: list[Any]) -> None:
    page.get_by_test_id("sign-in-sent").wait_for()
    run_queued_jobs()  # the worker emails the link (and the consent notices queued before)
    links = [(m.to, found.group(0)) for m in mailoutbox if (found := LINK.search(m.body))]
    assert len(links) == 1 and links[0][0] == [EMAIL], [m.body for m in mailoutbox]
    page.goto(links[0][1])


def test_a_citizen_signs_in_by_email_withdraws_a_consent_and_sees_who_used_their_data(
    page: Any, live_server: Any, citizen: Party, mailoutbox: list[Any]
) -> None:
    page.goto(f"{live_server.url}/portal/")
    page.get_by_role("link", name="Entre para ver sus datos").click()
    page.get_by_label("DNI o NIE").fill(DNI)
    page.get_by_label("Correo electrónico").fill(EMAIL)
    page.get_by_role("button", name="Envíenme un enlace para entrar").click()
    open_emailed_link(page, mailoutbox)
    page.get_by_role("button", name="Entrar y ver mis datos").click()

    page.get_by_role("heading", name="Mis datos").wait_for()
    consents = page.get_by_test_id("consent")
    assert consents.count() == 2
    page.get_by_role("link", name="Retirar Beca comedor").click()
    page.get_by_role("button", name="Sí, retírelo").click()
    page.get_by_role("heading", name="Mis datos").wait_for()
    withdrawn = consents.filter(has_text="Beca comedor")
    assert "Retirado" in withdrawn.inner_text()
    assert "Retirar" not in withdrawn.inner_text()

    page.get_by_role("link", name="Quién ha usado mis datos").click()
    rows = page.get_by_test_id("disclosure")
    rows.first.wait_for()
    text = page.inner_text("main")
    assert "Abrió la vista 360°" in text
    assert "Ayuntamiento" in text
    assert "Atención en ventanilla" in text
    assert "jperez" not in text
    assert "Retiró un consentimiento" not in text  # her own withdrawal is hers, not a disclosure


def test_the_portal_sign_in_works_in_english_at_phone_width_by_keyboard(
    phone_page: Any, live_server: Any, citizen: Party, mailoutbox: list[Any]
) -> None:
    page = phone_page
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(f"{live_server.url}/portal/sign-in/")
    page.get_by_label("DNI or NIE").fill(DNI.lower())
    page.get_by_label("Email address").fill(EMAIL.upper())
    page.get_by_label("Email address").press("Enter")
    open_emailed_link(page, mailoutbox)
    page.get_by_role("button", name="Sign in and see my data").focus()
    page.keyboard.press("Enter")

    page.get_by_role("heading", name="My data").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.get_by_role("link", name="Withdraw Ayuda al alquiler joven").focus()
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Yes, withdraw it").focus()
    page.keyboard.press("Enter")
    page.get_by_text("Your consent was withdrawn").wait_for()

    page.get_by_role("link", name="Who has used my data").click()
    page.get_by_test_id("disclosure").first.wait_for()
    assert "Town hall" in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    page.get_by_role("button", name="Sign out").click()
    page.goto(f"{live_server.url}/portal/me/")
    page.get_by_role("heading", name="Sign in to see your data").wait_for()
    assert violations == []


def test_a_citizen_gives_a_consent_in_english_at_phone_width_by_keyboard(
    phone_page: Any, live_server: Any, citizen: Party, mailoutbox: list[Any]
) -> None:
    page = phone_page
    page.goto(f"{live_server.url}/portal/sign-in/")
    page.get_by_label("DNI or NIE").fill(DNI)
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Email address").press("Enter")
    open_emailed_link(page, mailoutbox)
    page.get_by_role("button", name="Sign in and see my data").focus()
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="My data").wait_for()

    page.get_by_role("link", name="Give a consent").focus()
    page.keyboard.press("Enter")
    page.get_by_label("Which office may use your data").select_option("salud")
    page.get_by_label("What for").fill("Informe para la ayuda a domicilio")
    page.get_by_label("Health", exact=True).check()
    page.get_by_role("button", name="Give my consent").focus()
    page.keyboard.press("Enter")
    page.get_by_text("Health and disability data are shared only if you say so").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    page.get_by_label("I explicitly agree").check()
    page.get_by_role("button", name="Give my consent").focus()
    page.keyboard.press("Enter")
    page.get_by_text("Your consent was recorded.").wait_for()
    given = page.get_by_test_id("consent").filter(has_text="Informe para la ayuda a domicilio")
    assert "Given in the portal" in given.inner_text()
    assert "Health" in given.inner_text()
