"""The permission check every service and selector makes, and the trace a refusal leaves.

A refusal is raised inside whatever transaction the service opened, and that transaction is
rolled back with the exception: an entry written there would be lost with it. So at each door
(a request: ``RefusalsKeptMiddleware``; a command: ``ventanilla.__main__``) refusals met inside
a transaction are kept aside and written once the door's work is over, outside it. Without a
door around it (a shell, a background job) a refusal is written at once, as before. A second
database connection is not an option: on SQLite it would wait on the write lock the first holds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.models import Scope
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_record
from ventanilla.core.errors import PermissionDenied


@dataclass(frozen=True)
class _Refusal:
    actor: Actor
    party_id: Any
    detail: dict[str, Any]


# The refusals kept aside by the innermost door around the current code (None: no door).
_kept: ContextVar[list[_Refusal] | None] = ContextVar("kept_refusals", default=None)


def require(actor: Actor, scope: str, *, party_id: Any = None) -> None:
    """Refuse, and record the refusal in the audit log, unless ``actor`` may act with ``scope``."""
    if actor.can(scope):
        return
    needed = str(Scope(scope).label) if scope in Scope.values else ""
    refuse(
        actor,
        party_id=party_id,
        detail={"scope": scope},
        # The person is told which permission their roles lack, in words.
        message=_("This needs the permission “%(what)s”.") % {"what": needed} if needed else None,
    )


def require_operator(actor: Actor, *, what: str) -> None:
    """Refuse, and record it, unless ``actor`` acts for the whole installation: the operator at
    the command line or a superuser. ``what`` names what was refused, for the audit log."""
    if actor.sees_everything:
        return
    refuse(actor, detail={"operator": what})


def refuse(
    actor: Actor, *, party_id: Any = None, detail: dict[str, Any], message: str | None = None
) -> None:
    """Record the refusal in the audit log (now, or when the door's work is over if a transaction
    is open) and raise it."""
    refusal = _Refusal(actor=actor, party_id=party_id, detail=detail)
    kept = _kept.get()
    if kept is not None and transaction.get_connection().in_atomic_block:
        kept.append(refusal)
    else:
        _record([refusal])
    raise PermissionDenied(message or _("You may not do this."))


@contextmanager
def refusals_kept() -> Iterator[None]:
    """Around the work of one door: the refusals met inside a transaction are written when the
    work ends, however it ends, once that transaction is over (committed or rolled back)."""
    token = _kept.set([])
    try:
        yield
    finally:
        kept = _kept.get() or []
        _kept.reset(token)
        outer = _kept.get()
        if kept and outer is not None and transaction.get_connection().in_atomic_block:
            outer.extend(kept)  # a door inside a transaction: the outer door writes them
        elif kept:
            _record(kept)


def _record(refusals: list[_Refusal]) -> None:
    for refusal in refusals:
        audit_record(
            actor=refusal.actor,
            action=Action.ACCESS_DENIED,
            party_id=refusal.party_id,
            detail=refusal.detail,
        )


class RefusalsKeptMiddleware:
    """The door of every page and API call: see ``refusals_kept``. It sits inside the request-id
    middleware, so a refusal written at the end still names its request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with refusals_kept():
            return self.get_response(request)
