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
    from ventanilla.audit.actions import Action
    from ventanilla.audit.services import audit_record

    audit_record(
        actor=actor, action=Action.ACCESS_DENIED, party_id=party_id, detail={"scope": scope}
    )
    raise PermissionDenied(_("You may not do this."))
