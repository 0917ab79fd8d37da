"""The appointments desk in the console: an office's list of the day with its figures, calling
the next ticket to a desk, issuing walk-in tickets, checking arrivals in and recording how each
ended. Thin views over the appointment services and selectors."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.appointments.selectors import bookable, day_list, offices_of
from ventanilla.appointments.services import (
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
