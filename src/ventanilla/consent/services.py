"""Recording and withdrawing consents, each audited and told to the person; withdrawal takes
effect at once. See ``consent.models`` for who may give which."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_record
from ventanilla.catalog.models import Agency, Channel
from ventanilla.consent.models import MAX_CONSENT_YEARS, Consent, GivenBy, LegalBasis
from ventanilla.core.documents import checked_document
from ventanilla.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from ventanilla.notifications.outbox import notify_party
from ventanilla.parties.models import SPECIAL_CATEGORIES, DataCategory, Party

DATA_CATEGORIES = tuple(DataCategory.values)
# The channel of a consent the person gives in the portal.
PORTAL_CHANNEL = "web"
MIN_INSTRUCTION_LENGTH = 10


@dataclass(frozen=True)
class Evidence:
    """The document the person signed at the desk, as uploaded."""

    file_name: str
    content: IO[bytes]
    size: int


def _checked_expiry(expires_at: datetime | None, now: datetime, errors: dict[str, str]) -> None:
    if expires_at is None:
        return
    if expires_at <= now:
        errors["expires_at"] = _("The expiry must be in the future.")
    elif expires_at > now + timedelta(days=365 * MAX_CONSENT_YEARS):
        errors["expires_at"] = _("A consent lasts at most %d years: ask again then.") % (
            MAX_CONSENT_YEARS
        )


def _common_errors(
    *,
    purpose: str,
    data_categories: Sequence[str],
    recipient_code: str,
    expires_at: datetime | None,
    now: datetime,
) -> tuple[dict[str, str], Agency | None]:
    errors: dict[str, str] = {}
    if not purpose:
        errors["purpose"] = _("This field is required.")
    unknown = sorted(set(data_categories) - set(DATA_CATEGORIES))
    if unknown or not data_categories:
        errors["data_categories"] = _("Choose from: %(known)s.") % {
            "known": ", ".join(str(label) for label in DataCategory.labels)
        }
    _checked_expiry(expires_at, now, errors)
    recipient = Agency.objects.filter(code=recipient_code).first() if recipient_code else None
    if recipient is None:
        errors["recipient"] = (
            _("Unknown agency.") if recipient_code else _("Choose who may use the data.")
        )
    return errors, recipient


def _refuse(actor: Actor, party_id: Any, message: str, scope: str) -> None:
    """A refusal of the rule itself (not of a scope), logged like any other."""
    audit_record(
        actor=actor, action=Action.ACCESS_DENIED, party_id=party_id, detail={"scope": scope}
    )
    raise PermissionDenied(message)


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
    explicit: bool = False,
    evidence: Evidence | None = None,
) -> Consent:
    """Staff record a consent given at a desk, or their agency's own legal basis.

    An agency never opens another's data on its own word: a consent is recorded only by a named
    member of staff with the document the person signed (an application's key cannot record
    one), and health or disability need the person's explicit consent. Any other basis is the
    recording agency's record of its own processing: it names that agency, never covers health
    or disability, and opens nothing held elsewhere. The person is told either way."""
    require(actor, Scope.PARTIES_WRITE, party_id=party_id)
    if legal_basis == LegalBasis.CONSENT and actor.user_id is None:
        # Checked before any transaction, so the record of the refusal stays.
        _refuse(
            actor,
            party_id,
            _(
                "A consent is given by the person: in the portal, or at a desk where a member "
                "of staff keeps the signed document. An application cannot record one."
            ),
            "consent:person",
        )
    now = timezone.now()
    purpose = purpose.strip()
    errors, recipient = _common_errors(
        purpose=purpose,
        data_categories=data_categories,
        recipient_code=recipient_code,
        expires_at=expires_at,
        now=now,
    )
    special = sorted(set(data_categories) & SPECIAL_CATEGORIES)
    if legal_basis not in LegalBasis.values:
        errors["legal_basis"] = _("Unknown value.")
    elif legal_basis == LegalBasis.CONSENT:
        if evidence is None:
            errors["evidence"] = _("Attach the document the person signed.")
        if special and not explicit:
            errors["explicit"] = _(
                "Health and disability data need the person's explicit consent: confirm that "
                "the signed document says so."
            )
    else:
        if special:
            errors["data_categories"] = _(
                "Health and disability data are used only with the person's explicit consent, "
                "never on another basis."
            )
        if recipient is not None and not actor.is_covered_by(recipient.path):
            errors["recipient"] = _(
                "Another basis is recorded only by the agency that relies on it; for another "
                "agency to use the data, the person must consent."
            )
    if not Channel.objects.filter(pk=channel).exists():
        errors["channel"] = _("Unknown channel.")
    party = Party.objects.filter(pk=party_id, status=Party.Status.ACTIVE).first()
    if party is None:
        errors["party"] = _("No such party.")
    document = None
    if evidence is not None and not errors:
        document = checked_document(
            file_name=evidence.file_name,
            content=evidence.content,
            size=evidence.size,
            field="evidence",
        )
    if errors or party is None or recipient is None:
        raise ValidationFailed(errors)
    given_by = GivenBy.DESK if legal_basis == LegalBasis.CONSENT else GivenBy.AGENCY
    stored: str | None = None
    try:
        with transaction.atomic():
            if document is not None:
                stored = default_storage.save(
                    f"consents/{now:%Y/%m}/{uuid.uuid4().hex}", ContentFile(document.data)
                )
            consent = _recorded(
                actor,
                Consent(
                    party=party,
                    purpose=purpose,
                    recipient=recipient,
                    data_categories=sorted(set(data_categories)),
                    legal_basis=legal_basis,
                    granted_at=now,
                    expires_at=expires_at,
                    channel_id=channel,
                    recorded_by_id=actor.user_id,
                    recorded_by_label=actor.label[:150],
                    given_by=given_by,
                    explicit=bool(explicit and special and legal_basis == LegalBasis.CONSENT),
                    evidence_file=stored or "",
                    evidence_name=document.name if document else "",
                    evidence_content_type=document.content_type if document else "",
                    evidence_sha256=document.sha256 if document else "",
                ),
            )
    except BaseException:
        if stored is not None:
            default_storage.delete(stored)
        raise
    return consent


def consent_give(
    *,
    actor: Actor,
    purpose: str,
    recipient_code: str,
    data_categories: Sequence[str],
    expires_at: datetime | None = None,
    explicit: bool = False,
) -> Consent:
    """The signed-in person consents, in the portal, to one agency using some of their data."""
    if actor.party_id is None:
        raise PermissionDenied(_("Only the person themself may give a consent here."))
    now = timezone.now()
    purpose = purpose.strip()
    errors, recipient = _common_errors(
        purpose=purpose,
        data_categories=data_categories,
        recipient_code=recipient_code,
        expires_at=expires_at,
        now=now,
    )
    special = sorted(set(data_categories) & SPECIAL_CATEGORIES)
    if special and not explicit:
        errors["explicit"] = _(
            "Health and disability data are shared only if you say so explicitly: tick the box."
        )
    party = Party.objects.filter(pk=actor.party_id, status=Party.Status.ACTIVE).first()
    if party is None:
        raise NotFound(_("No such party."))
    if errors or recipient is None:
        raise ValidationFailed(errors)
    with transaction.atomic():
        return _recorded(
            actor,
            Consent(
                party=party,
                purpose=purpose,
                recipient=recipient,
                data_categories=sorted(set(data_categories)),
                legal_basis=LegalBasis.CONSENT,
                granted_at=now,
                expires_at=expires_at,
                channel_id=PORTAL_CHANNEL,
                recorded_by_label=actor.label[:150],
                given_by=GivenBy.PERSON,
                explicit=bool(explicit and special),
            ),
        )


def _recorded(actor: Actor, consent: Consent) -> Consent:
    """Save a new consent with its audit entry and the message that tells the person, inside
    the caller's transaction."""
    consent.save(force_insert=True)
    audit_record(
        actor=actor,
        action=Action.CONSENT_RECORD,
        party_id=consent.party_id,
        object_type="consent",
        object_id=consent.pk,
        detail={
            "purpose": consent.purpose,
            "recipient": consent.recipient.code,
            "basis": consent.legal_basis,
            "given_by": consent.given_by,
            "categories": consent.data_categories,
            "evidence": consent.evidence_sha256,
        },
    )
    _tell_person(consent, recorded=True)
    return consent


