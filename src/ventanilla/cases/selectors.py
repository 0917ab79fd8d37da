"""Reads of cases, scoped to the departments the actor acts in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_record
from ventanilla.cases.models import Case, CaseEvent, CaseTask, LifeEventRequest
from ventanilla.consent.selectors import shares_cases_with
from ventanilla.core.errors import NotFound
from ventanilla.core.pagination import DEFAULT_LIMIT, Page, keyset_page
from ventanilla.parties.models import Party

CASES_IN_360 = 50
# What a case is shown with (the API's CaseOut): read in the same query, never one per case.
CASE_RELATED = ("service", "department", "channel", "routing_rule", "assignee", "duplicate_of")


def visible_cases(actor: Actor, *, shared_by_consent: bool = False) -> QuerySet[Case]:
    """Cases of the actor's departments; with ``shared_by_consent`` (the caller checked a consent
    in force for one party and filters by it), those of every agency."""
    require(actor, Scope.CASES_READ)
    cases = Case.objects.all()
    if not actor.sees_everything and not shared_by_consent:
        cases = cases.filter(_in_reach(actor))
    return cases


def _in_reach(actor: Actor) -> Q:
    """The actor's departments' cases, and those another department asked them to help with."""
    agencies = list(actor.agency_ids)
    asked = CaseTask.objects.filter(case=OuterRef("pk"), to_department_id__in=agencies)
    return Q(department_id__in=agencies) | Q(Exists(asked))


def case_in_reach(actor: Actor, case: Case) -> bool:
    return (
        actor.sees_everything
        or actor.sees_agency(case.department_id)
        or CaseTask.objects.filter(case=case, to_department_id__in=list(actor.agency_ids)).exists()
    )


def cases_of_party(
    *, actor: Actor, party: Party, shared_by_consent: bool = False
) -> tuple[list[Case], list[Case]]:
    """Open and recent past cases of a party, in one query."""
    rows = list(
        visible_cases(actor, shared_by_consent=shared_by_consent)
        .filter(party=party)
        .select_related(*CASE_RELATED)
        .order_by("-is_open", "-opened_at")[: CASES_IN_360 * 2]
    )
    open_cases = [case for case in rows if case.is_open][:CASES_IN_360]
    past_cases = [case for case in rows if not case.is_open][:CASES_IN_360]
    return open_cases, past_cases


def case_get(*, actor: Actor, case_id: Any) -> Case:
    """A case by id or reference; another agency's case is reported as missing, unless a
    consent in force shares the party's cases with the actor's agency."""
    cases = Case.objects.select_related("party", *CASE_RELATED)
    try:
        case = cases.filter(pk=UUID(str(case_id))).first()
    except ValueError:
        case = cases.filter(reference=str(case_id).upper()).first()
    require(actor, Scope.CASES_READ, party_id=case.party_id if case else None)
    if case is not None and not (
        case_in_reach(actor, case) or shares_cases_with(actor=actor, party_id=case.party_id)
    ):
        case = None
    if case is None:
        raise NotFound(_("No such case."))
    audit_record(
        actor=actor,
        action=Action.CASE_READ,
        party_id=case.party_id,
        object_type="case",
        object_id=case.pk,
    )
    return case


def case_list(
    *,
    actor: Actor,
    party_id: Any = None,
    status: str | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[Case]:
    shared = party_id is not None and shares_cases_with(actor=actor, party_id=party_id)
    cases = visible_cases(actor, shared_by_consent=shared).select_related(*CASE_RELATED)
    if party_id is not None:
        cases = cases.filter(party_id=party_id)
    if status:
        cases = cases.filter(status=status)
    page = keyset_page(cases, order=["-opened_at", "-id"], cursor=cursor, limit=limit)
    audit_record(
        actor=actor,
        action=Action.CASE_LIST,
        party_id=party_id,
        detail={"status": status, "shown": [str(case.pk) for case in page.items]},
    )
    return page


def case_events(*, case: Case, public_only: bool = False) -> list[CaseEvent]:
    """The whole chain of a case, oldest first (read after ``case_get``, which audits it)."""
    events = case.events.select_related("from_department", "to_department", "task").order_by(
        "occurred_at", "created_at"
    )
    if public_only:
        events = events.filter(public=True)
    return list(events)


def case_tasks(*, case: Case) -> list[CaseTask]:
    return list(
        case.tasks.select_related("from_department", "to_department").order_by("created_at")
    )


def _requested_in_reach(actor: Actor, request: LifeEventRequest) -> bool:
    """Staff follow a life-event request when one of its cases is theirs."""
    return actor.sees_everything or visible_cases(actor).filter(life_event_request=request).exists()


@dataclass(frozen=True)
class CombinedStatus:
    """One status for all the cases a life-event request opened, as the citizen sees it."""

    request: LifeEventRequest
    cases: list[Case]
    status: str  # "waiting_citizen" | "in_progress" | "done"
    done: int


def life_event_status(*, actor: Actor, request_id: Any) -> CombinedStatus:
    if not actor.is_citizen:
        require(actor, Scope.CASES_READ)
    request = LifeEventRequest.objects.select_related("life_event").filter(pk=request_id).first()
    allowed = request is not None and (
        (actor.is_citizen and str(request.party_id) == actor.party_id)
        or (not actor.is_citizen and _requested_in_reach(actor, request))
    )
    if request is None or not allowed:
        raise NotFound(_("No such request."))
    # Staff see their own agencies' part of the request; the citizen sees all of it.
    rows = (
        request.cases.all()
        if actor.is_citizen
        else visible_cases(actor).filter(life_event_request=request)
    )
    cases = list(rows.select_related("service", "department").order_by("service__code"))
    done = sum(1 for case in cases if not case.is_open)
    if any(case.status == "waiting_citizen" for case in cases):
        status = "waiting_citizen"
    elif done == len(cases):
        status = "done"
    else:
        status = "in_progress"
    audit_record(
        actor=actor,
        action=Action.CASE_LIST,
        party_id=request.party_id,
        detail={"life_event_request": str(request.pk)},
    )
    return CombinedStatus(request=request, cases=cases, status=status, done=done)
