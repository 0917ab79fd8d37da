"""Reads of consents (within the 360° view, which records its own audit entry)."""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.consent.models import Consent
from ventanilla.core.errors import NotFound
from ventanilla.parties.models import Party


def consents_of_party(*, party: Party) -> list[Consent]:
    """Every consent of the party, those in force first, newest first, in one query."""
    return list(
        Consent.objects.filter(party=party)
        .select_related("recipient", "channel")
        .order_by(F("withdrawn_at").asc(nulls_first=True), "-granted_at")
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
