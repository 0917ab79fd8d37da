"""The citizen books, sees, moves and cancels an appointment in the portal, in both languages."""

from __future__ import annotations

from typing import Any

import pytest

from tests.appointments.test_services import tomorrow_at
from tests.conftest import portal_client
from tests.factories import make_party
from ventanilla.appointments.models import Appointment, OfficeService


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
