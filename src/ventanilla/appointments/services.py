"""Every write of appointments: a citizen (or an agent for them) books, moves and cancels; the
desk checks arrivals in, issues walk-in tickets, calls the next one and records how it ended.

Each step is one transaction with its audit entry and, when there is a party, a contact on the
party's history. Double booking is refused by the database (``appointment_one_per_seat``): a
booking tries the free seats of its slot in turn, each insert in a savepoint, and a seat another
request took in the meantime (the IntegrityError) sends it to the next, then to "taken"."""

from __future__ import annotations

import functools
import secrets
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.guards import refuse, require
from ventanilla.access.models import Scope
from ventanilla.appointments.models import (
    Appointment,
    Desk,
    Office,
    OfficeService,
    OpeningHours,
)
from ventanilla.appointments.selectors import office_service, offices_of, slot_starts
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_record
from ventanilla.core.contention import retry_on_contention
from ventanilla.core.errors import Conflict, NotFound, ValidationFailed
from ventanilla.interactions.models import Interaction
from ventanilla.interactions.satisfaction import satisfaction_ask
from ventanilla.interactions.services import interaction_record_for_case
from ventanilla.notifications.models import NotificationEvent
from ventanilla.notifications.outbox import notify_person
from ventanilla.notifications.templates import PLACEHOLDERS
from ventanilla.parties.models import Party

_REFERENCE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
# Tickets are numbered per office and day; a number another desk just took is tried again.
_TICKET_ATTEMPTS = 10


def new_reference() -> str:
    """A short reference a citizen can read out at the desk (CP-7KQ2M9XA)."""
    return "CP-" + "".join(secrets.choice(_REFERENCE_LETTERS) for _ in range(8))


def _check_acts_for(actor: Actor, *, party_id: Any, office: Office) -> None:
    """A citizen acts for themself only; staff for anyone, at their agencies' offices."""
    if actor.is_citizen:
        if str(party_id) != actor.party_id:
            refuse(actor, party_id=party_id, detail={"appointment": "another party"})
        return
    require(actor, Scope.INTERACTIONS_WRITE, party_id=party_id)
    if not actor.sees_agency(office.agency_id):
        raise NotFound(_("No such office."))


def _valid_start(given: OfficeService, start: datetime) -> datetime:
    if timezone.is_naive(start):
        raise ValidationFailed({"start": _("Choose one of the times offered.")})
    if start <= timezone.now():
        raise ValidationFailed({"start": _("This time has passed; choose another.")})
    day = timezone.localdate(start)
    if start not in slot_starts(given, day):
        raise ValidationFailed({"start": _("Choose one of the times offered.")})
    return start


def _take_seat(appointment: Appointment, given: OfficeService, *, creating: bool) -> None:
    """Give ``appointment`` the first seat of its slot no other live appointment holds, saving it
    in a savepoint per try; raise when every seat is taken."""
    taken = set(
        Appointment.objects.filter(
            office_id=given.office_id,
            service_id=given.service_id,
            start=appointment.start,
            seat__isnull=False,
        )
        .exclude(status=Appointment.Status.CANCELLED)
        .exclude(pk=appointment.pk)
        .values_list("seat", flat=True)
    )
    for seat in range(1, given.capacity + 1):
        if seat in taken:
            continue
        appointment.seat = seat
        try:
            with transaction.atomic():
                if creating:
                    appointment.save(force_insert=True)
                else:
                    appointment.save(update_fields=["start", "seat", "updated_at"])
            return
        except IntegrityError:
            continue  # another request took this seat a moment ago
    raise ValidationFailed({"start": _("This time has just been taken; choose another.")})


def _contact(
    actor: Actor, appointment: Appointment, summary: str, **extra: Any
) -> Interaction | None:
    """The step on the party's history (nothing for an anonymous walk-in)."""
    if appointment.party_id is None:
        return None
    return interaction_record_for_case(
        actor=actor,
        case_id=None,
        party_id=appointment.party_id,
        agency_id=appointment.office.agency_id,
        service_id=appointment.service_id,
        channel=extra.pop("channel", "desk"),
        direction=Interaction.Direction.INBOUND,
        kind=Interaction.Kind.REQUEST,
        summary=summary,
        occurred_at=timezone.now(),
        **extra,
    )


def _audit(actor: Actor, appointment: Appointment, step: str) -> None:
    audit_record(
        actor=actor,
        action=Action.APPOINTMENT_CHANGE,
        party_id=appointment.party_id,
        object_type="appointment",
        object_id=appointment.pk,
        detail={"step": step, "reference": appointment.reference},
    )


def _when(appointment: Appointment) -> str:
    return f"{timezone.localtime(appointment.start):%Y-%m-%d %H:%M}"


