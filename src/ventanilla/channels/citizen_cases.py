"""Reads of the signed-in citizen's own cases for the portal: their list, one case with its
public chain, and the catalogue they can ask from. Each read of a case is audited as the person
looking at their own data, so it never shows up in their "Who has used my data".

These are selectors; they live beside the portal only because ``cases/selectors.py`` is being
rewritten in parallel. They belong there, next to ``life_event_status``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_record
from ventanilla.cases.models import Case, CaseEvent, CaseStatus
from ventanilla.cases.selectors import case_events
from ventanilla.catalog.models import LifeEvent, PublicService
from ventanilla.core.errors import NotFound, PermissionDenied

MY_CASES_SHOWN = 100


def _party_id(actor: Actor) -> str:
    if actor.party_id is None:
        raise PermissionDenied(_("Only the person themself may see this page."))
    return actor.party_id


def my_cases(*, actor: Actor) -> tuple[list[Case], list[Case]]:
    """The citizen's open cases (soonest due first) and finished ones (newest first), in one
    query."""
    party_id = _party_id(actor)
    rows = list(
        Case.objects.filter(party_id=party_id)
        .select_related("service", "department")
        .order_by("-is_open", "-opened_at")[:MY_CASES_SHOWN]
    )
    open_cases = sorted((c for c in rows if c.is_open), key=lambda c: (c.due_date, c.reference))
    past_cases = [c for c in rows if not c.is_open]
    audit_record(
        actor=actor,
        action=Action.PARTY_SELF_VIEW,
        party_id=party_id,
        object_type="party",
        object_id=party_id,
        detail={"page": "cases", "shown": len(rows)},
    )
    return open_cases, past_cases


@dataclass(frozen=True)
class MyCase:
    """One of the citizen's cases as they may see it: no internal note, no staff name."""

    case: Case
    events: list[CaseEvent]
    # What the office asked for, while the case waits for the citizen.
    asked: str


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
    audit_record(
        actor=actor,
        action=Action.PARTY_SELF_VIEW,
        party_id=party_id,
        object_type="case",
        object_id=case.pk,
    )
    return MyCase(case=case, events=events, asked=asked)


def requestable_services() -> list[PublicService]:
    """Active services a citizen can ask for on the web, by name."""
    services = PublicService.objects.filter(active=True).select_related("department")
    return sorted(services, key=lambda s: s.name)


def requestable_service(*, code: str) -> PublicService:
    service = PublicService.objects.filter(code=code, active=True).first()
    if service is None:
        raise NotFound(_("Unknown service."))
    return service


def life_events_by_kind() -> list[tuple[str, list[LifeEvent]]]:
    """Life events and business events, each group in name order (one query)."""
    events = list(LifeEvent.objects.all())
    groups = []
    for kind, label in LifeEvent.Kind.choices:
        chosen = sorted((e for e in events if e.kind == kind), key=lambda e: e.name)
        if chosen:
            groups.append((str(label), chosen))
    return groups


def life_event_with_services(*, code: str) -> tuple[LifeEvent, list[PublicService]]:
    event = LifeEvent.objects.filter(code=code).first()
    if event is None:
        raise NotFound(_("Unknown life event."))
    services = sorted(
        event.services.filter(active=True).select_related("department"), key=lambda s: s.name
    )
    return event, services
