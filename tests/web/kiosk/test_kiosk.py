"""The office kiosk: a citizen checks in for today's appointment by its reference or by their
DNI (picking the booking when there are several) and gets the desk's ticket; one without an
appointment takes a walk-in ticket; the receipt prints. No session is kept, the language is in
the address, and the pages answer only to the kiosk networks."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from tests.appointments.conftest import build_office
from tests.appointments.test_services import SERVICE, tomorrow_at
from tests.factories import make_party
from ventanilla.appointments.models import Appointment
from ventanilla.appointments.services import appointment_book
from ventanilla.audit.models import AuditEntry
from ventanilla.interactions.models import Interaction
from ventanilla.parties.services import IdentifierInput

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_lookups_counted_yet() -> None:
    """Each screen may look up only so many appointments a minute: no count from another test."""
    cache.clear()


DNI = "12345678Z"


@pytest.fixture
def office(town: Any, service: Any) -> Any:
    return build_office(town, service)


def a_time_today(minutes: int) -> datetime:
    """Now, to the minute, plus ``minutes`` (at most 30): half an hour before midnight at the
    latest, so that every booking a test makes falls today, whatever the time it runs."""
    now = timezone.localtime().replace(second=0, microsecond=0)
    return min(now, now.replace(hour=23, minute=29)) + timedelta(minutes=minutes)


def booked_today(actor: Any, office: Any, party: Any, *, minutes: int = 0) -> Appointment:
    booked = appointment_book(
        actor=actor,
        party_id=party.pk,
        office_id=office.pk,
        service_code=SERVICE,
        start=tomorrow_at(10) + timedelta(minutes=minutes),
    )
    today = a_time_today(minutes)
    Appointment.objects.filter(pk=booked.pk).update(start=today)
    booked.refresh_from_db()
    return booked


def kiosk(language: str = "en") -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE=language)


def test_the_booking_reference_checks_in_and_gives_the_desks_ticket(
    office: Any, actor: Any
) -> None:
    party = make_party(actor)
    booked = booked_today(actor, office, party)
    client = kiosk()

    done = client.post(
        f"/kiosk/{office.code}/check-in/",
        {"lang": "en", "typed": booked.reference.lower().replace("-", " ")},
    )

    assert done.status_code == 302
    receipt = client.get(done["Location"])
    booked.refresh_from_db()
    assert booked.checked_in_at is not None and booked.ticket_label == "A001"
    page = receipt.content.decode()
    assert "A001" in page and booked.reference in page and "Your ticket" in page
    assert "data-kiosk-print" in page and 'href="/kiosk/centro/?lang=en"' in page
    assert party.given_name not in page  # a receipt names no one
    arrival = Interaction.objects.get(party=party, summary__contains="A001")
    assert arrival.channel_id == "kiosk"
    # The desk sees the arrival like one it checked in itself.
    assert AuditEntry.objects.filter(actor="kiosk:centro").exists()
    assert "sessionid" not in done.cookies and "sessionid" not in receipt.cookies
    assert not client.session.keys()


def test_a_dni_lists_todays_bookings_to_pick_and_the_pick_is_checked_in(
    office: Any, actor: Any
) -> None:
    party = make_party(actor, identifiers=[IdentifierInput(scheme="dni", value=DNI)])
    first = booked_today(actor, office, party, minutes=0)
    second = booked_today(actor, office, party, minutes=30)
    client = kiosk("es")

    listed = client.post(f"/kiosk/{office.code}/check-in/", {"lang": "es", "typed": "12.345.678-z"})

    page = listed.content.decode()
    assert listed.status_code == 200 and page.count('data-testid="kiosk-pick"') == 2
    assert '<html lang="es">' in page
    picked = client.post(
        f"/kiosk/{office.code}/check-in/",
        {"lang": "es", "typed": DNI, "appointment": str(second.pk)},
    )
    assert picked.status_code == 302 and picked["Location"].endswith("?lang=es")
    receipt = client.get(picked["Location"]).content.decode()
    assert "Su turno" in receipt and "He terminado" in receipt
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.ticket_label == "A001" and first.checked_in_at is None
    assert AuditEntry.objects.filter(
        actor="kiosk:centro", action="appointment.list", party_id=party.pk
    ).exists()


def test_what_finds_nothing_says_so_and_checks_nothing_in(office: Any, actor: Any) -> None:
    party = make_party(actor, identifiers=[IdentifierInput(scheme="dni", value=DNI)])
    tomorrow = appointment_book(
        actor=actor,
        party_id=party.pk,
        office_id=office.pk,
        service_code=SERVICE,
        start=tomorrow_at(11),
    )
    client = kiosk()

    for typed in (DNI, tomorrow.reference, "CP-NOTHING", "hello", ""):
        page = client.post(f"/kiosk/{office.code}/check-in/", {"lang": "en", "typed": typed})
        assert page.status_code == 422
        assert 'aria-invalid="true"' in page.content.decode()
    assert not Appointment.objects.filter(checked_in_at__isnull=False).exists()


def test_a_walk_in_takes_a_ticket_for_a_service(office: Any, service: Any) -> None:
    client = kiosk()
    screen = client.get(f"/kiosk/{office.code}/ticket/?lang=en")
    assert screen.status_code == 200 and service.code in screen.content.decode()

    taken = client.post(f"/kiosk/{office.code}/ticket/", {"lang": "en", "service": service.code})
    again = client.post(f"/kiosk/{office.code}/ticket/", {"lang": "en", "service": service.code})
    wrong = client.post(f"/kiosk/{office.code}/ticket/", {"lang": "en", "service": "nope"})

    assert taken.status_code == 302 and again.status_code == 302 and wrong.status_code == 422
    tickets = list(Appointment.objects.order_by("ticket").values_list("kind", "ticket"))
    assert tickets == [("walk_in", 1), ("walk_in", 2)]
    assert "W002" in client.get(again["Location"]).content.decode()


def test_the_start_screen_is_in_spanish_unless_the_address_says_english(office: Any) -> None:
    spanish = kiosk("en").get(f"/kiosk/{office.code}/").content.decode()
    english = kiosk("es").get(f"/kiosk/{office.code}/?lang=en").content.decode()

    assert '<html lang="es">' in spanish and 'hreflang="en"' in spanish
    assert '<html lang="en">' in english and "I have an appointment" in english
    assert 'data-kiosk-idle="60"' in english and "<script>" not in english
    assert "kiosk.js" in english


def test_outside_the_kiosk_networks_the_pages_refuse(office: Any, settings: Any) -> None:
    settings.VENTANILLA_KIOSK_NETWORKS = ["10.20.0.0/16"]
    outside = kiosk().get(f"/kiosk/{office.code}/?lang=en")
    inside = kiosk().get(f"/kiosk/{office.code}/?lang=en", REMOTE_ADDR="10.20.3.4")

    assert outside.status_code == 403 and "Not an office kiosk" in outside.content.decode()
    assert inside.status_code == 200


def test_a_receipt_of_another_day_or_office_is_not_found(office: Any, actor: Any) -> None:
    booked = appointment_book(
        actor=actor,
        party_id=make_party(actor).pk,
        office_id=office.pk,
        service_code=SERVICE,
        start=tomorrow_at(12),
    )
    assert kiosk().get(f"/kiosk/{office.code}/receipt/{booked.reference}/").status_code == 404
    assert kiosk().get("/kiosk/nowhere/").status_code == 404


def test_a_screen_that_looks_up_too_often_is_told_to_wait(
    office: Any, actor: Any, settings: Any
) -> None:
    settings.VENTANILLA_KIOSK_LOOKUPS_PER_MINUTE = 3
    party = make_party(actor, identifiers=[IdentifierInput(scheme="dni", value=DNI)])
    booked = booked_today(actor, office, party)
    client = kiosk()
    for typed in ("11111111H", "22222222J", "33333333P"):
        page = client.post(f"/kiosk/{office.code}/check-in/", {"lang": "en", "typed": typed})
        assert page.status_code == 422

    refused = client.post(f"/kiosk/{office.code}/check-in/", {"lang": "es", "typed": DNI})

    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "Espere un minuto" in refused.content.decode()
    # The fourth look-up was not made: the booking of the DNI typed is not shown nor checked in.
    assert booked.reference not in refused.content.decode()
    booked.refresh_from_db()
    assert booked.checked_in_at is None
