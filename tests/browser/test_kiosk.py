"""At the office's kiosk, at phone width and by keyboard alone: a citizen switches to English,
checks in for today's appointment by their DNI, picks the booking, gets the desk's ticket on a
printable receipt, and the screen goes back to the start, in Spanish, once left alone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache

from tests.appointments.conftest import build_office
from tests.appointments.test_services import SERVICE, tomorrow_at
from tests.factories import make_party
from tests.web.kiosk.test_kiosk import a_time_today
from ventanilla.access.actors import actor_for_user
from ventanilla.appointments.models import Appointment
from ventanilla.appointments.services import appointment_book
from ventanilla.parties.services import IdentifierInput

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_lookups_counted_yet() -> None:
    """Each screen may look up only so many appointments a minute: no count from another test."""
    cache.clear()


DNI = "12345678Z"
PHONE = 375


def test_a_citizen_checks_in_at_the_kiosk_by_keyboard_and_the_screen_resets(
    phone_page: Any, live_server: Any, town: Any, service: Any, agent_user: Any, settings: Any
) -> None:
    settings.VENTANILLA_KIOSK_IDLE_SECONDS = 3
    office = build_office(town, service)
    actor = actor_for_user(agent_user)
    party = make_party(actor, identifiers=[IdentifierInput(scheme="dni", value=DNI)])
    booked = []
    for minutes in (0, 30):
        made = appointment_book(
            actor=actor,
            party_id=party.pk,
            office_id=office.pk,
            service_code=SERVICE,
            start=tomorrow_at(10) + timedelta(minutes=minutes),
        )
        today = a_time_today(minutes)
        Appointment.objects.filter(pk=made.pk).update(start=today)
        booked.append(made)
    page = phone_page
    start = f"{live_server.url}/kiosk/{office.code}/"

    page.goto(start)
    page.get_by_role("heading", name="Bienvenida").or_(
        page.get_by_role("heading", name="Welcome")
    ).wait_for()
    page.get_by_test_id("kiosk-lang").press("Enter")
    page.get_by_role("link", name="I have an appointment").press("Enter")
    page.get_by_label("Your booking reference (CP-…) or your DNI/NIE").fill("12345678-z")
    page.keyboard.press("Enter")
    page.get_by_test_id("kiosk-pick").first.wait_for()
    assert page.get_by_test_id("kiosk-pick").count() == 2
    page.get_by_test_id("kiosk-pick").nth(1).press("Enter")

    page.get_by_test_id("kiosk-ticket").wait_for()
    assert page.get_by_test_id("kiosk-ticket").inner_text() == "A001"
    assert page.get_by_test_id("kiosk-reference").inner_text() == booked[1].reference
    assert page.get_by_role("button", name="Print my ticket").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    targets = page.evaluate(
        "[...document.querySelectorAll('.kiosk-button')].map(e => e.getBoundingClientRect().height)"
    )
    assert targets and min(targets) >= 48  # large enough for a finger
    page.emulate_media(media="print")
    assert not page.get_by_role("link", name="Done").is_visible()
    assert page.get_by_test_id("kiosk-ticket").is_visible()
    page.emulate_media(media="screen")
    arrived = Appointment.objects.get(pk=booked[1].pk)
    assert arrived.checked_in_at is not None and arrived.ticket_label == "A001"

    # Left alone, the screen goes back to the start, in Spanish, for the next person.
    page.wait_for_url(start, timeout=10_000)
    assert page.locator("html").get_attribute("lang") == "es"
    assert not page.context.cookies() or all(
        cookie["name"] != "sessionid" for cookie in page.context.cookies()
    )
