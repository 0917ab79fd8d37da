"""Reads of appointments: the free slots of a day (opening hours, less the holidays of the
office's agency and those above it, less what is booked), a citizen's own appointments, and an
office's list of the day for its desks, with the audit entry of that read."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.guards import refuse, require
from ventanilla.access.models import Scope
from ventanilla.appointments.models import Appointment, Office, OfficeService, OpeningHours
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_record
from ventanilla.catalog.selectors import holidays_for
from ventanilla.core.errors import NotFound
from ventanilla.parties.models import Identifier
from ventanilla.parties.validation import guess_identifier_scheme

# How far ahead a citizen may book.
BOOKING_HORIZON_DAYS = 60


def offices_open() -> QuerySet[Office]:
    """The offices that take appointments, with what they give (no personal data)."""
    return Office.objects.filter(active=True).select_related("agency")


def office_service(*, office_id: Any, service_code: str) -> OfficeService:
    found = (
        OfficeService.objects.filter(
            office_id=office_id, office__active=True, service__code=service_code
        )
        .select_related("office__agency", "service")
        .first()
    )
    if found is None:
        raise NotFound(_("This office gives no appointments for this service."))
    return found


def slot_starts(given: OfficeService, day: date) -> list[datetime]:
    """Every slot of ``day`` the opening hours hold, in the administration's zone; none on a
    holiday of the office's agency or of an agency above it."""
    if day in holidays_for(given.office.agency):
        return []
    periods = given.office.opening_hours.filter(weekday=day.weekday()).order_by("opens")
    return _starts_of(given, day, periods)


def _starts_of(given: OfficeService, day: date, periods: Iterable[OpeningHours]) -> list[datetime]:
    """The slots of ``day`` in its opening ``periods`` (those of its weekday, in order)."""
    zone = timezone.get_current_timezone()
    starts: list[datetime] = []
    for period in periods:
        at = datetime.combine(day, period.opens, tzinfo=zone)
        end = datetime.combine(day, period.closes, tzinfo=zone)
        while at + given.slot <= end:
            starts.append(at)
            at += given.slot
    return starts


@dataclass(frozen=True)
class Slot:
    start: datetime
    free: int


def free_slots(given: OfficeService, day: date, *, now: datetime | None = None) -> list[Slot]:
    """The slots of ``day`` still to come with at least one seat free. Two queries."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if day < today or day > today + timedelta(days=BOOKING_HORIZON_DAYS):
        return []
    starts = [start for start in slot_starts(given, day) if start > now]
    if not starts:
        return []
    taken = Counter(
        Appointment.objects.filter(
            office_id=given.office_id,
            service_id=given.service_id,
            start__in=starts,
            seat__isnull=False,
        )
        .exclude(status=Appointment.Status.CANCELLED)
        .values_list("start", flat=True)
    )
    return [
        Slot(start=start, free=given.capacity - taken[start])
        for start in starts
        if taken[start] < given.capacity
    ]


def first_free_day(given: OfficeService, *, now: datetime | None = None) -> date | None:
    """The first day, from today to the end of the booking horizon, with a slot still to come
    and a seat free in it: where the booking pages open, so the free times show as soon as the
    service is chosen. None when every day is closed or full. Three queries, however many days
    are full (the opening hours, the full slots, the holidays unless they are cached)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    closed = holidays_for(given.office.agency)
    periods: dict[int, list[OpeningHours]] = defaultdict(list)
    for period in given.office.opening_hours.order_by("opens"):
        periods[period.weekday].append(period)
    days = [today + timedelta(days=n) for n in range(BOOKING_HORIZON_DAYS + 1)]
    starts = {
        day: [start for start in _starts_of(given, day, periods[day.weekday()]) if start > now]
        for day in days
        if day not in closed and periods[day.weekday()]
    }
    if not any(starts.values()):
        return None
    full = set(
        Appointment.objects.filter(
            office_id=given.office_id,
            service_id=given.service_id,
            start__gt=now,
            start__lt=now + timedelta(days=BOOKING_HORIZON_DAYS + 2),
            seat__isnull=False,
        )
        .exclude(status=Appointment.Status.CANCELLED)
        .values("start")
        .annotate(taken=Count("id"))
        .filter(taken__gte=given.capacity)
        .values_list("start", flat=True)
    )
    return next((day for day, times in starts.items() if any(t not in full for t in times)), None)


