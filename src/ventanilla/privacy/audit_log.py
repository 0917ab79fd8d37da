"""Reading the audit log: who looked at a citizen and why, what a member of staff looked at.
Only data-protection officers and administrators may, and their reading is itself recorded.
The citizen's own view of it, the disclosure log, is ``privacy.selectors``."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.models import Scope
from ventanilla.audit.actions import Action
from ventanilla.audit.models import AuditEntry
from ventanilla.audit.services import audit_record
from ventanilla.core.errors import PermissionDenied
from ventanilla.core.pagination import DEFAULT_LIMIT, Page, keyset_page


def may_read_audit(actor: Actor) -> bool:
    return actor.can(Scope.AUDIT_READ)


def audit_entries(
    *,
    actor: Actor,
    party_id: Any = None,
    actor_label: str | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[AuditEntry]:
    """Entries about one party and/or by one actor (user name or api:<key name>), newest first."""
    if not may_read_audit(actor):
        audit_record(
            actor=actor, action=Action.ACCESS_DENIED, party_id=party_id, detail={"scope": "audit"}
        )
        raise PermissionDenied(_("Only data-protection officers may read the audit log."))
    entries: QuerySet[AuditEntry] = AuditEntry.objects.all()
    if party_id is not None:
        entries = entries.filter(party_id=party_id)
    if actor_label:
        entries = entries.filter(actor=actor_label)
    page = keyset_page(entries, order=["-id"], cursor=cursor, limit=limit)
    audit_record(
        actor=actor,
        action=Action.AUDIT_READ,
        party_id=party_id,
        detail={"actor": actor_label, "shown": len(page.items)},
    )
    return page
