"""Participatory budgets in the console, /console/budgets/, for staff who run participation:
the budgets of their agencies, and each one's page to move it to its next phase, set the
districts' money, review projects (feasible with a cost, or not with the reason), read the
results and follow the execution of the projects chosen. Budgets are created in the
administration site."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ventanilla.access.actors import Actor
from ventanilla.budgets.models import SHOWS_RESULTS, Budget, Phase, Project
from ventanilla.budgets.results import budget_results
from ventanilla.budgets.selectors import (
    budget_of_actor,
    budgets_of_actor,
    districts_of,
    projects_of,
)
from ventanilla.budgets.services import (
    budget_phase_advance,
    district_amount_set,
    euros,
    project_execution_update,
    project_review,
)
from ventanilla.core.errors import Conflict, NotFound, ValidationFailed
from ventanilla.web.console.views import staff_view


@staff_view
def budget_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    return render(request, "console/budgets.html", {"budgets": budgets_of_actor(actor=actor)})


def cents_from(text: str) -> int | None:
    """Euros as staff type them ("60000", "60.000", "1234,50") in cents, or None."""
    cleaned = text.strip().replace("€", "").replace(" ", "")
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    elif cleaned.count(".") > 1 or (cleaned.count(".") == 1 and len(cleaned.split(".")[1]) == 3):
        cleaned = cleaned.replace(".", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not value.is_finite() or value <= 0:
        return None
    return int((value * 100).to_integral_value())


def _project_of(budget: Budget, raw: str) -> Project:
    try:
        key = UUID(raw)
    except ValueError as wrong:
        raise NotFound(_("No such project.")) from wrong
    project = budget.projects.filter(pk=key).first()
    if project is None:
        raise NotFound(_("No such project."))
    return project


def _act(actor: Actor, budget: Budget, post: Any) -> None:
    action = post.get("action", "")
    if action == "phase":
        budget_phase_advance(actor=actor, budget_id=budget.pk, to_phase=post.get("to", ""))
    elif action == "district":
        amount = cents_from(post.get("amount", ""))
        district_amount_set(
            actor=actor,
            budget_id=budget.pk,
            district=post.get("district", ""),
            amount_cents=amount if amount is not None else 0,
        )
    elif action == "review":
        project = _project_of(budget, post.get("project", ""))
        project_review(
            actor=actor,
            project_id=project.pk,
            feasible=post.get("feasible") == "yes",
            cost_cents=cents_from(post.get("cost", "")),
            reason=post.get("reason", ""),
        )
    elif action == "execution":
        project = _project_of(budget, post.get("project", ""))
        project_execution_update(
            actor=actor,
            project_id=project.pk,
            execution=post.get("execution", ""),
            note=post.get("note", ""),
        )


@staff_view
@require_http_methods(["GET", "POST"])
def budget_detail(request: HttpRequest, actor: Actor, budget_id: UUID) -> HttpResponse:
    try:
        budget = budget_of_actor(actor=actor, budget_id=budget_id)
    except NotFound as missing:
        raise Http404(missing.message) from missing
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        try:
            _act(actor, budget, request.POST)
        except ValidationFailed as failure:
            errors, status = failure.errors, 422
        except Conflict as clash:
            errors, status = {"budget": clash.message}, 409
        except NotFound as missing:
            errors, status = {"budget": missing.message}, 404
        else:
            return redirect("console:budget", budget_id=budget.pk)
        budget.refresh_from_db()
    shows_results = budget.phase in SHOWS_RESULTS
    results = [
        {
            "result": d,
            "amount": euros(d.amount_cents),
            "spent": euros(d.spent_cents),
            "rows": [{"row": r, "cost": euros(r.cost_cents)} for r in d.projects],
        }
        for d in (budget_results(budget) if shows_results else [])
    ]
    context = {
        "budget": budget,
        "districts": [(d, euros(d.amount_cents)) for d in districts_of(budget)],
        "projects": [(p, euros(p.cost_cents) if p.cost_cents else "") for p in projects_of(budget)],
        "reviewing": budget.phase in (Phase.PROPOSALS, Phase.REVIEW, Phase.SUPPORTS),
        "following": budget.phase in (Phase.RESULTS, Phase.EXECUTION),
        "money_open": budget.phase in (Phase.PROPOSALS, Phase.REVIEW, Phase.SUPPORTS),
        "executions": Project.Execution.choices,
        "results": results,
        "errors": errors,
    }
    return render(request, "console/budget.html", context, status=status)
