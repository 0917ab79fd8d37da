"""Reads of consents (within the 360° view, which records its own audit entry), and what the
consents in force share with the acting agency."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_record
from ventanilla.catalog.models import Agency
from ventanilla.consent.models import Consent
from ventanilla.core.errors import NotFound
from ventanilla.parties.models import Party

# The category under which a party's cases and contact history in other agencies are shared.
CASES_CATEGORY = "cases"


def consents_of_party(*, party: Party) -> list[Consent]:
    """Every consent of the party, those in force first, newest first, in one query."""
    return list(
        Consent.objects.filter(party=party)
        .select_related("recipient", "channel")
        .order_by(F("withdrawn_at").asc(nulls_first=True), "-granted_at")
    )


def consents_for_actor(*, actor: Actor, consents: list[Consent]) -> tuple[list[Consent], int]:
    """The consents staff are shown: those given to their agencies (above or below them), and
    the number of the others, whose purposes they gain nothing by reading."""
    if actor.sees_everything:
        return consents, 0
    shown = [c for c in consents if actor.is_covered_by(c.recipient.path)]
    return shown, len(consents) - len(shown)


def categories_shared_with(
    actor: Actor, consents: Iterable[Consent], *, at: datetime | None = None
) -> frozenset[str]:
    """The data categories that the consents in force (``recipient`` loaded) give the actor:
    only what the person consented to opens anything (see ``Consent.shared_categories``)."""
    at = at or timezone.now()
    shared: set[str] = set()
    for consent in consents:
        if consent.in_force(at) and actor.is_covered_by(consent.recipient.path):
            shared.update(consent.shared_categories)
    return frozenset(shared)


def consents_in_force_for(*, actor: Actor, party_id: Any) -> list[Consent]:
    """The party's consents in force that the person gave and whose recipient covers the
    actor, in one query."""
    now = timezone.now()
    rows = (
        Consent.objects.filter(party_id=party_id, withdrawn_at__isnull=True)
        .select_related("recipient")
        .order_by("-granted_at")
    )
    return [
        c
        for c in rows
        if c.opens_data and c.in_force(now) and actor.is_covered_by(c.recipient.path)
    ]


def shares_cases_with(*, actor: Actor, party_id: Any) -> bool:
    """Whether a consent in force lets the actor see the party's cases in other agencies."""
    return any(
        CASES_CATEGORY in consent.shared_categories
        for consent in consents_in_force_for(actor=actor, party_id=party_id)
    )


def consent_of_subject(*, actor: Actor, consent_id: Any) -> Consent:
    """One of the signed-in citizen's own consents (read as part of their "My data" page);
    anyone else's is reported as missing."""
    consent = (
        Consent.objects.filter(pk=consent_id, party_id=actor.party_id)
        .select_related("recipient")
        .first()
        if actor.party_id is not None
        else None
    )
    if consent is None:
        raise NotFound(_("No such consent."))
    return consent


def consent_for_staff(*, actor: Actor, consent_id: Any) -> Consent | None:
    """A consent given to one of the actor's agencies (the only ones staff may withdraw), with
    its party and recipient; None for any other, so its existence is not given away."""
    consent = Consent.objects.filter(pk=consent_id).select_related("party", "recipient").first()
    if consent is None or not actor.is_covered_by(consent.recipient.path):
        return None
    audit_record(
        actor=actor,
        action=Action.PARTY_READ,
        party_id=consent.party_id,
        object_type="consent",
        object_id=consent.pk,
    )
    return consent


def consent_recipients() -> list[Agency]:
    """The agencies and departments a person may consent to, by name."""
    return sorted(Agency.objects.exclude(kind="administration"), key=lambda agency: agency.name)
