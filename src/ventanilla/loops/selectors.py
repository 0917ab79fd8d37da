"""Reads of the loop: the complaints a filter finds (as counts, never names), the loops staff
have opened, and how the cases behind a loop are going."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.budgets.models import Phase, Project
from ventanilla.cases.models import Case, CaseStatus
from ventanilla.cases.selectors import visible_cases
from ventanilla.catalog.models import PublicService
from ventanilla.core.errors import NotFound
from ventanilla.loops.models import Loop
from ventanilla.proposals.models import Proposal
from ventanilla.surveys.models import Survey

_WAITING = (CaseStatus.NEW, CaseStatus.ACCEPTED)
_WORKED = (CaseStatus.IN_PROGRESS, CaseStatus.WAITING_CITIZEN)
_SOLVED = (CaseStatus.RESOLVED, CaseStatus.CLOSED)


@dataclass(frozen=True)
class Progress:
    """How a set of cases is going, as counts."""

    cases: int
    people: int
    waiting: int
    worked_on: int
    solved: int
    not_solved: int  # rejected or cancelled


def complaints(
    *, actor: Actor, service: PublicService, district: str, since: date, until: date
) -> QuerySet[Case]:
    """The cases about ``service`` opened from ``since`` to ``until`` (both days included), in
    ``district`` when one is given, among those the actor may see."""
    found = visible_cases(actor).filter(
        service=service, opened_at__date__gte=since, opened_at__date__lte=until
    )
    if district:
        found = found.filter(district=district)
    return found


def progress_of(cases: QuerySet[Case]) -> Progress:
    figures = cases.aggregate(
        cases=Count("pk"),
        people=Count("party", distinct=True),
        waiting=Count("pk", filter=Q(status__in=_WAITING)),
        worked_on=Count("pk", filter=Q(status__in=_WORKED)),
        solved=Count("pk", filter=Q(status__in=_SOLVED)),
        not_solved=Count("pk", filter=Q(status__in=(CaseStatus.REJECTED, CaseStatus.CANCELLED))),
    )
    return Progress(**{name: int(value or 0) for name, value in figures.items()})


def _may_run(actor: Actor) -> None:
    require(actor, Scope.PARTICIPATION_MANAGE)


def loops_of_actor(*, actor: Actor) -> list[Loop]:
    """The loops of the agencies the actor works for, newest first."""
    _may_run(actor)
    found = Loop.objects.select_related("service", "survey", "proposal", "project", "agency")
    if not actor.sees_everything:
        found = found.filter(agency_id__in=list(actor.agency_ids))
    return list(found.order_by("-created_at")[:200])


def loop_get(*, actor: Actor, loop_id: Any) -> Loop:
    _may_run(actor)
    found = Loop.objects.select_related(
        "service", "survey", "proposal", "project", "agency", "alert"
    ).filter(pk=loop_id)
    if not actor.sees_everything:
        found = found.filter(agency_id__in=list(actor.agency_ids))
    loop = found.first()
    if loop is None:
        raise NotFound(_("No such loop, or it is not one of your agencies'."))
    return loop


def loop_progress(loop: Loop) -> Progress:
    """How the cases behind the loop are going today."""
    return progress_of(Case.objects.filter(loops=loop))


def loops_of_case(case: Case) -> list[Loop]:
    """The consultations a case has been taken into, for its page."""
    return list(
        Loop.objects.filter(cases=case)
        .select_related("survey", "proposal", "project")
        .order_by("created_at")
    )


def targets_open(*, actor: Actor) -> dict[str, list[tuple[str, str]]]:
    """What the actor's complaints can be taken to now, as (value, title) per kind: their
    agencies' consultations open, citizen proposals published, budget projects still before
    the people."""
    now = timezone.now()
    surveys = Survey.objects.filter(opens_at__lte=now, closes_at__gt=now).order_by("closes_at")
    proposals = Proposal.objects.exclude(status=Proposal.Status.WITHDRAWN).order_by("-created_at")
    projects = (
        Project.objects.exclude(review=Project.Review.NOT_FEASIBLE)
        .exclude(budget__phase=Phase.CLOSED)
        .select_related("budget")
        .order_by("budget__title_es", "title")
    )
    if not actor.sees_everything:
        mine = list(actor.agency_ids)
        surveys = surveys.filter(agency_id__in=mine)
        proposals = proposals.filter(agency_id__in=mine)
        projects = projects.filter(budget__agency_id__in=mine)
    return {
        "survey": [(f"survey:{s.pk}", s.title) for s in surveys[:100]],
        "proposal": [(f"proposal:{p.pk}", p.title) for p in proposals[:100]],
        "project": [(f"project:{p.pk}", f"{p.title} ({p.budget.title})") for p in projects[:100]],
    }
