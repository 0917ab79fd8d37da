"""Booking, moving, cancelling, the desk's calls and the slots a day offers."""

from __future__ import annotations

import threading
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from tests.appointments.conftest import build_office
from tests.conftest import PASSWORD, build_service, build_town
from tests.factories import make_party
from ventanilla.access.actors import Actor, actor_for_citizen
from ventanilla.appointments.models import Appointment, Office, OfficeService, OpeningHours
from ventanilla.appointments.selectors import day_list, first_free_day, free_slots
from ventanilla.appointments.services import (
    appointment_book,
    appointment_cancel,
    appointment_check_in,
    appointment_finish,
    appointment_move,
    desk_call_next,
    walk_in_issue,
)
from ventanilla.audit.models import AuditEntry
from ventanilla.catalog.models import Holiday
from ventanilla.core.errors import Conflict, PermissionDenied, ValidationFailed
from ventanilla.interactions.models import Interaction

SERVICE = "licencia-obra-menor"


def tomorrow_at(hour: int, minute: int = 0) -> datetime:
    day = timezone.localdate() + timedelta(days=1)
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def given(office: Office) -> OfficeService:
    return OfficeService.objects.select_related("office__agency", "service").get(office=office)


def book(actor: Actor, party: Any, office: Office, start: datetime) -> Appointment:
    return appointment_book(
        actor=actor, party_id=party.pk, office_id=office.pk, service_code=SERVICE, start=start
    )


def test_a_day_offers_its_opening_hours_in_slots(office: Office) -> None:
    slots = free_slots(given(office), tomorrow_at(9).date())
    assert len(slots) == 20  # 9:00 to 14:00 in quarters of an hour
    assert slots[0].start == tomorrow_at(9) and slots[-1].start == tomorrow_at(13, 45)


def test_a_holiday_of_an_agency_above_the_office_closes_it(office: Office, town: Any) -> None:
    Holiday.objects.create(agency=town["admin"], date=tomorrow_at(9).date(), name_es="Fiesta")
    assert free_slots(given(office), tomorrow_at(9).date()) == []


def test_the_first_free_day_skips_today_gone_by_a_holiday_and_a_full_day(
    office: Office, town: Any, actor: Actor, django_assert_max_num_queries: Any
) -> None:
    OfficeService.objects.filter(office=office).update(capacity=1)
    OpeningHours.objects.filter(office=office).update(closes=time(9, 30))  # two slots a day
    zone = timezone.get_current_timezone()
    today = timezone.localdate()
    late = datetime.combine(today, time(13, 50), tzinfo=zone)  # today's slots have gone by
    Holiday.objects.create(agency=town["admin"], date=today + timedelta(days=1), name_es="Fiesta")
    full = today + timedelta(days=2)
    booked = [
        book(actor, make_party(actor), office, datetime.combine(full, time(9, minute), tzinfo=zone))
        for minute in (0, 15)
    ]
    offered = given(office)
    with django_assert_max_num_queries(3):
        assert first_free_day(offered, now=late) == today + timedelta(days=3)
    appointment_cancel(actor=actor, appointment_id=booked[1].pk)
    assert first_free_day(offered, now=late) == full
    OpeningHours.objects.filter(office=office).delete()
    assert first_free_day(given(office), now=late) is None


def test_a_citizen_books_and_the_booking_is_on_their_history(office: Office, actor: Actor) -> None:
    party = make_party(actor)
    citizen = actor_for_citizen(party)
    appointment = book(citizen, party, office, tomorrow_at(10))
    assert appointment.reference.startswith("CP-") and appointment.seat == 1
    contact = Interaction.objects.get(party=party, summary__contains=appointment.reference)
    assert contact.outcome == Interaction.Outcome.APPOINTMENT
    assert AuditEntry.objects.filter(action="appointment.change", party_id=party.pk).exists()


def test_a_full_slot_is_refused_and_no_longer_offered(office: Office, actor: Actor) -> None:
    for _ in range(2):
        book(actor, make_party(actor), office, tomorrow_at(10))
    with pytest.raises(ValidationFailed):
        book(actor, make_party(actor), office, tomorrow_at(10))
    starts = [slot.start for slot in free_slots(given(office), tomorrow_at(9).date())]
    assert tomorrow_at(10) not in starts and tomorrow_at(10, 15) in starts


def test_a_time_outside_the_slots_is_refused(office: Office, actor: Actor) -> None:
    with pytest.raises(ValidationFailed):
        book(actor, make_party(actor), office, tomorrow_at(10, 7))
    with pytest.raises(ValidationFailed):
        book(actor, make_party(actor), office, tomorrow_at(15))


def test_a_citizen_cannot_book_for_someone_else(office: Office, actor: Actor) -> None:
    me, other = make_party(actor), make_party(actor)
    with pytest.raises(PermissionDenied):
        book(actor_for_citizen(me), other, office, tomorrow_at(10))
    assert not Appointment.objects.exists()


def test_moving_frees_the_old_slot_and_cancelling_frees_the_new(
    office: Office, actor: Actor
) -> None:
    party = make_party(actor)
    citizen = actor_for_citizen(party)
    appointment = book(citizen, party, office, tomorrow_at(10))
    appointment_move(actor=citizen, appointment_id=appointment.pk, start=tomorrow_at(11))
    appointment.refresh_from_db()
    assert appointment.start == tomorrow_at(11)
    appointment_cancel(actor=citizen, appointment_id=appointment.pk)
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    slots = {s.start: s.free for s in free_slots(given(office), tomorrow_at(9).date())}
    assert slots[tomorrow_at(10)] == 2 and slots[tomorrow_at(11)] == 2
    with pytest.raises(Conflict):
        appointment_move(actor=citizen, appointment_id=appointment.pk, start=tomorrow_at(12))


