"""The call-back queue: the calls a contact centre promised to return, the most overdue first,
each returned from here with how it went (answered, or tried again an hour later)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ventanilla.access.actors import Actor
from ventanilla.core.errors import NotFound, ValidationFailed
from ventanilla.interactions.selectors import call_back_queue
from ventanilla.interactions.services import call_back_answer
from ventanilla.web.console.views import staff_view


@staff_view
def call_back_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    context = {"waiting": call_back_queue(actor), "now": timezone.now()}
    return render(request, "console/call_backs.html", context)


@require_POST
@staff_view
def call_back_result(request: HttpRequest, actor: Actor, interaction_id: UUID) -> HttpResponse:
    """Record how a returned call went, from the queue's buttons."""
    try:
        call_back_answer(
            actor=actor,
            interaction_id=interaction_id,
            result=request.POST.get("result", "")[:15],
            summary=request.POST.get("summary", "")[:4000],
        )
    except NotFound as missing:
        messages.info(request, missing.message)
    except ValidationFailed as failure:
        messages.error(request, " ".join(failure.errors.values()))
    else:
        if request.POST.get("result") == "answered":
            messages.success(request, _("The call was returned and left the queue."))
        else:
            messages.success(request, _("No answer: the call will be tried again in an hour."))
    return redirect("console:call-backs")
