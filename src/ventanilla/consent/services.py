"""Recording and withdrawing consents, each audited; withdrawal takes effect at once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_record
from ventanilla.catalog.models import Agency, Channel
from ventanilla.consent.models import Consent, LegalBasis
from ventanilla.core.errors import Conflict, NotFound, ValidationFailed
from ventanilla.parties.models import DataCategory, Party

DATA_CATEGORIES = tuple(DataCategory.values)


def consent_record(
    *,
    actor: Actor,
    party_id: Any,
    purpose: str,
    recipient_code: str,
    data_categories: Sequence[str],
    legal_basis: str = LegalBasis.CONSENT,
    channel: str,
    expires_at: datetime | None = None,
) -> Consent:
    require(actor, Scope.PARTIES_WRITE, party_id=party_id)
    errors: dict[str, str] = {}
    purpose = purpose.strip()
    if not purpose:
        errors["purpose"] = _("This field is required.")
    unknown = sorted(set(data_categories) - set(DATA_CATEGORIES))
    if unknown or not data_categories:
        errors["data_categories"] = _("Choose from: %(known)s.") % {
            "known": ", ".join(DATA_CATEGORIES)
        }
    if legal_basis not in LegalBasis.values:
        errors["legal_basis"] = _("Unknown value.")
    now = timezone.now()
    if expires_at is not None and expires_at <= now:
        errors["expires_at"] = _("The expiry must be in the future.")
    recipient = Agency.objects.filter(code=recipient_code).first()
    if recipient is None:
        errors["recipient"] = _("Unknown agency.")
    if not Channel.objects.filter(pk=channel).exists():
        errors["channel"] = _("Unknown channel.")
    party = Party.objects.filter(pk=party_id, status=Party.Status.ACTIVE).first()
    if party is None:
        errors["party"] = _("No such party.")
    if errors or party is None or recipient is None:
        raise ValidationFailed(errors)
    with transaction.atomic():
        consent = Consent.objects.create(
            party=party,
            purpose=purpose,
            recipient=recipient,
            data_categories=sorted(set(data_categories)),
            legal_basis=legal_basis,
            granted_at=now,
            expires_at=expires_at,
            channel_id=channel,
            recorded_by_id=actor.user_id,
            recorded_by_label=actor.label,
        )
        audit_record(
            actor=actor,
            action=Action.CONSENT_RECORD,
            party_id=party.pk,
            object_type="consent",
            object_id=consent.pk,
            detail={"purpose": purpose, "recipient": recipient.code, "basis": legal_basis},
        )
    return consent


def consent_withdraw(*, actor: Actor, consent_id: Any) -> Consent:
    """Withdraw a consent at the desk or through the API (staff who may change party data)."""
    party_id = Consent.objects.filter(pk=consent_id).values_list("party_id", flat=True).first()
    if party_id is None:
        raise NotFound(_("No such consent."))
    # Checked outside the transaction, so the record of a refusal is not rolled back with it.
    require(actor, Scope.PARTIES_WRITE, party_id=party_id)
    return _withdraw(actor=actor, consent_id=consent_id, detail={})


def consent_withdraw_by_subject(*, actor: Actor, consent_id: Any) -> Consent:
    """The person withdraws their own consent in the portal. Another person's consent is
    reported as missing, never as forbidden, so its existence is not given away."""
    basis = (
        Consent.objects.filter(pk=consent_id, party_id=actor.party_id)
        .values_list("legal_basis", flat=True)
        .first()
        if actor.party_id is not None
        else None
    )
    if basis is None:
        raise NotFound(_("No such consent."))
    if basis != LegalBasis.CONSENT:
        # Only what rests on consent can be withdrawn; other bases are objected to, in person.
        raise Conflict(_("This use does not rest on your consent, so it cannot be withdrawn."))
    return _withdraw(actor=actor, consent_id=consent_id, detail={"by": "data subject"})


def _withdraw(*, actor: Actor, consent_id: Any, detail: dict[str, str]) -> Consent:
    with transaction.atomic():
        consent = Consent.objects.select_for_update().get(pk=consent_id)
        if consent.withdrawn_at is not None:
            raise Conflict(_("This consent was already withdrawn."))
        consent.withdrawn_at = timezone.now()
        consent.save(update_fields=["withdrawn_at", "updated_at"])
        audit_record(
            actor=actor,
            action=Action.CONSENT_WITHDRAW,
            party_id=consent.party_id,
            object_type="consent",
            object_id=consent.pk,
            detail=detail,
        )
    return consent
