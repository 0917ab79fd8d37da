"""Reads of cases, scoped to the departments the actor acts in."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Membership, Scope
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_record
from ventanilla.cases.lifecycle import Transition, actions_from
from ventanilla.cases.models import Case, CaseEvent, CaseStatus, CaseTask, LifeEventRequest
from ventanilla.catalog.models import Agency
from ventanilla.consent.selectors import shares_cases_with
from ventanilla.core.errors import NotFound, PermissionDenied, ValidationFailed
from ventanilla.core.pagination import DEFAULT_LIMIT, Page, keyset_page
from ventanilla.interactions.models import InteractionAttachment
from ventanilla.parties.models import Party

CASES_IN_360 = 50
# What a case is shown with (the API's CaseOut): read in the same query, never one per case.
CASE_RELATED = (
    "party",
    "service",
    "department",
    "channel",
    "routing_rule",
    "assignee",
    "duplicate_of",
)


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


# Steps that need someone to answer: not for a report made without a name.
NEEDS_SOMEONE = frozenset({"ask_citizen"})


def staff_steps(case: Case) -> list[Transition]:
    """The steps staff can take on the case now: those of its status, less asking the citizen
    when there is nobody to ask (a report made without a name)."""
    steps = actions_from(case.status)
    if case.party.kind == Party.Kind.ANONYMOUS:
        steps = [step for step in steps if step.action not in NEEDS_SOMEONE]
    return steps


def case_get(*, actor: Actor, case_id: Any) -> Case:
    """A case by id or reference; another agency's case is reported as missing, unless a
    consent in force shares the party's cases with the actor's agency."""
    cases = Case.objects.select_related(*CASE_RELATED)
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
    status = combined_status(cases)
    audit_record(
        actor=actor,
        action=Action.CASE_LIST,
        party_id=request.party_id,
        detail={"life_event_request": str(request.pk)},
    )
    return CombinedStatus(request=request, cases=cases, status=status, done=done)


def case_documents(case: Case) -> list[InteractionAttachment]:
    """Every document brought with the case's contacts, oldest first (read after ``case_get``)."""
    return list(InteractionAttachment.objects.filter(interaction__case=case).order_by("created_at"))


def staff_of(department: Agency) -> Q:
    """Memberships that reach ``department``: of it, or of an agency above it."""
    ancestors = [department.path[:i] for i, ch in enumerate(department.path) if ch == "/"]
    return Q(agency__path__in=[*ancestors, department.path])


def staff_user_id(username: str | None) -> int | None:
    """The id of an active member of staff by user name (None stays None: unassigned)."""
    if username is None:
        return None
    user_id = (
        get_user_model()
        .objects.filter(username=username, is_active=True)
        .values_list("pk", flat=True)
        .first()
    )
    if user_id is None:
        raise ValidationFailed({"assignee": _("No such member of staff.")})
    return int(user_id)


def _case_handlers(memberships: Q) -> list[Any]:
    """Active staff holding one of ``memberships`` in a role that works on cases."""
    user_ids = (
        Membership.objects.filter(memberships)
        .exclude(role__in=["analyst", "dpo"])
        .values_list("user_id", flat=True)
    )
    return list(
        get_user_model()
        .objects.filter(pk__in=user_ids, is_active=True)
        .order_by("first_name", "username")
    )


def assignable_users(department: Agency) -> list[Any]:
    """Staff who may be given a case of ``department``."""
    return _case_handlers(staff_of(department))


def colleagues_of(actor: Actor) -> list[Any]:
    """Staff a supervisor may give cases to: of the actor's agencies and the departments below."""
    return _case_handlers(Q(agency_id__in=list(actor.agency_ids)))


# -- Duplicates ---------------------------------------------------------------------------