@retry_on_contention
def appointment_book(
    *,
    actor: Actor,
    party_id: Any,
    office_id: Any,
    service_code: str,
    start: datetime,
    channel: str = "web",
) -> Appointment:
    """Book the first free seat of a slot for a party, or refuse when the slot is full."""
    given = office_service(office_id=office_id, service_code=service_code)
    _check_acts_for(actor, party_id=party_id, office=given.office)
    party = Party.objects.filter(pk=party_id, status=Party.Status.ACTIVE).first()
    if party is None:
        raise ValidationFailed({"party": _("No such party.")})
    _valid_start(given, start)
    with transaction.atomic():
        appointment = Appointment(
            reference=new_reference(),
            party=party,
            office=given.office,
            service=given.service,
            start=start,
        )
        _take_seat(appointment, given, creating=True)
        _audit(actor, appointment, "book")
        _contact(
            actor,
            appointment,
            _("Appointment %(reference)s booked for %(when)s at %(office)s")
            % {
                "reference": appointment.reference,
                "when": _when(appointment),
                "office": given.office.name,
            },
            channel=channel,
            outcome=Interaction.Outcome.APPOINTMENT,
        )
    return appointment


def _locked(actor: Actor, appointment_id: Any) -> Appointment:
    """The appointment, row-locked, if the actor may act on it."""
    found = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("office", "service")
        .filter(pk=appointment_id)
        .first()
    )
    if found is None:
        raise NotFound(_("No such appointment."))
    if actor.is_citizen:
        if str(found.party_id) != actor.party_id:
            raise NotFound(_("No such appointment."))
    else:
        require(actor, Scope.INTERACTIONS_WRITE, party_id=found.party_id)
        if not actor.sees_agency(found.office.agency_id):
            raise NotFound(_("No such appointment."))
    return found


def _still_booked(appointment: Appointment) -> None:
    if appointment.status != Appointment.Status.BOOKED or appointment.checked_in_at is not None:
        raise Conflict(_("This appointment can no longer be changed."))


@retry_on_contention
def appointment_move(
    *, actor: Actor, appointment_id: Any, start: datetime, channel: str = "web"
) -> Appointment:
    """Move a booked appointment to another free slot of the same office and service."""
    with transaction.atomic():
        appointment = _locked(actor, appointment_id)
        _still_booked(appointment)
        if appointment.kind != Appointment.Kind.BOOKED:
            raise Conflict(_("This appointment can no longer be changed."))
        given = office_service(
            office_id=appointment.office_id, service_code=appointment.service.code
        )
        appointment.start = _valid_start(given, start)
        _take_seat(appointment, given, creating=False)
        _audit(actor, appointment, "move")
        _contact(
            actor,
            appointment,
            _("Appointment %(reference)s moved to %(when)s")
            % {"reference": appointment.reference, "when": _when(appointment)},
            channel=channel,
            outcome=Interaction.Outcome.APPOINTMENT,
        )
    return appointment


@retry_on_contention
def appointment_cancel(*, actor: Actor, appointment_id: Any, channel: str = "web") -> Appointment:
    """Cancel a booked appointment; its seat is free again at once."""
    with transaction.atomic():
        appointment = _locked(actor, appointment_id)
        _still_booked(appointment)
        appointment.status = Appointment.Status.CANCELLED
        appointment.save(update_fields=["status", "updated_at"])
        _audit(actor, appointment, "cancel")
        _contact(
            actor,
            appointment,
            _("Appointment %(reference)s cancelled") % {"reference": appointment.reference},
            channel=channel,
        )
    return appointment


def _next_ticket(appointment: Appointment) -> None:
    """Number ``appointment`` with the office's next ticket of the day, saving it."""
    day = timezone.localdate()
    for _attempt in range(_TICKET_ATTEMPTS):
        last = Appointment.objects.filter(
            office_id=appointment.office_id, ticket_day=day
        ).aggregate(last=Max("ticket"))["last"]
        appointment.ticket_day = day
        appointment.ticket = (last or 0) + 1
        try:
            with transaction.atomic():
                if appointment._state.adding:
                    appointment.save(force_insert=True)
                else:
                    appointment.save(
                        update_fields=["ticket_day", "ticket", "checked_in_at", "updated_at"]
                    )
            return
        except IntegrityError:
            continue  # another desk issued this number a moment ago
    raise Conflict(_("The office is busy; try again."))


