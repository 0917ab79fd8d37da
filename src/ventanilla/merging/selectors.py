"""What the console shows of merges (the records merged into a party, to undo one) and of the
order in which agencies' registers are trusted."""

from __future__ import annotations

from dataclasses import dataclass

from ventanilla.access.actors import Actor
from ventanilla.access.models import Scope
from ventanilla.catalog.models import Agency
from ventanilla.merging.models import MergeRecord, SourceTrust
from ventanilla.parties.models import Party


def merges_into(*, actor: Actor, party: Party) -> list[MergeRecord]:
    """The merges in force that joined another record into ``party``, newest first, for those
    who may undo them (none for others: it costs them no query). The party was read, and that
    reading recorded, by the caller."""
    if not actor.can(Scope.PARTIES_MERGE):
        return []
    return list(
        MergeRecord.objects.filter(survivor=party, unmerged_at__isnull=True)
        .select_related("merged")
        .order_by("-created_at")
    )


@dataclass(frozen=True)
class TrustOrder:
    """The agencies whose registers are ranked, most trusted first, and the others."""

    ranked: list[Agency]
    unranked: list[Agency]


def source_trust_order() -> TrustOrder:
    """The administration's trust order, in two queries. It names agencies, no person, so it
    is read without a scope; changing it needs one (``source_trust_set``)."""
    ranked = [
        trust.agency for trust in SourceTrust.objects.select_related("agency").order_by("rank")
    ]
    held = {agency.pk for agency in ranked}
    unranked = [agency for agency in Agency.objects.order_by("path") if agency.pk not in held]
    return TrustOrder(ranked=ranked, unranked=unranked)