def _metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine), enough for "the same street corner"."""
    radius = 6_371_000
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * radius * math.asin(math.sqrt(a))


@dataclass(frozen=True)
class LikelyDuplicate:
    case: Case
    metres: float | None


def likely_duplicates(*, actor: Actor, case: Case, limit: int = 5) -> list[LikelyDuplicate]:
    """Earlier open cases of the same service near the same place within a few days, among those
    the actor may read (``visible_cases``): offered to staff, never merged on their own. Read
    after ``case_get``; the cases offered are a reading of their own, recorded as a list."""
    if case.latitude is None and not case.location_text:
        return []
    since = case.opened_at - timedelta(days=settings.VENTANILLA_DUPLICATE_DAYS)
    candidates = (
        visible_cases(actor)
        .filter(
            service_id=case.service_id,
            opened_at__gte=since,
            opened_at__lte=case.opened_at,
            is_open=True,
            duplicate_of__isnull=True,
        )
        .exclude(pk=case.pk)
    )
    metres = settings.VENTANILLA_DUPLICATE_METRES
    found: list[LikelyDuplicate] = []
    if case.latitude is not None and case.longitude is not None:
        # A box around the point first, so the index does the work; then the true distance.
        dlat = metres / 111_000
        dlon = metres / (111_000 * max(math.cos(math.radians(case.latitude)), 0.01))
        near = candidates.filter(
            latitude__range=(case.latitude - dlat, case.latitude + dlat),
            longitude__range=(case.longitude - dlon, case.longitude + dlon),
        ).select_related("department")[:50]
        for other in near:
            assert other.latitude is not None and other.longitude is not None  # noqa: S101
            distance = _metres(case.latitude, case.longitude, other.latitude, other.longitude)
            if distance <= metres:
                found.append(LikelyDuplicate(other, round(distance)))
        found.sort(key=lambda d: d.metres or 0)
    elif case.location_text:
        same_place = candidates.filter(location_text__iexact=case.location_text.strip())
        found = [LikelyDuplicate(other, None) for other in same_place[:limit]]
    found = found[:limit]
    audit_record(
        actor=actor,
        action=Action.CASE_LIST,
        detail={
            "likely_duplicates_of": str(case.pk),
            "shown": [str(duplicate.case.pk) for duplicate in found],
        },
    )
    return found


# -- The citizen's own cases (portal) -------------------------------------------------------

MY_CASES_SHOWN = 100


def _party_id(actor: Actor) -> str:
    if actor.party_id is None:
        raise PermissionDenied(_("Only the person themself may see this page."))
    return actor.party_id


@dataclass(frozen=True)
class MyRequest:
    """A life-event request as one entry of "My cases": its cases, and one status for them."""

    request: LifeEventRequest
    cases: list[Case]
    is_group = True

    @property
    def is_open(self) -> bool:
        return any(case.is_open for case in self.cases)

    @property
    def done(self) -> int:
        return sum(1 for case in self.cases if not case.is_open)

    @property
    def status(self) -> str:
        return combined_status(self.cases)

    @property
    def due_date(self) -> date:
        """The soonest due of its open cases (of all, once none is open)."""
        open_dates = [case.due_date for case in self.cases if case.is_open]
        return min(open_dates or [case.due_date for case in self.cases])


def combined_status(cases: list[Case]) -> str:
    """One word for several cases: waiting for the citizen if any is, done when all are."""
    if any(case.status == CaseStatus.WAITING_CITIZEN for case in cases):
        return "waiting_citizen"
    if all(not case.is_open for case in cases):
        return "done"
    return "in_progress"


MyEntry = Case | MyRequest


def my_cases(*, actor: Actor) -> tuple[list[MyEntry], list[MyEntry]]:
    """The citizen's open cases (soonest due first) and finished ones (newest first), in one
    query; the cases of a life-event request are one entry, open while any of them is."""
    party_id = _party_id(actor)
    rows = list(
        Case.objects.filter(party_id=party_id)
        .select_related("service", "department", "life_event_request__life_event")
        .order_by("-is_open", "-opened_at")[:MY_CASES_SHOWN]
    )
    groups: dict[Any, list[Case]] = {}
    entries: list[MyEntry] = []
    for case in sorted(rows, key=lambda c: (c.service.name, c.reference)):
        if case.life_event_request_id is None:
            entries.append(case)
        else:
            groups.setdefault(case.life_event_request_id, []).append(case)
    for cases in groups.values():
        request = cases[0].life_event_request
        assert request is not None  # noqa: S101 - grouped by it above
        entries.append(MyRequest(request=request, cases=cases))
    open_entries = sorted((e for e in entries if e.is_open), key=lambda e: (e.due_date, _opened(e)))
    past_entries = sorted((e for e in entries if not e.is_open), key=_opened, reverse=True)
    audit_record(
        actor=actor,
        action=Action.PARTY_SELF_VIEW,
        party_id=party_id,
        object_type="party",
        object_id=party_id,
        detail={"page": "cases", "shown": len(rows)},
    )
    return open_entries, past_entries


def _opened(entry: MyEntry) -> datetime:
    if isinstance(entry, MyRequest):
        return entry.request.requested_at
    return entry.opened_at


@dataclass(frozen=True)
class MyCase:
    """One of the citizen's cases as they may see it: no internal note, no staff name."""

    case: Case
    events: list[CaseEvent]
    # What the office asked for, while the case waits for the citizen.
    asked: str
    # The names of the files the citizen sent with each of their replies, by event.
    sent_files: dict[Any, list[str]] = field(default_factory=dict)


