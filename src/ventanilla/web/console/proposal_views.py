"""Citizen proposals in the console, /console/proposals/, for staff who run participation: those
that must be answered first, soonest due first and overdue ones marked; a proposal's page with
the form for the official answer and the form to cite the cases that show its problem."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ventanilla.access.actors import Actor
from ventanilla.catalog.models import PublicService
from ventanilla.core.errors import Conflict, NotFound, ValidationFailed
from ventanilla.proposals.models import Proposal
from ventanilla.proposals.selectors import (
    evidence_of,
    is_overdue,
    proposal_managed,
    proposals_to_answer,
    still_needed,
    supports_needed,
)
from ventanilla.proposals.services import proposal_answer, proposal_cite_cases
from ventanilla.web.console.views import staff_view


@staff_view
def proposal_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    today = timezone.localdate()
    rows = [
        {"proposal": p, "overdue": is_overdue(p, today), "still_needed": still_needed(p)}
        for p in proposals_to_answer(actor=actor)
    ]
    return render(request, "console/proposals.html", {"rows": rows, "needed": supports_needed()})


def _since(raw: str, errors: dict[str, str]) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors["since"] = _("Enter a date.")
        return None


@staff_view
@require_http_methods(["GET", "POST"])
def proposal_detail(request: HttpRequest, actor: Actor, proposal_id: UUID) -> HttpResponse:
    try:
        proposal = proposal_managed(actor=actor, proposal_id=proposal_id)
    except NotFound as missing:
        raise Http404(missing.message) from missing
    answer = {"decision": "", "text": ""}
    cite = {"service": "", "district": proposal.district, "since": ""}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "answer":
                answer = {k: request.POST.get(k, "") for k in answer}
                proposal_answer(
                    actor=actor,
                    proposal_id=proposal.pk,
                    decision=answer["decision"],
                    text=answer["text"],
                )
                messages.success(request, _("The answer is recorded and told to the supporters."))
            else:
                cite = {k: request.POST.get(k, "") for k in cite}
                since = _since(cite["since"], errors)
                if errors:
                    raise ValidationFailed(errors)
                proposal_cite_cases(
                    actor=actor,
                    proposal_id=proposal.pk,
                    service_id=cite["service"] or None,
                    district=cite["district"],
                    since=since,
                )
                messages.success(request, _("The cases are cited on the proposal's page."))
        except ValidationFailed as failure:
            errors, status = failure.errors, 422
        except Conflict as clash:
            errors, status = {"proposal": clash.message}, 409
        else:
            return redirect("console:proposal", proposal_id=proposal.pk)
    context = {
        "proposal": proposal,
        "overdue": is_overdue(proposal),
        "needed": supports_needed(),
        "still_needed": still_needed(proposal),
        "evidence": evidence_of(proposal),
        "decisions": Proposal.Decision.choices,
        "services": PublicService.objects.order_by("code"),
        "answer": answer,
        "cite": cite,
        "errors": errors,
    }
    return render(request, "console/proposal.html", context, status=status)