def consent_withdraw(
    *, actor: Actor, consent_id: Any, instruction: str = "", channel: str = ""
) -> Consent:
    """Staff withdraw a consent on the person's instruction: only a consent given to their own
    agency (one agency cannot withdraw what was given to another), and with how the person asked
    recorded as evidence. The person is told."""
    row = Consent.objects.filter(pk=consent_id).values_list("party_id", "recipient__path").first()
    if row is None:
        raise NotFound(_("No such consent."))
    party_id, recipient_path = row
    # Checked outside the transaction, so the record of a refusal is not rolled back with it.
    require(actor, Scope.PARTIES_WRITE, party_id=party_id)
    if not actor.is_covered_by(recipient_path):
        _refuse(
            actor,
            party_id,
            _(
                "Only the person, or the agency the consent was given to, may withdraw it. "
                "The person can withdraw it in the portal."
            ),
            "consent:recipient",
        )
    instruction = instruction.strip()
    errors: dict[str, str] = {}
    if len(instruction) < MIN_INSTRUCTION_LENGTH:
        errors["instruction"] = _(
            "Say how the person asked for it (for example: at the desk, identity checked with "
            "the DNI; signed form)."
        )
    if not Channel.objects.filter(pk=channel).exists():
        errors["channel"] = _("Unknown channel.")
    if errors:
        raise ValidationFailed(errors)
    return _withdraw(
        actor=actor,
        consent_id=consent_id,
        instruction=f"{channel}: {instruction}"[:300],
        detail={"by": "staff on the person's instruction", "channel": channel},
    )


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
    return _withdraw(
        actor=actor, consent_id=consent_id, instruction="", detail={"by": "data subject"}
    )