def my_case(*, actor: Actor, reference: str) -> MyCase:
    """The citizen's own case by reference with its public chain; anyone else's is missing."""
    party_id = _party_id(actor)
    case = (
        Case.objects.select_related("service", "department")
        .filter(reference=reference.upper(), party_id=party_id)
        .first()
    )
    if case is None:
        raise NotFound(_("No such case."))
    events = case_events(case=case, public_only=True)
    asked = ""
    if case.status == CaseStatus.WAITING_CITIZEN:
        asks = [e for e in events if e.to_status == CaseStatus.WAITING_CITIZEN]
        asked = asks[-1].text if asks else ""
    replies = {
        e.interaction_id: e.pk
        for e in events
        if e.kind == CaseEvent.Kind.CITIZEN_REPLY and e.interaction_id
    }
    sent_files: dict[Any, list[str]] = {}
    if replies:
        for interaction_id, name in (
            InteractionAttachment.objects.filter(interaction_id__in=list(replies))
            .order_by("created_at")
            .values_list("interaction_id", "file_name")
        ):
            sent_files.setdefault(replies[interaction_id], []).append(name)
    audit_record(
        actor=actor,
        action=Action.PARTY_SELF_VIEW,
        party_id=party_id,
        object_type="case",
        object_id=case.pk,
    )
    return MyCase(case=case, events=events, asked=asked, sent_files=sent_files)


# The public reads of the Open311 door: the cases that door opened, never a party's data.
PUBLIC_CASES_LIMIT = 1000
PUBLIC_CASES_DAYS = 90


def public_cases(
    *,
    channel: str,
    references: list[str] | None = None,
    service_codes: list[str] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    is_open: bool | None = None,
) -> list[Case]:
    """Cases opened on ``channel`` as the public may see them (service, status, place, what was
    reported; no party), newest first. Named references override every other filter; without
    dates the last ``PUBLIC_CASES_DAYS`` days are read, as GeoReport v2 says."""
    cases = Case.objects.filter(channel_id=channel).select_related("service", "department")
    if references:
        cases = cases.filter(reference__in=[r.strip().upper() for r in references])
    else:
        if service_codes:
            cases = cases.filter(service__code__in=service_codes)
        if start is None and end is None:
            start = timezone.now() - timedelta(days=PUBLIC_CASES_DAYS)
        if start is not None:
            cases = cases.filter(opened_at__gte=start)
        if end is not None:
            cases = cases.filter(opened_at__lte=end)
        if is_open is not None:
            cases = cases.filter(is_open=is_open)
    return list(cases.order_by("-opened_at", "-id")[:PUBLIC_CASES_LIMIT])


def public_case(*, channel: str, reference: str) -> Case:
    """One case opened on ``channel``, by its reference, as ``public_cases`` shows it."""
    case = (
        Case.objects.filter(channel_id=channel, reference=reference.strip().upper())
        .select_related("service", "department")
        .first()
    )
    if case is None:
        raise NotFound(_("No such service request."))
    return case
