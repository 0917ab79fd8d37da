"""What changed on a member of staff's cases since they last opened them: the sign the queue puts
on a case the citizen answered, and the inbox of recent events (the citizen's replies, tasks
answered by other departments, escalations, cases handed over to the team). What a person has
seen is one ``CaseSeen`` row per case, moved on each time they open it
(``services.case_mark_seen``); an event after it is unread."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_record
from ventanilla.cases.models import CaseEvent, CaseSeen, CaseTask

# The inbox looks this far back and shows at most this many events.
INBOX_DAYS = 30
INBOX_SHOWN = 50

Kind = CaseEvent.Kind
NEWS_KINDS = [Kind.CITIZEN_REPLY, Kind.TASK, Kind.ESCALATION, Kind.TRANSFER]


def unseen_citizen_reply() -> Exists:
    """For a row of ``Case``: the citizen wrote after its assignee last opened it (an unassigned
    case: after anyone last did). An expression, so a queue page reads it in its own query."""
    seen_after = CaseSeen.objects.filter(
        case_id=OuterRef("case_id"),
        # Unassigned, the condition matches every row: whoever opened it.
        user_id=Coalesce(OuterRef(OuterRef("assignee_id")), F("user_id")),
        seen_at__gte=OuterRef("occurred_at"),
    )
    return Exists(
        CaseEvent.objects.filter(case_id=OuterRef("pk"), kind=Kind.CITIZEN_REPLY).filter(
            ~Exists(seen_after)
        )
    )


def _inbox_events(actor: Actor) -> QuerySet[CaseEvent]:
    """Recent events that concern the actor: on the open cases assigned to them and on their
    departments' open cases nobody has taken; not their own doing."""
    require(actor, Scope.CASES_READ)
    agencies = list(actor.agency_ids)
    if actor.sees_everything:
        team = Q(case__assignee__isnull=True)
        handed_to_us = Q(kind=Kind.TRANSFER)
    else:
        team = Q(case__assignee__isnull=True, case__department_id__in=agencies)
        handed_to_us = Q(kind=Kind.TRANSFER, to_department_id__in=agencies)
    what = (
        Q(kind=Kind.CITIZEN_REPLY)
        | Q(kind=Kind.ESCALATION)
        | Q(kind=Kind.TASK, action__in=[CaseTask.Status.DONE, CaseTask.Status.DECLINED])
        | handed_to_us
    )
    since = timezone.now() - timedelta(days=INBOX_DAYS)
    seen = CaseSeen.objects.filter(case_id=OuterRef("case_id"), user_id=OuterRef("reader"))
    return (
        CaseEvent.objects.filter(
            what,
            Q(case__assignee_id=actor.user_id) | team,
            # Said outright so the planner sees the partial index ``case_event_news_idx`` fits.
            kind__in=NEWS_KINDS,
            occurred_at__gte=since,
            # A finished case asks nothing more of anyone; the open ones are the queues' partial
            # indexes, so the department's whole archive is never walked.
            case__is_open=True,
        )
        .exclude(actor_id=actor.user_id)
        .alias(reader=Value(actor.user_id), seen_at=Subquery(seen.values("seen_at")[:1]))
    )


# An event the reader has not seen: after their last look at its case, or the case never opened.
UNREAD = Q(seen_at__isnull=True) | Q(occurred_at__gt=F("seen_at"))


@dataclass(frozen=True)
class Inbox:
    events: Sequence[CaseEvent]
    unread: int


def inbox(*, actor: Actor) -> Inbox:
    """The newest events that concern the actor, each with ``unread``, and how many are unread:
    two queries, however many there are. The cases shown are a reading, recorded as a list."""
    events = _inbox_events(actor)
    shown = list(
        events.annotate(unread=ExpressionWrapper(UNREAD, output_field=BooleanField()))
        .select_related(
            "case", "case__service", "case__party", "task", "from_department", "to_department"
        )
        .order_by("-occurred_at", "-created_at")[:INBOX_SHOWN]
    )
    audit_record(
        actor=actor,
        action=Action.CASE_LIST,
        detail={"inbox": True, "shown": [str(c) for c in dict.fromkeys(e.case_id for e in shown)]},
    )
    return Inbox(events=shown, unread=events.filter(UNREAD).count())


def unread_count(*, actor: Actor) -> int:
    """How many events of the actor's inbox they have not seen (for the menu): one query."""
    if actor.user_id is None or not actor.can(Scope.CASES_READ):
        return 0
    return _inbox_events(actor).filter(UNREAD).count()