@retry_on_contention
def appointment_check_in(
    *, actor: Actor, appointment_id: Any, channel: str = "desk"
) -> Appointment:
    """The citizen with an appointment has arrived: give them the day's next ticket (at the
    desk, or by themself at the office's kiosk: ``channel``)."""
    with transaction.atomic():
        appointment = _locked(actor, appointment_id)
        if actor.is_citizen:
            refuse(actor, party_id=appointment.party_id, detail={"appointment": "check in"})
        _still_booked(appointment)
        if timezone.localdate(appointment.start) != timezone.localdate():
            raise Conflict(_("This appointment is not today."))
        appointment.checked_in_at = timezone.now()
        _next_ticket(appointment)
        _audit(actor, appointment, "check_in")
        _contact(
            actor,
            appointment,
            _("Arrived for appointment %(reference)s, ticket %(ticket)s")
            % {"reference": appointment.reference, "ticket": appointment.ticket_label},
            channel=channel,
        )
    return appointment


def _office_for_desk_work(actor: Actor, office_id: Any) -> Office:
    require(actor, Scope.INTERACTIONS_WRITE)
    office = offices_of(actor).filter(pk=office_id).first()
    if office is None:
        raise NotFound(_("No such office."))
    return office


@retry_on_contention
def walk_in_issue(
    *,
    actor: Actor,
    office_id: Any,
    service_code: str,
    party_id: Any = None,
    channel: str = "desk",
) -> Appointment:
    """A ticket for a citizen who came without an appointment (named or not), given at the desk
    or taken at the office's kiosk (``channel``)."""
    office = _office_for_desk_work(actor, office_id)
    given = office_service(office_id=office.pk, service_code=service_code)
    party = None
    if party_id:
        party = Party.objects.filter(pk=party_id, status=Party.Status.ACTIVE).first()
        if party is None:
            raise ValidationFailed({"party": _("No such party.")})
    now = timezone.now()
    with transaction.atomic():
        appointment = Appointment(
            reference=new_reference(),
            kind=Appointment.Kind.WALK_IN,
            party=party,
            office=office,
            service=given.service,
            start=now,
            checked_in_at=now,
        )
        _next_ticket(appointment)
        _audit(actor, appointment, "walk_in")
        _contact(
            actor,
            appointment,
            _("Walk-in ticket %(ticket)s at %(office)s")
            % {"ticket": appointment.ticket_label, "office": office.name},
            channel=channel,
        )
    return appointment


def _desk_in_reach(actor: Actor, desk_id: Any) -> Desk:
    require(actor, Scope.INTERACTIONS_WRITE)
    desk = Desk.objects.select_related("office").filter(pk=desk_id).first()
    if desk is None or not actor.sees_agency(desk.office.agency_id):
        raise NotFound(_("No such desk."))
    return desk


def call_order(appointment: Appointment, now: datetime) -> tuple[int, Any]:
    """Appointments that are due first (by their time), then walk-ins by ticket, then those
    who came early for a later appointment."""
    if appointment.kind == Appointment.Kind.BOOKED and appointment.start <= now:
        return (0, appointment.start)
    if appointment.kind == Appointment.Kind.WALK_IN:
        return (1, appointment.ticket or 0)
    return (2, appointment.start)


@retry_on_contention
def desk_call_next(*, actor: Actor, desk_id: Any) -> Appointment | None:
    """Call the next waiting ticket to ``desk_id``; None when nobody waits. Two desks calling
    at once never call the same ticket: the call is a conditional update of an uncalled row."""
    desk = _desk_in_reach(actor, desk_id)
    now = timezone.now()
    with transaction.atomic():
        waiting = list(
            Appointment.objects.filter(
                office_id=desk.office_id,
                ticket_day=timezone.localdate(now),
                status=Appointment.Status.BOOKED,
                checked_in_at__isnull=False,
                called_at__isnull=True,
            ).select_related("office", "service")
        )
        for appointment in sorted(waiting, key=lambda a: call_order(a, now)):
            claimed = Appointment.objects.filter(pk=appointment.pk, called_at__isnull=True).update(
                called_at=now, served_at=now, desk=desk, called_by_id=actor.user_id, updated_at=now
            )
            if not claimed:
                continue
            appointment.called_at = appointment.served_at = now
            appointment.desk = desk
            _audit(actor, appointment, "call")
            _contact(
                actor,
                appointment,
                _("Ticket %(ticket)s called to %(desk)s")
                % {"ticket": appointment.ticket_label, "desk": desk.name},
            )
            return appointment
    return None


