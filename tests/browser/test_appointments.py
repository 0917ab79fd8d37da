"""A citizen books an appointment in the portal at phone width, by keyboard, in English; at the
office, an agent issues a walk-in ticket, calls the next one and records it attended, in
Spanish."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from tests.appointments.conftest import build_office
from tests.browser.test_console_desk import sign_in_by_keyboard
from tests.factories import make_party
from tests.jobs import run_queued_jobs
from ventanilla.access.actors import actor_for_user
from ventanilla.appointments.models import Appointment
from ventanilla.parties.services import ContactPointInput, IdentifierInput

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DNI = "12345678Z"
EMAIL = "ines.soto@example.org"
LINK = re.compile(r"https?://\S+/portal/sign-in/[A-Za-z0-9_-]+/")
PHONE = 375


def test_a_citizen_books_an_appointment_by_keyboard_on_a_phone(
    phone_page: Any, live_server: Any, town: Any, service: Any, agent_user: Any, mailoutbox: Any
) -> None:
    cache.clear()
    build_office(town, service)
    make_party(
        actor_for_user(agent_user),
        given_name="Inés",
        family_name_1="Soto",
        identifiers=[IdentifierInput(scheme="dni", value=DNI)],
        contact_points=[ContactPointInput(kind="email", value=EMAIL)],
    )
    page = phone_page
    page.goto(f"{live_server.url}/portal/me/appointments/")
    page.get_by_label("DNI or NIE").fill(DNI)
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Email address").press("Enter")
    page.get_by_test_id("sign-in-sent").wait_for()
    run_queued_jobs()
    found = LINK.search(mailoutbox[-1].body)
    assert found, mailoutbox[-1].body
    page.goto(found.group(0))
    page.get_by_role("button", name="Sign in and see my data").press("Enter")

    page.get_by_role("heading", name="My appointments").wait_for()
    page.get_by_role("link", name="Book an appointment").press("Enter")
    page.get_by_label("What for, and where").focus()
    page.keyboard.press("ArrowDown")  # the first (and only) service at an office
    page.get_by_role("button", name="Next").press("Enter")
    tomorrow = timezone.localdate() + timedelta(days=1)
    page.get_by_label("Day").fill(tomorrow.isoformat())
    page.get_by_label("Day").press("Enter")
    page.get_by_label("10:00").focus()
    page.keyboard.press("Space")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    page.get_by_role("button", name="Book this time").press("Enter")

    reference = page.get_by_test_id("appointment-reference").inner_text()
    assert page.get_by_text(f"Its reference is {reference}").is_visible()
    booked = Appointment.objects.get(reference=reference)
    assert timezone.localtime(booked.start).hour == 10
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE


def test_the_desk_calls_the_next_ticket_by_keyboard_in_spanish(
    page: Any, live_server: Any, town: Any, service: Any, agent_user: Any
) -> None:
    build_office(town, service)
    sign_in_by_keyboard(page, live_server)
    page.goto(f"{live_server.url}/console/desk/")
    page.get_by_role("button", name="Dar turno").press("Enter")
    page.get_by_text("Turno W001 emitido.").wait_for()
    page.get_by_role("button", name="Llamar al siguiente a Mesa 1").press("Enter")
    page.get_by_text("Turno W001, acuda a Oficina Centro · Mesa 1.").wait_for()
    page.get_by_role("button", name="Atendida W001").press("Enter")
    page.get_by_text("Anotado.").wait_for()
    assert Appointment.objects.get().status == Appointment.Status.ATTENDED