def _today_slot(office: Office) -> datetime:
    """A slot of today still to come (the office is open every day 9 to 14)."""
    slots = free_slots(given(office), timezone.localdate())
    if not slots:
        pytest.fail("the office has no slot left today; the test needs one")
    return slots[0].start


@pytest.fixture
def today_open(office: Office, monkeypatch: pytest.MonkeyPatch) -> Office:
    """Open the office all day and set the clock to noon today, its time still running: a slot
    of today is then always still to come, whatever the hour the test runs."""
    office.opening_hours.all().delete()
    for weekday in range(7):
        office.opening_hours.create(weekday=weekday, opens=time(0), closes=time(23, 45))
    real_now = timezone.now
    started = real_now()
    noon = datetime.combine(
        timezone.localdate(started), time(12), tzinfo=timezone.get_current_timezone()
    )
    monkeypatch.setattr(timezone, "now", lambda: noon + (real_now() - started))
    return office


def test_the_desk_calls_appointments_due_then_walk_ins_by_ticket(
    today_open: Office, actor: Actor, desk: Any
) -> None:
    office = today_open
    party = make_party(actor)
    appointment = book(actor, party, office, _today_slot(office))
    walk_in = walk_in_issue(actor=actor, office_id=office.pk, service_code=SERVICE)
    arrived = appointment_check_in(actor=actor, appointment_id=appointment.pk)
    assert walk_in.ticket_label == "W001" and arrived.ticket_label == "A002"
    # The appointment is not due yet: the walk-in goes first.
    first = desk_call_next(actor=actor, desk_id=desk.pk)
    second = desk_call_next(actor=actor, desk_id=desk.pk)
    assert first is not None and first.pk == walk_in.pk
    assert second is not None and second.pk == appointment.pk
    assert desk_call_next(actor=actor, desk_id=desk.pk) is None
    appointment_finish(actor=actor, appointment_id=appointment.pk, attended=True)
    appointment_finish(actor=actor, appointment_id=walk_in.pk, attended=False)
    rows, figures = day_list(actor=actor, office_id=office.pk, day=timezone.localdate())
    assert {r.pk for r in rows} == {appointment.pk, walk_in.pk}
    assert (figures.attended, figures.no_shows, figures.walk_ins) == (1, 1, 1)
    assert figures.average_service_seconds is not None
    steps = Interaction.objects.filter(party=party).count()
    assert steps == 4  # booked, arrived, called, attended


def test_an_appointment_due_is_called_before_an_earlier_walk_in(
    office: Office, actor: Actor, desk: Any
) -> None:
    party = make_party(actor)
    appointment = book(actor, party, office, tomorrow_at(9))
    walk_in = walk_in_issue(actor=actor, office_id=office.pk, service_code=SERVICE)
    Appointment.objects.filter(pk=appointment.pk).update(
        start=timezone.now() - timedelta(minutes=5),
        checked_in_at=timezone.now(),
        ticket_day=timezone.localdate(),
        ticket=2,
    )
    called = desk_call_next(actor=actor, desk_id=desk.pk)
    assert called is not None and called.pk == appointment.pk
    assert walk_in.ticket == 1


def test_nobody_is_recorded_attended_before_being_called(today_open: Office, actor: Actor) -> None:
    walk_in = walk_in_issue(actor=actor, office_id=today_open.pk, service_code=SERVICE)
    with pytest.raises(Conflict):
        appointment_finish(actor=actor, appointment_id=walk_in.pk, attended=True)


def test_staff_of_another_agency_cannot_see_the_office(
    office: Office, make_staff: Any, actor: Actor
) -> None:
    from ventanilla.access.actors import actor_for_user
    from ventanilla.core.errors import NotFound

    nurse = actor_for_user(make_staff("enfermera", agency="salud", role="agent"))
    with pytest.raises(NotFound):
        day_list(actor=nurse, office_id=office.pk, day=timezone.localdate())
    with pytest.raises(NotFound):
        book(nurse, make_party(actor), office, tomorrow_at(10))


RACERS = 12


@pytest.mark.django_db(transaction=True)
def test_many_requests_racing_for_one_slot_never_double_book() -> None:
    """Twelve threads, each its own database connection, book the same slot (two seats) at the
    same moment: exactly two succeed, the others are told it is taken. Runs on SQLite and, in
    CI, on PostgreSQL, where the inserts really run side by side."""
    from ventanilla.access.actors import actor_for_user
    from ventanilla.access.services import staff_member_ensure

    town = build_town()
    office = build_office(town, build_service(town), capacity=2)
    membership = staff_member_ensure(
        username="racer", password=PASSWORD, agency_code="ayto", role="agent"
    )
    actor = actor_for_user(membership.user)
    parties = [make_party(actor) for _ in range(RACERS)]
    start = tomorrow_at(10)
    barrier = threading.Barrier(RACERS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def race(party: Any) -> None:
        try:
            barrier.wait(timeout=30)
            book(actor_for_citizen(party), party, office, start)
            result = "booked"
        except ValidationFailed:
            result = "taken"
        except Exception as error:  # noqa: BLE001 - the test reports what else went wrong
            result = f"error: {error!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=race, args=(party,)) for party in parties]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["booked"] * 2 + ["taken"] * (RACERS - 2)
    live = Appointment.objects.filter(start=start).exclude(status="cancelled")
    assert sorted(live.values_list("seat", flat=True)) == [1, 2]
