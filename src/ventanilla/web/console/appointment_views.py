"""The appointments desk in the console: an office's list of the day with its figures, calling
the next ticket to a desk, issuing walk-in tickets, checking arrivals in and recording how each
ended. Thin views over the appointment services and selectors."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.appointments.selectors import (
    BOOKING_HORIZON_DAYS,
    BookingDay,
    bookable,
    booking_day,
    day_list,
    offices_of,
)
from ventanilla.appointments.services import (
    appointment_book,
    appointment_check_in,
    appointment_finish,
    desk_call_next,
    walk_in_issue,
)
from ventanilla.core.errors import Conflict, NotFound, ValidationFailed
from ventanilla.web.console.views import staff_view


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return timezone.localdate()


@staff_view
def desk(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The offices of the actor's agencies; with ``office``, that office's day."""
    require(actor, Scope.INTERACTIONS_READ)
    offices = list(offices_of(actor))
    office_id = request.GET.get("office", "")
    if not office_id and len(offices) == 1:
        office_id = str(offices[0].pk)
    context: dict[str, Any] = {"offices": offices, "office": None}
    if office_id:
        try:
            day = _day(request.GET.get("day", ""))
            rows, figures = day_list(actor=actor, office_id=office_id, day=day)
        except (NotFound, ValidationFailed) as missing:
            messages.error(request, str(missing))
            return redirect("console:desk")
        office = next(o for o in offices if str(o.pk) == office_id)
        context.update(
            office=office,
            day=day,
            rows=rows,
            figures=figures,
            desks=list(office.desks.all()),
            services=[given.service for given in bookable().filter(office=office)],
            is_today=day == timezone.localdate(),
        )
    return render(request, "console/desk.html", context)


@require_POST
@staff_view
def desk_action(request: HttpRequest, actor: Actor) -> HttpResponse:
    """One step at the desk, named by ``action``; back to the office's day."""
    require(actor, Scope.INTERACTIONS_WRITE)
    action = request.POST.get("action", "")
    office_id = request.POST.get("office", "")
    target = request.POST.get("appointment", "")
    try:
        if action == "call":
            called = desk_call_next(actor=actor, desk_id=request.POST.get("desk", ""))
            if called is None:
                messages.info(request, _("Nobody is waiting."))
            else:
                messages.success(
                    request,
                    _("Ticket %(ticket)s, please come to %(desk)s.")
                    % {"ticket": called.ticket_label, "desk": called.desk},
                )
        elif action == "walk_in":
            issued = walk_in_issue(
                actor=actor, office_id=office_id, service_code=request.POST.get("service", "")
            )
            messages.success(request, _("Ticket %s issued.") % issued.ticket_label)
        elif action == "check_in":
            arrived = appointment_check_in(actor=actor, appointment_id=target)
            messages.success(request, _("Arrived: ticket %s.") % arrived.ticket_label)
        elif action in ("attended", "no_show"):
            appointment_finish(actor=actor, appointment_id=target, attended=action == "attended")
            messages.success(request, _("Recorded."))
        else:
            messages.error(request, _("Unknown step."))
    except (NotFound, ValidationFailed, Conflict) as refused:
        messages.error(request, str(refused))
    except ValueError:  # an id that is not one
        messages.error(request, _("Unknown step."))
    url = reverse("console:desk")
    return redirect(f"{url}?office={office_id}" if office_id.replace("-", "").isalnum() else url)


@require_http_methods(["GET", "POST"])
@staff_view
def appointment_new(request: HttpRequest, actor: Actor, party_id: UUID) -> HttpResponse:
    """An agent books for the person (at the desk or on the phone): what and where, a day, a
    free time, at the offices of the agent's agencies."""
    require(actor, Scope.INTERACTIONS_WRITE, party_id=party_id)
    mine = bookable().filter(office__in=offices_of(actor))
    value = request.GET.get("what") or request.POST.get("what") or ""
    given = mine.filter(pk=value).first() if value.isdigit() else None
    asked = _day(request.GET.get("day", "")) if request.GET.get("day") else None
    shown = booking_day(given, asked) if given is not None else BookingDay(asked, [], {})
    today = timezone.localdate()
    context: dict[str, Any] = {
        "party_id": party_id,
        "choices": list(mine),
        "given": given,
        "day": shown.day,
        "slots": shown.slots,
        "min_day": today.isoformat(),
        "max_day": (today + timedelta(days=BOOKING_HORIZON_DAYS)).isoformat(),
        "errors": shown.errors,
    }
    if request.method == "GET":
        return render(request, "console/appointment_new.html", context)
    try:
        start = datetime.fromisoformat(request.POST.get("start", ""))
    except ValueError:
        start = None
    try:
        if given is None or start is None or timezone.is_naive(start):
            raise ValidationFailed({"start": _("Choose one of the times offered.")})
        booked = appointment_book(
            actor=actor,
            party_id=party_id,
            office_id=given.office_id,
            service_code=given.service.code,
            start=start,
            channel="desk",
        )
    except (ValidationFailed, NotFound) as failure:
        context["errors"] = getattr(failure, "errors", {"start": failure.message})
        return render(request, "console/appointment_new.html", context, status=422)
    messages.success(request, _("Appointment %s booked.") % booked.reference)
    return redirect("console:party", party_id=party_id)
