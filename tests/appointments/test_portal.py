"""The citizen books, sees, moves and cancels an appointment in the portal, in both languages."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.appointments.test_services import tomorrow_at
from tests.conftest import portal_client
from tests.factories import make_party
from ventanilla.appointments.models import Appointment, OfficeService, OpeningHours
from ventanilla.catalog.models import Holiday


@pytest.mark.parametrize(
    ("language", "booked_text", "free_text"),
    [("en", "is booked", "Free times"), ("es", "está reservada", "Horas libres")],
)
def test_a_citizen_books_moves_and_cancels_in_the_portal(
    office: Any, actor: Any, language: str, booked_text: str, free_text: str
) -> None:
    party = make_party(actor)
    client = portal_client(party, language)
    given = OfficeService.objects.get(office=office)
    day = tomorrow_at(10).date().isoformat()

    page = client.get(f"/portal/me/appointments/new/?what={given.pk}&day={day}")
    assert page.status_code == 200
    assert free_text in page.content.decode()
    assert tomorrow_at(10).isoformat() in page.content.decode()

    done = client.post(
        f"/portal/me/appointments/new/?what={given.pk}&day={day}",
        {"what": given.pk, "start": tomorrow_at(10).isoformat()},
        follow=True,
    )
    booked = Appointment.objects.get(party=party)
    assert booked_text in done.content.decode() and booked.reference in done.content.decode()

    mine = client.get("/portal/me/appointments/")
    assert booked.reference in mine.content.decode()

    client.post(
        f"/portal/me/appointments/{booked.reference}/move/?day={day}",
        {"start": tomorrow_at(11).isoformat()},
    )
    booked.refresh_from_db()
    assert booked.start == tomorrow_at(11)

    client.post(f"/portal/me/appointments/{booked.reference}/cancel/")
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.CANCELLED


@pytest.mark.parametrize(
    ("language", "free_text", "none_text"),
    [
        ("en", "Free times on", "No free time in the next 60 days"),
        ("es", "Horas libres el", "No quedan horas libres en los próximos 60 días"),
    ],
)
def test_choosing_the_service_shows_the_first_day_with_free_times(
    office: Any, actor: Any, town: Any, language: str, free_text: str, none_text: str
) -> None:
    given = OfficeService.objects.get(office=office)
    tomorrow = tomorrow_at(9).date()
    for closed in (tomorrow - timedelta(days=1), tomorrow):  # today and tomorrow
        Holiday.objects.create(agency=town["ayto"], date=closed, name_es="Fiesta")
    client = portal_client(make_party(actor), language)

    page = client.get(f"/portal/me/appointments/new/?what={given.pk}").content.decode()
    after = tomorrow + timedelta(days=1)
    assert free_text in page
    assert f'value="{after.isoformat()}"' in page
    first = datetime.combine(after, time(9), tzinfo=timezone.get_current_timezone())
    assert f'value="{first.isoformat()}"' in page

    OpeningHours.objects.filter(office=office).delete()
    page = client.get(f"/portal/me/appointments/new/?what={given.pk}").content.decode()
    assert none_text in page and free_text not in page


def test_a_taken_time_is_answered_next_to_the_times(office: Any, actor: Any) -> None:
    OfficeService.objects.filter(office=office).update(capacity=1)
    given = OfficeService.objects.get(office=office)
    first, second = make_party(actor), make_party(actor)
    form = {"what": given.pk, "start": tomorrow_at(10).isoformat()}
    portal_client(first).post("/portal/me/appointments/new/", form)
    answer = portal_client(second).post("/portal/me/appointments/new/", form)
    assert answer.status_code == 422
    assert "just been taken" in answer.content.decode()
    assert Appointment.objects.count() == 1


def test_another_citizens_appointment_is_not_found(office: Any, actor: Any) -> None:
    given = OfficeService.objects.get(office=office)
    owner, stranger = make_party(actor), make_party(actor)
    portal_client(owner).post(
        "/portal/me/appointments/new/", {"what": given.pk, "start": tomorrow_at(10).isoformat()}
    )
    reference = Appointment.objects.get().reference
    assert portal_client(stranger).get(f"/portal/me/appointments/{reference}/").status_code == 404
    assert (
        portal_client(stranger).post(f"/portal/me/appointments/{reference}/cancel/").status_code
        == 404
    )
    assert Appointment.objects.get().status == Appointment.Status.BOOKED
