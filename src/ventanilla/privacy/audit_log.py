"""Reading the audit log: who looked at a citizen and why, what a member of staff looked at.
Only data-protection officers and administrators may, and their reading is itself recorded.
The citizen's own view of it, the disclosure log, is ``privacy.selectors``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Final

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.models import Scope
from ventanilla.audit.actions import Action
from ventanilla.audit.models import AuditEntry
from ventanilla.audit.services import audit_record
from ventanilla.core.errors import PermissionDenied
from ventanilla.core.pagination import DEFAULT_LIMIT, Page, keyset_page

# An export is for a question with an answer of a reasonable size; past this, narrow the filters.
EXPORT_LIMIT: Final = 10_000


def may_read_audit(actor: Actor) -> bool:
    return actor.can(Scope.AUDIT_READ)


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """What the reader asked for: one party, one actor, one kind of action, a range of days
    (both ends included, in the administration's time zone)."""

    party_id: Any = None
    actor_label: str | None = None
    action: str | None = None
    since: date | None = None
    until: date | None = None

    def detail(self) -> dict[str, Any]:
        return {
            "actor": self.actor_label,
            "action": self.action,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _filtered(actor: Actor, filters: AuditFilter) -> QuerySet[AuditEntry]:
    if not may_read_audit(actor):
        audit_record(
            actor=actor,
            action=Action.ACCESS_DENIED,
            party_id=filters.party_id,
            detail={"scope": "audit"},
        )
        raise PermissionDenied(_("Only data-protection officers may read the audit log."))
    entries: QuerySet[AuditEntry] = AuditEntry.objects.all()
    if filters.party_id is not None:
        entries = entries.filter(party_id=filters.party_id)
    if filters.actor_label:
        entries = entries.filter(actor=filters.actor_label)
    if filters.action:
        entries = entries.filter(action=filters.action)
    if filters.since:
        entries = entries.filter(at__gte=_start_of(filters.since))
    if filters.until:
        entries = entries.filter(at__lt=_start_of(filters.until + timedelta(days=1)))
    return entries


def audit_entries(
    *,
    actor: Actor,
    party_id: Any = None,
    actor_label: str | None = None,
    action: str | None = None,
    since: date | None = None,
    until: date | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[AuditEntry]:
    """Entries about one party and/or by one actor (user name or api:<key name>), of one kind
    of action and within a range of days, newest first."""
    filters = AuditFilter(party_id, actor_label, action, since, until)
    entries = _filtered(actor, filters)
    page = keyset_page(entries, order=["-id"], cursor=cursor, limit=limit)
    audit_record(
        actor=actor,
        action=Action.AUDIT_READ,
        party_id=party_id,
        detail={**filters.detail(), "shown": len(page.items)},
    )
    return page


def audit_entries_export(
    *,
    actor: Actor,
    party_id: Any = None,
    actor_label: str | None = None,
    action: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> list[AuditEntry]:
    """The same entries as ``audit_entries`` for a download, newest first, up to
    ``EXPORT_LIMIT``; taking them away is a read of its own and recorded as such."""
    filters = AuditFilter(party_id, actor_label, action, since, until)
    entries = list(_filtered(actor, filters).order_by("-id")[:EXPORT_LIMIT])
    audit_record(
        actor=actor,
        action=Action.AUDIT_READ,
        party_id=party_id,
        detail={**filters.detail(), "exported": len(entries), "format": "csv"},
    )
    return entries
