"""The person's disclosure log: who else read or reused their data, when, and on what basis —
their consent, or the administration's public task. Read from the audit log, shown in the portal
and handed over in the export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.models import Role
from ventanilla.audit.actions import Action
from ventanilla.audit.models import AuditEntry
from ventanilla.audit.services import audit_record
from ventanilla.catalog.models import Agency
from ventanilla.consent.models import Consent, LegalBasis
from ventanilla.core.errors import PermissionDenied
from ventanilla.core.pagination import DEFAULT_LIMIT, keyset_page


@dataclass(frozen=True)
class Disclosure:
    """One use of a person's data by someone else, as the person is shown it."""

    at: datetime
    action: str
    what: str
    agencies: list[str]
    who: str
    purpose: str
    consent: Consent | None
    basis: str


@dataclass(frozen=True)
class Disclosures:
    items: list[Disclosure]
    next_cursor: str | None


def _consent_named(entry: AuditEntry) -> str | None:
    detail = entry.detail if isinstance(entry.detail, dict) else {}
    for key in ("consent", "consent_id"):
        if detail.get(key):
            return str(detail[key])
    # A data-sharing answer names every consent it relied on; the first stands for them.
    if isinstance(detail.get("consents"), list) and detail["consents"]:
        return str(detail["consents"][0])
    return entry.object_id if entry.object_type == "consent" and entry.object_id else None


def _basis_named(entry: AuditEntry) -> str:
    """The legal basis an entry states (a sharing request names one), else the public task."""
    named = entry.detail.get("basis") if isinstance(entry.detail, dict) else None
    return named if named in LegalBasis.values else LegalBasis.PUBLIC_TASK


def _who(entry: AuditEntry) -> str:
    """The role, never the name: the person learns which kind of staff, not which colleague."""
    roles = [code for code in entry.roles.split(",") if code]
    if roles:
        return ", ".join(str(Role(code).label) if code in Role.values else code for code in roles)
    if entry.api_key_id:
        return _("Another system of the agency, through the API")
    if entry.actor.startswith("command:"):
        return _("A system operator")
    if entry.actor.startswith("citizen:"):
        return _("Another person, through the portal")
    if entry.actor.startswith("agency:"):
        return _("The agency that holds the data, answering another's request")
    if entry.actor.startswith("system:"):
        return _("An automatic process (the retention rules)")
    return _("A member of staff")


def describe_disclosures(entries: list[AuditEntry], *, party_id: Any) -> list[Disclosure]:
    """The entries as the person is shown them (agencies by name, staff by role, the consent
    or other basis relied on), in two queries however many: the agencies and the consents."""
    codes = {code for entry in entries for code in entry.agencies.split(",") if code}
    agencies = {agency.code: agency.name for agency in Agency.objects.filter(code__in=codes)}
    consent_ids = {cid for entry in entries if (cid := _consent_named(entry))}
    consents: dict[str, Consent] = {}
    if consent_ids:
        valid = [cid for cid in consent_ids if _is_uuid(cid)]
        consents = {
            str(consent.pk): consent
            for consent in Consent.objects.filter(pk__in=valid, party_id=party_id)
        }
    items = []
    for entry in entries:
        consent = consents.get(_consent_named(entry) or "")
        items.append(
            Disclosure(
                at=entry.at,
                action=entry.action,
                what=str(Action(entry.action).label) if entry.action in Action.values else "",
                agencies=[agencies.get(code, code) for code in entry.agencies.split(",") if code],
                who=_who(entry),
                purpose=consent.purpose if consent else entry.purpose,
                consent=consent,
                basis=str(
                    LegalBasis(consent.legal_basis if consent else _basis_named(entry)).label
                ),
            )
        )
    return items


def disclosures_of_party(
    *, actor: Actor, cursor: str | None = None, limit: int = DEFAULT_LIMIT
) -> Disclosures:
    """Who else read or changed the signed-in citizen's data, newest first, in a constant number
    of queries: the page of entries, the agencies they name, and the consents they rely on.

    The citizen's own actions (including reading this page) are left out."""
    if actor.party_id is None:
        raise PermissionDenied(_("Only the person themself may see this page."))
    entries = AuditEntry.objects.filter(party_id=actor.party_id).exclude(actor=actor.label)
    page = keyset_page(entries, order=["-id"], cursor=cursor, limit=limit)
    items = describe_disclosures(page.items, party_id=actor.party_id)
    audit_record(
        actor=actor,
        action=Action.PARTY_DISCLOSURES,
        party_id=actor.party_id,
        detail={"shown": len(items), "page": bool(cursor)},
    )
    return Disclosures(items=items, next_cursor=page.next_cursor)


def _is_uuid(value: str) -> bool:
    try:
        UUID(value)
    except ValueError:
        return False
    return True
