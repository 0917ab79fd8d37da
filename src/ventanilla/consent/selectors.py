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


def categories_shared_with(
    actor: Actor, consents: Iterable[Consent], *, at: datetime | None = None
) -> frozenset[str]:
    """The data categories that the consents in force (``recipient`` loaded) give the actor."""
    at = at or timezone.now()
    shared: set[str] = set()
    for consent in consents:
        if consent.in_force(at) and actor.is_covered_by(consent.recipient.path):
            shared.update(consent.data_categories)
    return frozenset(shared)


def consents_in_force_for(*, actor: Actor, party_id: Any) -> list[Consent]:
    """The party's consents in force whose recipient covers the actor, in one query."""
    now = timezone.now()
    rows = (
        Consent.objects.filter(party_id=party_id, withdrawn_at__isnull=True)
        .select_related("recipient")
        .order_by("-granted_at")
    )
    return [c for c in rows if c.in_force(now) and actor.is_covered_by(c.recipient.path)]


def shares_cases_with(*, actor: Actor, party_id: Any) -> bool:
    """Whether a consent in force lets the actor see the party's cases in other agencies."""
    return any(
        CASES_CATEGORY in consent.data_categories
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
