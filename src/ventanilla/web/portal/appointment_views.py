"""The citizen's appointments in the portal: book one (what and where, the day, a free time),
see mine, move or cancel one. Thin views over the appointment services and selectors."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ventanilla.access.actors import Actor
from ventanilla.appointments.models import Appointment, OfficeService
from ventanilla.appointments.selectors import (
    BOOKING_HORIZON_DAYS,
    BookingDay,
    appointment_of_citizen,
    appointments_of_citizen,
    bookable,
    booking_day,
    free_slots,
    office_service,
)
from ventanilla.appointments.services import (
    appointment_book,
    appointment_cancel,
    appointment_move,
)
from ventanilla.core.errors import Conflict, ValidationFailed
from ventanilla.web.portal.views import citizen_view


@citizen_view
def appointments(request: HttpRequest, actor: Actor) -> HttpResponse:
    """My appointments: those to come, then the past ones."""
    now = timezone.now()
    mine = list(appointments_of_citizen(actor=actor))
    upcoming = [a for a in mine if a.status == Appointment.Status.BOOKED and a.start >= now]
    upcoming.reverse()  # soonest first
    past = [a for a in mine if a not in upcoming]
    return render(request, "portal/appointments.html", {"upcoming": upcoming, "past": past})


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _start(value: str) -> datetime | None:
    try:
        start = datetime.fromisoformat(value)
    except ValueError:
        return None
    return start if timezone.is_aware(start) else None


def _chooser_context(request: HttpRequest, given: OfficeService | None) -> dict[str, Any]:
    """The day asked for and its free times, for the booking and the moving pages; before a
    day is asked for, the first day with a free time."""
    today = timezone.localdate()
    asked = _day(request.GET.get("day", "")) or None
    shown = booking_day(given, asked) if given is not None else BookingDay(asked, [], {})
    return {
        "day": shown.day,
        "min_day": today.isoformat(),
        "max_day": date.fromordinal(today.toordinal() + BOOKING_HORIZON_DAYS).isoformat(),
        "slots": shown.slots,
        "errors": shown.errors,
    }


def _chosen(request: HttpRequest) -> OfficeService | None:
    value = request.GET.get("what") or request.POST.get("what") or ""
    return bookable().filter(pk=value).first() if value.isdigit() else None


@require_http_methods(["GET", "POST"])
@citizen_view
def appointment_new(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Book: choose what and where, then a day, then one of its free times."""
    given = _chosen(request)
    context = {"choices": list(bookable()), "given": given, **_chooser_context(request, given)}
    if request.method == "GET":
        return render(request, "portal/appointment_new.html", context)
    start = _start(request.POST.get("start", ""))
    if given is None or start is None:
        context["errors"] = {"start": _("Choose one of the times offered.")}
        return render(request, "portal/appointment_new.html", context, status=422)
    try:
        booked = appointment_book(
            actor=actor,
            party_id=actor.party_id,
            office_id=given.office_id,
            service_code=given.service.code,
            start=start,
        )
    except ValidationFailed as failure:
        context.update(errors=failure.errors, slots=free_slots(given, timezone.localdate(start)))
        return render(request, "portal/appointment_new.html", context, status=422)
    messages.success(
        request, _("Your appointment is booked. Its reference is %s.") % booked.reference
    )
    return redirect("portal:appointment", reference=booked.reference)


@citizen_view
def appointment(request: HttpRequest, actor: Actor, reference: str) -> HttpResponse:
    found = appointment_of_citizen(actor=actor, reference=reference)
    return render(
        request,
        "portal/appointment.html",
        {"appointment": found, "changeable": _changeable(found)},
    )


def _changeable(found: Appointment) -> bool:
    return (
        found.status == Appointment.Status.BOOKED
        and found.kind == Appointment.Kind.BOOKED
        and found.checked_in_at is None
        and found.start > timezone.now()
    )


@require_http_methods(["GET", "POST"])
@citizen_view
def appointment_move_view(request: HttpRequest, actor: Actor, reference: str) -> HttpResponse:
    """Move it: choose another day and free time at the same office."""
    found = appointment_of_citizen(actor=actor, reference=reference)
    if not _changeable(found):
        messages.info(request, _("This appointment can no longer be changed."))
        return redirect("portal:appointment", reference=reference)
    given = office_service(office_id=found.office_id, service_code=found.service.code)
    context = {"appointment": found, "given": given, **_chooser_context(request, given)}
    if request.method == "GET":
        return render(request, "portal/appointment_move.html", context)
    start = _start(request.POST.get("start", ""))
    try:
        if start is None:
            raise ValidationFailed({"start": _("Choose one of the times offered.")})
        appointment_move(actor=actor, appointment_id=found.pk, start=start)
    except ValidationFailed as failure:
        context["errors"] = failure.errors
        return render(request, "portal/appointment_move.html", context, status=422)
    except Conflict as refused:
        messages.info(request, refused.message)
        return redirect("portal:appointment", reference=reference)
    messages.success(request, _("Your appointment was moved."))
    return redirect("portal:appointment", reference=reference)


@require_POST
@citizen_view
def appointment_cancel_view(request: HttpRequest, actor: Actor, reference: str) -> HttpResponse:
    found = appointment_of_citizen(actor=actor, reference=reference)
    try:
        appointment_cancel(actor=actor, appointment_id=found.pk)
    except Conflict as refused:
        messages.info(request, refused.message)
        return redirect("portal:appointment", reference=reference)
    messages.success(request, _("Your appointment was cancelled."))
    return redirect("portal:appointments")