@retry_on_contention
def appointment_finish(*, actor: Actor, appointment_id: Any, attended: bool) -> Appointment:
    """How it ended: attended (after the call), or the citizen did not come."""
    with transaction.atomic():
        appointment = _locked(actor, appointment_id)
        if actor.is_citizen:
            refuse(actor, party_id=appointment.party_id, detail={"appointment": "finish"})
        if appointment.status != Appointment.Status.BOOKED:
            raise Conflict(_("This appointment is already closed."))
        now = timezone.now()
        if attended:
            if appointment.called_at is None:
                raise Conflict(_("Call the ticket before recording it as attended."))
            appointment.status = Appointment.Status.ATTENDED
            appointment.served_at = appointment.served_at or appointment.called_at
            summary = _("Attended for appointment %(reference)s")
        else:
            if appointment.called_at is None and appointment.start > now:
                raise Conflict(_("The appointment's time has not come yet."))
            appointment.status = Appointment.Status.NO_SHOW
            summary = _("Did not come to appointment %(reference)s")
        appointment.finished_at = now
        appointment.save(update_fields=["status", "served_at", "finished_at", "updated_at"])
        _audit(actor, appointment, "attended" if attended else "no_show")
        visit = _contact(
            actor,
            appointment,
            summary % {"reference": appointment.reference},
            duration_seconds=appointment.service_seconds if attended else None,
            outcome=Interaction.Outcome.ANSWERED if attended else "",
        )
        if attended and appointment.party_id is not None:
            # How did we do? The same question as after a closed case, by email or SMS.
            satisfaction_ask(
                party_id=appointment.party_id,
                channel="desk",
                about=appointment.reference,
                interaction=visit,
                service=appointment.service,
            )
    return appointment


def appointments_link() -> str:
    """The portal page where the citizen sees, moves and cancels their appointments."""
    return f"{settings.VENTANILLA_PUBLIC_URL.rstrip('/')}/portal/me/appointments/"


def reminders_queue(*, day: date) -> int:
    """Write to the outbox the reminder of every appointment still booked for ``day`` and not
    reminded yet, in the citizen's language; each appointment is marked in the same transaction
    as its messages, so a run that stops half way, or runs twice, reminds nobody twice.
    Returns how many appointments were reminded."""
    zone = timezone.get_current_timezone()
    begin = datetime.combine(day, datetime.min.time(), tzinfo=zone)
    due = Appointment.objects.filter(
        kind=Appointment.Kind.BOOKED,
        status=Appointment.Status.BOOKED,
        reminded_at__isnull=True,
        party__isnull=False,
        start__gte=begin,
        start__lt=begin + timedelta(days=1),
    ).values_list("pk", flat=True)
    reminded = 0
    for appointment_id in list(due):
        with transaction.atomic():
            marked = Appointment.objects.filter(
                pk=appointment_id, reminded_at__isnull=True, status=Appointment.Status.BOOKED
            ).update(reminded_at=timezone.now())
            if not marked:
                continue  # another run reminded it, or it was cancelled meanwhile
            appointment = Appointment.objects.select_related("party", "office", "service").get(
                pk=appointment_id
            )
            party = appointment.party
            if party is None:  # pragma: no cover - filtered above
                continue
            notify_person(
                party=party,
                event=NotificationEvent.APPOINTMENT_REMINDER,
                values_for=functools.partial(_reminder_values, appointment),
                about=f"appointment {appointment.reference}",
            )
            reminded += 1
    return reminded


def _reminder_values(appointment: Appointment, language: str) -> dict[str, str]:
    with translation.override(language):
        when = formats.date_format(timezone.localtime(appointment.start), "DATETIME_FORMAT")
        text = _("%(when)s at %(office)s, %(address)s") % {
            "when": when,
            "office": appointment.office.name,
            "address": appointment.office.address,
        }
        return {name: "" for name in PLACEHOLDERS} | {
            "reference": appointment.reference,
            "service": localized_name(appointment.service, language),
            "text": text,
            "due_date": formats.date_format(timezone.localtime(appointment.start).date()),
            "link": appointments_link(),
        }


def localized_name(service: Any, language: str) -> str:
    return str(getattr(service, f"name_{language}", "") or service.name_es)


def office_ensure(
    *,
    code: str,
    agency_code: str,
    name: str,
    address: str,
    desks: list[str],
    services: dict[str, tuple[int, int]],
    hours: list[tuple[int, time, time]],
) -> Office:
    """Create or bring up to date an office (the demo and set-up scripts; staff use the
    administration site): its desks, its services as code -> (slot minutes, citizens per slot)
    and its opening hours as (weekday, opens, closes), which replace those it had."""
    from ventanilla.catalog.models import Agency, PublicService

    with transaction.atomic():
        office, _created = Office.objects.update_or_create(
            code=code,
            defaults={
                "agency": Agency.objects.get(code=agency_code),
                "name": name,
                "address": address,
            },
        )
        for desk_name in desks:
            Desk.objects.get_or_create(office=office, name=desk_name)
        for service_code, (minutes, capacity) in services.items():
            OfficeService.objects.update_or_create(
                office=office,
                service=PublicService.objects.get(code=service_code),
                defaults={"slot_minutes": minutes, "capacity": capacity},
            )
        office.opening_hours.all().delete()
        OpeningHours.objects.bulk_create(
            OpeningHours(office=office, weekday=weekday, opens=opens, closes=closes)
            for weekday, opens, closes in hours
        )
    return office
