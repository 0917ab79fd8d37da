"""The desk in the console: the office's day, a walk-in ticket, calling the next one and
recording how it ended, with the no-shows counted, in both languages."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.appointments.test_services import SERVICE, tomorrow_at
from tests.conftest import sign_in
from tests.factories import make_party
from ventanilla.appointments.models import Appointment
from ventanilla.appointments.services import appointment_book


@pytest.mark.parametrize(("language", "called"), [("en", "please come to"), ("es", "acuda a")])
def test_the_desk_issues_a_ticket_calls_it_and_records_it(
    office: Any, desk: Any, agent_user: Any, language: str, called: str
) -> None:
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE=language), agent_user)
    form = {"office": office.pk}
    client.post("/console/desk/actions/", {**form, "action": "walk_in", "service": SERVICE})
    page = client.post(
        "/console/desk/actions/", {**form, "action": "call", "desk": desk.pk}, follow=True
    )
    assert called in page.content.decode() and "W001" in page.content.decode()
    walk_in = Appointment.objects.get()
    client.post("/console/desk/actions/", {**form, "action": "attended", "appointment": walk_in.pk})
    walk_in.refresh_from_db()
    assert walk_in.status == Appointment.Status.ATTENDED and walk_in.service_seconds is not None


def test_a_no_show_is_counted_on_the_day(office: Any, agent_user: Any, actor: Any) -> None:
    booked = appointment_book(
        actor=actor,
        party_id=make_party(actor).pk,
        office_id=office.pk,
        service_code=SERVICE,
        start=tomorrow_at(9),
    )
    Appointment.objects.filter(pk=booked.pk).update(start=tomorrow_at(9).replace(year=2025))
    booked.refresh_from_db()
    client = sign_in(Client(), agent_user)
    client.post(
        "/console/desk/actions/",
        {"office": office.pk, "action": "no_show", "appointment": booked.pk},
    )
    day = booked.start.date().isoformat()
    page = client.get(f"/console/desk/?office={office.pk}&day={day}")
    assert page.status_code == 200
    assert page.context["figures"].no_shows == 1


def test_staff_of_another_agency_do_not_see_the_office(office: Any, make_staff: Any) -> None:
    client = sign_in(Client(), make_staff("enfermera", agency="salud"))
    page = client.get(f"/console/desk/?office={office.pk}", follow=True)
    assert office.name not in page.content.decode()
    answer = client.post(
        "/console/desk/actions/", {"office": office.pk, "action": "walk_in", "service": SERVICE}
    )
    assert answer.status_code == 302
    assert not Appointment.objects.exists()


def test_an_agent_books_for_the_person_on_their_page(
    office: Any, agent_user: Any, actor: Any
) -> None:
    party = make_party(actor)
    given = office.services.get()
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="es"), agent_user)
    url = f"/console/parties/{party.pk}/appointments/new/"
    day = tomorrow_at(10).date().isoformat()
    page = client.get(f"{url}?what={given.pk}&day={day}")
    assert "Horas libres" in page.content.decode()
    # Before a day is chosen, the page opens on the first one with free times.
    first = client.get(f"{url}?what={given.pk}").content.decode()
    assert "Horas libres el" in first and 'type="radio"' in first
    done = client.post(url, {"what": given.pk, "start": tomorrow_at(10).isoformat()}, follow=True)
    booked = Appointment.objects.get(party=party)
    assert f"Cita {booked.reference} reservada." in done.content.decode()
    assert booked.start == tomorrow_at(10)
