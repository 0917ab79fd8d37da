"""Reads of consents (within the 360° view, which records its own audit entry)."""

from __future__ import annotations

from django.db.models import F

from ventanilla.consent.models import Consent
from ventanilla.parties.models import Party


def consents_of_party(*, party: Party) -> list[Consent]:
    """Every consent of the party, those in force first, newest first, in one query."""
    return list(
        Consent.objects.filter(party=party)
        .select_related("recipient", "channel")
        .order_by(F("withdrawn_at").asc(nulls_first=True), "-granted_at")
    )