@dataclass(frozen=True)
class BookingDay:
    """What a booking page shows once the service is chosen: a day, its free times, and what to
    tell the person when there are none (by form field)."""

    day: date | None
    slots: list[Slot]
    errors: dict[str, str]


def booking_day(given: OfficeService, asked: date | None) -> BookingDay:
    """The day asked for, else the first day with a free time, with its free times: the same
    for the citizen in the portal and for the agent booking for them in the console."""
    day = asked or first_free_day(given)
    if day is None:
        message = _("No free time in the next %(days)d days; ask at the office.") % {
            "days": BOOKING_HORIZON_DAYS
        }
        return BookingDay(day=None, slots=[], errors={"day": message})
    slots = free_slots(given, day)
    if not slots:
        return BookingDay(
            day=day, slots=[], errors={"day": _("No free time that day; try another day.")}
        )
    return BookingDay(day=day, slots=slots, errors={})


def appointments_of_citizen(*, actor: Actor) -> QuerySet[Appointment]:
    """The signed-in citizen's own appointments, newest first."""
    if actor.party_id is None:
        refuse(actor, detail={"appointments": "own"})
        raise AssertionError("unreachable")  # pragma: no cover - refuse raises
    return (
        Appointment.objects.filter(party_id=actor.party_id)
        .select_related("office", "service")
        .order_by("-start")
    )


def appointment_of_citizen(*, actor: Actor, reference: str) -> Appointment:
    found = appointments_of_citizen(actor=actor).filter(reference=reference).first()
    if found is None:
        raise NotFound(_("No such appointment."))
    return found


def offices_of(actor: Actor) -> QuerySet[Office]:
    """The offices of the actor's agencies."""
    offices = Office.objects.select_related("agency").order_by("name")
    if actor.sees_everything:
        return offices
    return offices.filter(agency_id__in=list(actor.agency_ids))


def office_in_reach(*, actor: Actor, office_id: Any) -> Office:
    require(actor, Scope.INTERACTIONS_READ)
    office = offices_of(actor).filter(pk=office_id).first()
    if office is None:
        raise NotFound(_("No such office."))
    return office


@dataclass(frozen=True)
class DayFigures:
    booked: int
    attended: int
    no_shows: int
    walk_ins: int
    waiting: int
    average_wait_seconds: int | None
    average_service_seconds: int | None


def day_list(*, actor: Actor, office_id: Any, day: date) -> tuple[list[Appointment], DayFigures]:
    """An office's appointments and walk-ins of ``day`` with the day's figures, for its desks.
    One query for the office, one for the list, one audit entry."""
    office = office_in_reach(actor=actor, office_id=office_id)
    zone = timezone.get_current_timezone()
    begin = datetime.combine(day, datetime.min.time(), tzinfo=zone)
    rows = list(
        Appointment.objects.filter(office=office, start__gte=begin, start__lt=begin + timedelta(1))
        .filter(Q(kind=Appointment.Kind.WALK_IN) | ~Q(status=Appointment.Status.CANCELLED))
        .select_related("party", "service", "desk")
        .order_by("start", "ticket")
    )
    audit_record(
        actor=actor,
        action=Action.APPOINTMENT_LIST,
        object_type="office",
        object_id=office.pk,
        detail={"day": day.isoformat(), "count": len(rows)},
    )
    waits = [w for r in rows if (w := r.waiting_seconds) is not None]
    services = [s for r in rows if (s := r.service_seconds) is not None]
    figures = DayFigures(
        booked=sum(1 for r in rows if r.kind == Appointment.Kind.BOOKED),
        attended=sum(1 for r in rows if r.status == Appointment.Status.ATTENDED),
        no_shows=sum(1 for r in rows if r.status == Appointment.Status.NO_SHOW),
        walk_ins=sum(1 for r in rows if r.kind == Appointment.Kind.WALK_IN),
        waiting=sum(
            1
            for r in rows
            if r.status == Appointment.Status.BOOKED
            and r.checked_in_at is not None
            and r.called_at is None
        ),
        average_wait_seconds=sum(waits) // len(waits) if waits else None,
        average_service_seconds=sum(services) // len(services) if services else None,
    )
    return rows, figures


