"""Participatory budgets in the portal: the list, a budget's page saying its phase and what a
resident can do now (propose, support, vote, read the results, follow the execution), the
ballot (the district's feasible projects with their costs and a running total kept by a small
script; the server checks the total either way), the thanks, and the results with a bar per
project."""

from __future__ import annotations

import csv
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.formats import get_format
from django.views.decorators.http import require_http_methods, require_POST

from ventanilla.access.actors import Actor
from ventanilla.budgets.models import SHOWS_RESULTS, Budget, Phase
from ventanilla.budgets.results import ballot_rows, budget_results
from ventanilla.budgets.selectors import (
    budget_published,
    budgets_public,
    district_of_citizen,
    districts_of,
    has_voted,
    projects_of,
    supported_by,
)
from ventanilla.budgets.services import budget_vote, euros, project_propose, project_support
from ventanilla.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from ventanilla.web.portal.notice_views import _signed_in
from ventanilla.web.portal.views import _to_sign_in


def _budget(budget_id: UUID) -> Budget:
    try:
        return budget_published(budget_id=budget_id)
    except NotFound as missing:
        raise Http404(missing.message) from missing


def _private(response: HttpResponse, citizen: Actor | None) -> HttpResponse:
    if citizen is not None:
        add_never_cache_headers(response)
    return response


def budgets(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/budgets.html", {"budgets": list(budgets_public())})


@require_http_methods(["GET", "POST"])
def budget(request: HttpRequest, budget_id: UUID) -> HttpResponse:
    """A budget's page; in the proposals phase its form sends a resident's proposal."""
    found = _budget(budget_id)
    citizen = _signed_in(request)
    errors: dict[str, str] = {}
    given = {"title": "", "description": ""}
    status = 200
    if request.method == "POST":
        if citizen is None:
            return _to_sign_in(request)
        given = {
            "title": request.POST.get("title", ""),
            "description": request.POST.get("description", ""),
        }
        try:
            project_propose(actor=citizen, budget_id=found.pk, district="", **given)
        except ValidationFailed as failure:
            errors, status = failure.errors, 422
        except PermissionDenied as denied:
            raise DjangoPermissionDenied(denied.message) from denied
        else:
            return redirect(f"{request.path}?proposed=1")
    district = district_of_citizen(citizen, found) if citizen is not None else None
    context: dict[str, Any] = {
        "budget": found,
        "citizen": citizen,
        "district": district,
        "districts": [(d, euros(d.amount_cents)) for d in districts_of(found)],
        "projects": [(p, euros(p.cost_cents or 0)) for p in projects_of(found)],
        "supported": supported_by(actor=citizen, budget=found) if citizen else set(),
        "voted": citizen is not None and has_voted(actor=citizen, budget=found),
        "errors": errors,
        "given": given,
        "proposed": request.GET.get("proposed") == "1",
        "supported_now": request.GET.get("supported") == "1",
        "shows_results": found.phase in SHOWS_RESULTS,
    }
    response = render(request, "portal/budget.html", context, status=status)
    return _private(response, citizen)


@require_POST
def support(request: HttpRequest, budget_id: UUID, project_id: UUID) -> HttpResponse:
    found = _budget(budget_id)
    citizen = _signed_in(request)
    if citizen is None:
        return _to_sign_in(request)
    try:
        project_support(actor=citizen, project_id=project_id)
    except (ValidationFailed, Conflict, NotFound) as refused:
        message = (
            " ".join(refused.errors.values())
            if isinstance(refused, ValidationFailed)
            else refused.message
        )
        return render(
            request,
            "portal/budget_refused.html",
            {"budget": found, "message": message},
            status=409 if isinstance(refused, Conflict) else 422,
        )
    except PermissionDenied as denied:
        raise DjangoPermissionDenied(denied.message) from denied
    return redirect(reverse("portal:budget", kwargs={"budget_id": found.pk}) + "?supported=1")


@require_http_methods(["GET", "POST"])
def vote(request: HttpRequest, budget_id: UUID) -> HttpResponse:
    """The ballot: the feasible projects of the resident's district, chosen by checkboxes."""
    found = _budget(budget_id)
    citizen = _signed_in(request)
    if citizen is None:
        return _to_sign_in(request)
    district = district_of_citizen(citizen, found)
    chosen: list[str] = []
    error = ""
    status = 200
    if request.method == "POST":
        chosen = request.POST.getlist("project")
        try:
            budget_vote(actor=citizen, budget_id=found.pk, project_ids=chosen)
        except ValidationFailed as failure:
            error, status = " ".join(failure.errors.values()), 422
        except Conflict as clash:
            error, status = clash.message, 409
        except PermissionDenied as denied:
            raise DjangoPermissionDenied(denied.message) from denied
        else:
            return redirect("portal:budget-thanks", budget_id=found.pk)
    projects = (
        projects_of(found, district=district, feasible_only=True) if district is not None else []
    )
    context = {
        "budget": found,
        "district": district,
        "amount": euros(district.amount_cents) if district is not None else "",
        # The running total groups thousands as the page's amounts do.
        "group_separator": get_format("THOUSAND_SEPARATOR"),
        "projects": [(p, euros(p.cost_cents or 0), str(p.pk) in chosen) for p in projects],
        "error": error,
        "voted": has_voted(actor=citizen, budget=found),
        "is_open": found.phase == Phase.VOTING,
    }
    return _private(render(request, "portal/budget_vote.html", context, status=status), citizen)


def thanks(request: HttpRequest, budget_id: UUID) -> HttpResponse:
    return render(request, "portal/budget_thanks.html", {"budget": _budget(budget_id)})


def results(request: HttpRequest, budget_id: UUID) -> HttpResponse:
    """The results by district, once the vote is over, and how each selected project goes."""
    found = _budget(budget_id)
    if found.phase not in SHOWS_RESULTS:
        raise Http404
    shown = [
        {
            "result": district,
            "amount": euros(district.amount_cents),
            "spent": euros(district.spent_cents),
            "rows": [
                {"row": row, "cost": euros(row.cost_cents), "percent": district.percent(row)}
                for row in district.projects
            ],
        }
        for district in budget_results(found)
    ]
    return render(request, "portal/budget_results.html", {"budget": found, "districts": shown})


class _Line:
    """A file-like that hands back what ``csv.writer`` writes, one line at a time."""

    def write(self, value: str) -> str:
        return value


def ballots(request: HttpRequest, budget_id: UUID) -> StreamingHttpResponse:
    """The anonymised ballots as CSV, once the vote is over, so that anyone can count them
    again by the rule the results page states and find the same results."""
    found = _budget(budget_id)
    if found.phase not in SHOWS_RESULTS:
        raise Http404
    writer = csv.writer(_Line())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in ballot_rows(found)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="ballots-{found.year}.csv"'
    return response
