"""The life of a case as a state machine: which steps exist, from where, to where, and whether
the step needs a reason. ``services.case_transition`` applies them; everything that shows the
steps (console buttons, API documentation) reads this table, so they cannot drift apart.

    new → accepted → in progress ⇄ waiting for the citizen → resolved → closed
    rejected and cancelled end a case early; reopen brings a resolved, closed or rejected case
    back to work. The citizen's answer to a case waiting for them is a step of its own, taken by
    the citizen (``citizen_reply``): it puts the case back to work and restarts its clock.
"""

from __future__ import annotations

from typing import NamedTuple

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ventanilla.cases.models import CaseStatus
from ventanilla.notifications.models import NotificationEvent

STAFF = "staff"
CITIZEN = "citizen"


class Transition(NamedTuple):
    action: str
    sources: frozenset[str]
    target: str
    label: Promise
    needs_reason: bool
    # What the citizen is told, if anything.
    notify: str | None
    # Who may take the step: staff (console, API), the citizen on their own case (portal), or both.
    taken_by: frozenset[str] = frozenset({STAFF})


S = CaseStatus

TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition(
            "accept", frozenset({S.NEW}), S.ACCEPTED, _("Accept"), False, NotificationEvent.ACCEPTED
        ),
        Transition("start", frozenset({S.ACCEPTED}), S.IN_PROGRESS, _("Start work"), False, None),
        Transition(
            "ask_citizen",
            frozenset({S.ACCEPTED, S.IN_PROGRESS}),
            S.WAITING_CITIZEN,
            _("Ask the citizen"),
            True,
            NotificationEvent.WAITING_CITIZEN,
        ),
        Transition(
            "resume", frozenset({S.WAITING_CITIZEN}), S.IN_PROGRESS, _("Resume work"), False, None
        ),
        Transition(
            "resolve",
            frozenset({S.ACCEPTED, S.IN_PROGRESS, S.WAITING_CITIZEN}),
            S.RESOLVED,
            _("Resolve"),
            True,
            NotificationEvent.RESOLVED,
        ),
        Transition(
            "close", frozenset({S.RESOLVED}), S.CLOSED, _("Close"), False, NotificationEvent.CLOSED
        ),
        Transition(
            "reject",
            frozenset({S.NEW, S.ACCEPTED}),
            S.REJECTED,
            _("Reject"),
            True,
            NotificationEvent.REJECTED,
        ),
        Transition(
            "cancel",
            frozenset({S.NEW, S.ACCEPTED, S.IN_PROGRESS, S.WAITING_CITIZEN}),
            S.CANCELLED,
            _("Cancel"),
            True,
            NotificationEvent.CANCELLED,
            frozenset({STAFF, CITIZEN}),
        ),
        Transition(
            "citizen_reply",
            frozenset({S.WAITING_CITIZEN}),
            S.IN_PROGRESS,
            _("The citizen replied"),
            False,
            None,
            frozenset({CITIZEN}),
        ),
        Transition(
            "reopen",
            frozenset({S.RESOLVED, S.CLOSED, S.REJECTED}),
            S.IN_PROGRESS,
            _("Reopen"),
            True,
            NotificationEvent.REOPENED,
        ),
    )
}

# What a citizen may do to their own case from the portal.
CITIZEN_ACTIONS = frozenset(t.action for t in TRANSITIONS.values() if CITIZEN in t.taken_by)
STAFF_ACTIONS = frozenset(t.action for t in TRANSITIONS.values() if STAFF in t.taken_by)

MIN_REASON = 3


def actions_from(status: str, *, taken_by: str = STAFF) -> list[Transition]:
    """The steps a case in ``status`` can take, in the table's order: by default those staff
    take (the console's buttons, the API's ``next_steps``)."""
    return [t for t in TRANSITIONS.values() if status in t.sources and taken_by in t.taken_by]