def bookable() -> QuerySet[OfficeService]:
    """What can be booked, and where: each service an open office gives by appointment."""
    return (
        OfficeService.objects.filter(office__active=True, service__active=True)
        .select_related("office__agency", "service")
        .order_by("service__code", "office__name")
    )


# -- The office's kiosk ------------------------------------------------------------------------


def kiosk_actor(office: Office) -> Actor:
    """Who acts at an office's kiosk: the kiosk itself, for its office's agency only, recording
    arrivals and tickets; no person is signed in."""
    return Actor(
        label=f"kiosk:{office.code}",
        agency_ids=frozenset({str(office.agency_id)}),
        agency_codes=frozenset({office.agency.code}),
        scopes=frozenset({Scope.INTERACTIONS_READ, Scope.INTERACTIONS_WRITE}),
    )


def _today_bounds() -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    begin = datetime.combine(timezone.localdate(), datetime.min.time(), tzinfo=zone)
    return begin, begin + timedelta(days=1)


def kiosk_arrivals(
    *, actor: Actor, office: Office, reference: str = "", identifier: str = ""
) -> list[Appointment]:
    """Today's appointments at ``office`` still waiting for their holder to arrive, found by the
    booking's reference or by the holder's DNI/NIE (as typed), with the audit entry of that read.
    A reference or identifier that is not valid finds nothing: the kiosk does not tell which."""
    require(actor, Scope.INTERACTIONS_READ)
    begin, end = _today_bounds()
    found = Appointment.objects.filter(
        office=office,
        kind=Appointment.Kind.BOOKED,
        status=Appointment.Status.BOOKED,
        checked_in_at__isnull=True,
        start__gte=begin,
        start__lt=end,
    ).select_related("office", "service")
    party_ids: list[Any] = []
    compact = "".join(ch for ch in (reference or identifier).upper() if ch.isalnum())
    if reference:
        if not compact.startswith("CP") or len(compact) != 10:
            return []
        found = found.filter(reference=f"CP-{compact[2:]}")
    else:
        scheme = guess_identifier_scheme(compact)
        if scheme is None:
            return []
        party_ids = list(
            Identifier.objects.filter(scheme=scheme, value=compact).values_list(
                "party_id", flat=True
            )
        )
        if not party_ids:
            return []
        found = found.filter(party_id__in=party_ids)
    rows = list(found.order_by("start"))
    audit_record(
        actor=actor,
        action=Action.APPOINTMENT_LIST,
        party_id=rows[0].party_id if rows else (party_ids[0] if party_ids else None),
        object_type="office",
        object_id=office.pk,
        detail={"kiosk": "reference" if reference else "identifier", "count": len(rows)},
    )
    return rows


def kiosk_receipt(*, office: Office, reference: str) -> Appointment:
    """A ticket taken today at ``office``, for its printed receipt (no name on it)."""
    found = (
        Appointment.objects.filter(
            office=office, reference=reference, ticket_day=timezone.localdate()
        )
        .select_related("office", "service")
        .first()
    )
    if found is None:
        raise NotFound(_("No such ticket today."))
    return found


def kiosk_office(*, code: str) -> Office:
    office = Office.objects.select_related("agency").filter(code=code, active=True).first()
    if office is None:
        raise NotFound(_("No such office."))
    return office


def kiosk_services(office: Office) -> list[OfficeService]:
    """What the office gives, for a walk-in's ticket (no personal data)."""
    return list(
        OfficeService.objects.filter(office=office, service__active=True)
        .select_related("service")
        .order_by("service__code")
    )
