"""Data-sharing between agencies ("once-only"): one agency asks another for what it already holds
on a party, for a stated purpose, and gets it only where a consent in force or a named legal basis
covers every category asked for. The request and the answer are both written to the audit log, so
the citizen's disclosure log shows who received what, and why."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_record
from ventanilla.cases.models import Case
from ventanilla.catalog.models import Agency
from ventanilla.consent.models import Consent, LegalBasis
from ventanilla.consent.selectors import consents_in_force_for
from ventanilla.core.errors import NotFound, SharingRefused, ValidationFailed
from ventanilla.identity.models import SourceRecord
from ventanilla.interactions.models import Interaction
from ventanilla.parties.models import SPECIAL_CATEGORIES, DataCategory, Party, ProfileAttribute
from ventanilla.sharing.models import SharingRequest

MIN_PURPOSE_LENGTH = 10
MIN_REFERENCE_LENGTH = 5
# An answer lists at most this many cases and contacts, newest first.
MAX_ROWS = 50
# The fields of another agency's own record of the person, by category.
RECORD_FIELDS: dict[str, tuple[str, ...]] = {
    DataCategory.IDENTITY: ("given_name", "family_name_1", "family_name_2", "birth_date",
                            "identifier"),
    DataCategory.ADDRESS: ("address", "postal_code"),
    DataCategory.CONTACT: ("email", "phone"),
}  # fmt: skip


@dataclass
class SharingAnswer:
    request: SharingRequest
    data: dict[str, Any] = field(default_factory=dict)


def _subtree(agency: Agency) -> Any:
    return Agency.objects.filter(Q(path=agency.path) | Q(path__startswith=f"{agency.path}/"))


def _held_data(holder: Agency, party: Party, categories: Sequence[str]) -> dict[str, Any]:
    """What the holder agency (and its departments) holds on the party, in those categories."""
    agencies = _subtree(holder)
    records = []
    wanted = [name for category in categories for name in RECORD_FIELDS.get(category, ())]
    if wanted:
        for record in SourceRecord.objects.filter(party=party, agency__in=agencies):
            values = {name: getattr(record, name) for name in wanted}
            records.append({k: str(v) for k, v in values.items() if v not in ("", None)})
    attributes = [
        {"name": a.name, "value": a.value, "category": a.category}
        for a in ProfileAttribute.objects.filter(
            party=party, source_agency__in=agencies, category__in=categories
        ).order_by("name")
    ]
    data: dict[str, Any] = {"records": records, "attributes": attributes}
    if DataCategory.CASES in categories:
        cases = (
            Case.objects.filter(party=party, department__in=agencies)
            .select_related("service")
            .order_by("-opened_at")[:MAX_ROWS]
        )
        data["cases"] = [
            {
                "reference": c.reference,
                "service": c.service.code,
                "status": c.status,
                "opened_at": c.opened_at.isoformat(),
                "closed_at": c.closed_at.isoformat() if c.closed_at else None,
            }
            for c in cases
        ]
        contacts = Interaction.objects.filter(party=party, agency__in=agencies).order_by(
            "-occurred_at"
        )[:MAX_ROWS]
        data["interactions"] = [
            {
                "occurred_at": i.occurred_at.isoformat(),
                "channel": i.channel_id,
                "kind": i.kind,
                "summary": i.summary,
            }
            for i in contacts
        ]
    return data


def _basis(
    *,
    actor: Actor,
    party: Party,
    categories: Sequence[str],
    legal_basis: str,
    legal_reference: str,
) -> tuple[list[Consent], str]:
    """The consents relied on, and the reason for a refusal ("" when the request is covered)."""
    if legal_basis == LegalBasis.CONSENT:
        consents = consents_in_force_for(actor=actor, party_id=party.pk)
        covered = {c for consent in consents for c in consent.shared_categories}
        missing = [c for c in categories if c not in covered]
        if missing:
            return [], _("No consent in force gives your agency: %(categories)s.") % {
                "categories": ", ".join(missing)
            }
        used = [c for c in consents if c.shared_categories & set(categories)]
        return used, ""
    special = [c for c in categories if c in SPECIAL_CATEGORIES]
    if special:
        return [], _(
            "Health and disability data are shared only with the person's consent: %(categories)s."
        ) % {"categories": ", ".join(special)}
    return [], ""


def sharing_request(
    *,
    actor: Actor,
    party_id: Any,
    holder_code: str,
    purpose: str,
    data_categories: Sequence[str],
    legal_basis: str = LegalBasis.CONSENT,
    legal_reference: str = "",
    requester_code: str | None = None,
) -> SharingAnswer:
    """Ask ``holder_code`` for what it holds on the party. Granted: the data comes back and both
    sides are logged. Refused: the request and the refusal are still recorded, then
    ``SharingRefused`` is raised with the reason."""
    require(actor, Scope.SHARING_REQUEST, party_id=party_id)
    purpose, legal_reference = purpose.strip(), legal_reference.strip()
    categories = sorted(set(data_categories))
    errors: dict[str, str] = {}
    if len(purpose) < MIN_PURPOSE_LENGTH:
        errors["purpose"] = _("Say why you need it in a few words (at least %d characters).") % (
            MIN_PURPOSE_LENGTH
        )
    if not categories or set(categories) - set(DataCategory.values):
        errors["data_categories"] = _("Choose from: %(known)s.") % {
            "known": ", ".join(DataCategory.values)
        }
    if legal_basis not in LegalBasis.values:
        errors["legal_basis"] = _("Unknown value.")
    elif legal_basis != LegalBasis.CONSENT and len(legal_reference) < MIN_REFERENCE_LENGTH:
        errors["legal_reference"] = _(
            "Name the law that allows it (for example, Ley 39/2015, art. 28.2)."
        )
    holder = Agency.objects.filter(code=holder_code).first()
    if holder is None:
        errors["holder"] = _("Unknown agency.")
    codes = sorted(actor.agency_codes)
    requester_code = requester_code or (codes[0] if len(codes) == 1 else None)
    requester = (
        Agency.objects.filter(code=requester_code).first()
        if requester_code in actor.agency_codes
        else None
    )
    if requester is None:
        errors["requester"] = _("Say on behalf of which of your agencies you ask.")
    elif (
        holder is not None
        and actor.is_covered_by(holder.path)
        and holder.path.startswith(requester.path)
    ):
        errors["holder"] = _("Your agency holds this already: read it in the 360° view.")
    if errors or holder is None or requester is None:
        raise ValidationFailed(errors)
    party = Party.objects.filter(pk=party_id, status=Party.Status.ACTIVE).first()
    if party is None:
        raise NotFound(_("No such party."))

    consents, refusal = _basis(
        actor=actor,
        party=party,
        categories=categories,
        legal_basis=legal_basis,
        legal_reference=legal_reference,
    )
    outcome = SharingRequest.Outcome.REFUSED if refusal else SharingRequest.Outcome.GRANTED
    with transaction.atomic():
        request = SharingRequest.objects.create(
            party=party,
            requester=requester,
            holder=holder,
            purpose=purpose,
            data_categories=categories,
            legal_basis=legal_basis,
            legal_reference=legal_reference,
            outcome=outcome,
            refusal=refusal,
            requested_by_id=actor.user_id,
            requested_by_label=actor.label,
            answered_at=timezone.now(),
        )
        request.consents.set(consents)
        audit_record(
            actor=actor,
            action=Action.SHARING_REQUEST,
            party_id=party.pk,
            object_type="sharing_request",
            object_id=request.pk,
            purpose=purpose,
            detail={
                "holder": holder.code,
                "requester": requester.code,
                "categories": categories,
                "basis": legal_basis,
                "reference": legal_reference,
            },
        )
        data = {} if refusal else _held_data(holder, party, categories)
        # The answer is the holder's act: it is logged in the holder's name.
        audit_record(
            actor=Actor(
                label=f"agency:{holder.code}",
                agency_codes=frozenset({holder.code}),
                agency_paths=frozenset({holder.path}),
            ),
            action=Action.SHARING_ANSWER,
            party_id=party.pk,
            object_type="sharing_request",
            object_id=request.pk,
            purpose=purpose,
            detail={
                "to": requester.code,
                "outcome": outcome,
                "categories": categories,
                "basis": legal_basis,
                "reference": legal_reference,
                "consents": [str(c.pk) for c in consents],
                "rows": sum(len(v) for v in data.values()),
            },
        )
    if refusal:
        raise SharingRefused(refusal, sharing_request_id=str(request.pk))
    return SharingAnswer(request=request, data=data)