def _tell_person(consent: Consent, *, recorded: bool) -> None:
    """Write the message that tells the person, in the same transaction as the change."""
    language = consent.party.preferred_language.split("-")[0] or "es"
    with translation.override(language):
        categories = ", ".join(
            str(DataCategory(code).label)
            for code in consent.data_categories
            if code in DataCategory.values
        )
        text = f"{consent.recipient.name}: {consent.purpose} ({categories})"
    notify_party(
        party_id=consent.party_id,
        event="consent_recorded" if recorded else "consent_withdrawn",
        text=text,
    )


def _withdraw(
    *, actor: Actor, consent_id: Any, instruction: str, detail: dict[str, str]
) -> Consent:
    with transaction.atomic():
        consent = (
            Consent.objects.select_for_update()
            .select_related("recipient", "party")
            .get(pk=consent_id)
        )
        if consent.withdrawn_at is not None:
            raise Conflict(_("This consent was already withdrawn."))
        consent.withdrawn_at = timezone.now()
        consent.withdrawn_by_label = actor.label[:150]
        consent.withdrawal_evidence = instruction
        consent.save(
            update_fields=[
                "withdrawn_at",
                "withdrawn_by_label",
                "withdrawal_evidence",
                "updated_at",
            ]
        )
        audit_record(
            actor=actor,
            action=Action.CONSENT_WITHDRAW,
            party_id=consent.party_id,
            object_type="consent",
            object_id=consent.pk,
            detail=detail,
        )
        _tell_person(consent, recorded=False)
    return consent
