"""The right of access: everything the administration holds on one person, in one document."""

from __future__ import annotations

from typing import Any

from django.forms.models import model_to_dict

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.audit.actions import Action
from ventanilla.audit.models import AuditEntry
from ventanilla.audit.services import audit_record
from ventanilla.cases.models import Case
from ventanilla.consent.models import Consent
from ventanilla.core.errors import NotFound
from ventanilla.identity.models import SourceRecord
from ventanilla.interactions.models import Interaction
from ventanilla.parties.models import Party


def _plain(row: Any, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    data = model_to_dict(row, exclude=["party", *exclude])
    data["id"] = str(row.pk)
    return {key: value for key, value in data.items() if value not in ("", None, [], {})}


def party_export(*, actor: Actor, party_id: Any) -> dict[str, Any]:
    """Everything held on the party, including who read or reused it (the disclosure log).

    Staff who may read parties export anyone's; a citizen in the portal exports only their own,
    and sees the members of staff in their disclosure log by role, not by name."""
    by_subject = actor.party_id is not None and actor.party_id == str(party_id)
    if not by_subject:
        require(actor, Scope.PARTIES_READ, party_id=party_id)
    staff_names = ("recorded_by", "recorded_by_label") if by_subject else ()
    party = Party.objects.filter(pk=party_id).first()
    if party is None:
        raise NotFound("No such party.")
    interactions = (
        Interaction.objects.filter(party=party)
        .select_related("channel", "agency", "service", "case")
        .order_by("-occurred_at")
    )
    cases = Case.objects.filter(party=party).select_related("service", "department")
    document = {
        "party": _plain(party, exclude=("sort_name",)),
        "identifiers": [_plain(i) for i in party.identifiers.all()],
        "contact_points": [_plain(c, exclude=("normalized",)) for c in party.contact_points.all()],
        "profile_attributes": [_plain(a) for a in party.attributes.all()],
        "represents": [_plain(r, exclude=("representative",)) for r in party.represents.all()],
        "represented_by": [_plain(r, exclude=("represented",)) for r in party.represented_by.all()],
        "consents": [
            {**_plain(c, exclude=staff_names), "recipient": c.recipient.code}
            for c in Consent.objects.filter(party=party).select_related("recipient")
        ],
        "cases": [
            {
                "reference": c.reference,
                "service": c.service.code,
                "department": c.department.code,
                "status": c.status,
                "opened_at": c.opened_at,
                "due_date": c.due_date,
                "closed_at": c.closed_at,
                "description": c.description,
                "location": c.location_text,
            }
            for c in cases
        ],
        "interactions": [
            {
                "occurred_at": i.occurred_at,
                "channel": i.channel_id,
                "agency": i.agency.code,
                "kind": i.kind,
                "service": i.service.code if i.service else None,
                "case": i.case.reference if i.case else None,
                "summary": i.summary,
            }
            for i in interactions.iterator(chunk_size=2000)
        ],
        "records_in_other_systems": [
            {"agency": s.agency.code, "source_key": s.source_key}
            for s in SourceRecord.objects.filter(party=party).select_related("agency")
        ],
        "disclosure_log": [
            {
                "at": e.at,
                "who": (e.roles or "system") if by_subject else e.actor,
                "agencies": e.agencies,
                "action": e.action,
                "purpose": e.purpose,
            }
            for e in AuditEntry.objects.filter(party_id=party.pk).order_by("id")
        ],
    }
    audit_record(
        actor=actor,
        action=Action.PARTY_EXPORT,
        party_id=party.pk,
        object_type="party",
        object_id=party.pk,
        purpose="GDPR art. 15 access request",
    )
    return document
