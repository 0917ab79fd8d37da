"""Work queues of the staff console: the open cases of the actor's departments cut by tab
("mine", "overdue" …), filtered, sorted and paged by keyset, and the count of every tab in one
aggregate query. Each case shown carries ``has_news``: the citizen wrote since its assignee last
opened it. Each page shown is one ``case.list`` audit entry with the ids it showed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.db.models import Q, QuerySet
from django.utils import timezone

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_record
from ventanilla.cases.models import Case, CaseStatus, CaseTask
from ventanilla.cases.news import unseen_citizen_reply
from ventanilla.core.pagination import Page, keyset_merge, keyset_page

PAGE_SIZE = 50

TABS = ("mine", "department", "overdue", "waiting", "triage", "tasks")
SORTS = {
    "due": ["due_date", "id"],
    "opened": ["-opened_at", "-id"],
    "priority": ["priority_rank", "due_date", "id"],  # Case.priority_rank: most urgent first
}


@dataclass(frozen=True)
class Filters:
    status: str = ""
    service: str = ""
    priority: str = ""
    department: str = ""
    # Only the cases the citizen answered since their assignee last opened them.
    news: bool = False


@dataclass(frozen=True)
class QueuePage:
    tab: str
    sort: str
    cases: list[Case] = field(default_factory=list)
    tasks: list[CaseTask] = field(default_factory=list)
    next_cursor: str | None = None


def _departments(actor: Actor, filters: Filters) -> Q:
    """The actor's departments, or the one chosen among them; never another agency's."""
    if filters.department and actor.sees_agency(filters.department):
        return Q(department_id=filters.department)
    if actor.sees_everything:
        return Q()
    return Q(department_id__in=list(actor.agency_ids))


def _each_department(actor: Actor, filters: Filters) -> list[UUID]:
    """The departments to walk one by one (each an ordered read of a partial index), when the
    actor's queue spans several; empty when one query serves."""
    if filters.department or actor.sees_everything or len(actor.agency_ids) < 2:
        return []
    return sorted(UUID(agency_id) for agency_id in actor.agency_ids)


def _tab(actor: Actor, tab: str) -> Q:
    today = timezone.localdate()
    return {
        "mine": Q(assignee_id=actor.user_id),
        "department": Q(),
        "overdue": Q(due_date__lt=today),
        "waiting": Q(status=CaseStatus.WAITING_CITIZEN),
        "triage": Q(triage=True),
    }[tab]


def _cases(actor: Actor, tab: str, filters: Filters) -> QuerySet[Case]:
    cases = Case.objects.filter(_departments(actor, filters), _tab(actor, tab), is_open=True)
    if filters.status:
        cases = cases.filter(status=filters.status)
    if filters.service:
        cases = cases.filter(service__code=filters.service)
    if filters.priority:
        cases = cases.filter(priority=filters.priority)
    if filters.news:
        cases = cases.filter(unseen_citizen_reply())
    return cases


def queue(
    *,
    actor: Actor,
    tab: str = "department",
    filters: Filters | None = None,
    sort: str = "due",
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> QueuePage:
    """One page of a work queue, in a constant number of queries."""
    require(actor, Scope.CASES_READ)
    filters = filters or Filters()
    tab = tab if tab in TABS else "department"
    sort = sort if sort in SORTS else "due"
    if tab == "tasks":
        tasks = CaseTask.objects.filter(status=CaseTask.Status.OPEN).select_related(
            "case", "from_department", "to_department"
        )
        if filters.department and actor.sees_agency(filters.department):
            tasks = tasks.filter(to_department_id__in=[filters.department])
        elif not actor.sees_everything:
            tasks = tasks.filter(to_department_id__in=list(actor.agency_ids))
        task_page = keyset_page(tasks, order=["due_date", "id"], cursor=cursor, limit=limit)
        _audit(actor, tab, [task.case_id for task in task_page.items])
        return QueuePage(
            tab=tab, sort="due", tasks=task_page.items, next_cursor=task_page.next_cursor
        )
    cases = (
        _cases(actor, tab, filters)
        .select_related("service", "department", "assignee", "party")
        .annotate(has_news=unseen_citizen_reply())
    )
    departments = _each_department(actor, filters)
    page: Page[Case]
    if departments:
        # Walk each department's index for the sort keys alone, then read the chosen rows.
        keys = _cases(actor, tab, filters).only("id", *(f.lstrip("-") for f in SORTS[sort]))
        chosen = keyset_merge(
            [keys.filter(department_id=department) for department in departments],
            order=SORTS[sort],
            cursor=cursor,
            limit=limit,
        )
        rows = cases.in_bulk([case.pk for case in chosen.items])
        page = Page(items=[rows[case.pk] for case in chosen.items], next_cursor=chosen.next_cursor)
    else:
        page = keyset_page(cases, order=SORTS[sort], cursor=cursor, limit=limit)
    _audit(actor, tab, [case.pk for case in page.items])
    return QueuePage(tab=tab, sort=sort, cases=page.items, next_cursor=page.next_cursor)


def _audit(actor: Actor, tab: str, shown: list[Any]) -> None:
    audit_record(
        actor=actor,
        action=Action.CASE_LIST,
        detail={"queue": tab, "shown": [str(case_id) for case_id in dict.fromkeys(shown)]},
    )


def counts(*, actor: Actor) -> dict[str, int]:
    """How many open cases each tab holds: one count a tab, each read from an index alone
    (an aggregate with a filter a tab would read every open case's row)."""
    require(actor, Scope.CASES_READ)
    open_cases = Case.objects.filter(_departments(actor, Filters()), is_open=True)
    totals = {tab: open_cases.filter(_tab(actor, tab)).count() for tab in TABS if tab != "tasks"}
    tasks = CaseTask.objects.filter(status=CaseTask.Status.OPEN)
    if not actor.sees_everything:
        tasks = tasks.filter(to_department_id__in=list(actor.agency_ids))
    totals["tasks"] = tasks.count()
    return totals
