"""The permission check every service and selector makes, and the trace a refusal leaves."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.core.errors import PermissionDenied


def require(actor: Actor, scope: str, *, party_id: Any = None) -> None:
    """Refuse, and record the refusal in the audit log, unless ``actor`` may act with ``scope``."""
    if actor.can(scope):
        return
    refuse(actor, party_id=party_id, detail={"scope": scope})


def require_operator(actor: Actor, *, what: str) -> None:
    """Refuse, and record it, unless ``actor`` acts for the whole installation: the operator at
    the command line or a superuser. ``what`` names what was refused, for the audit log."""
    if actor.sees_everything:
        return
    refuse(actor, detail={"operator": what})


def refuse(actor: Actor, *, party_id: Any = None, detail: dict[str, Any]) -> None:
    """Record the refusal in the audit log and raise it."""
    from ventanilla.audit.actions import Action
    from ventanilla.audit.services import audit_record

    audit_record(actor=actor, action=Action.ACCESS_DENIED, party_id=party_id, detail=detail)
    raise PermissionDenied(_("You may not do this."))
