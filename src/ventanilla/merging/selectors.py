"""What the console shows of merges: the records merged into a party, to undo one."""

from __future__ import annotations

from ventanilla.access.actors import Actor
from ventanilla.access.models import Scope
from ventanilla.merging.models import MergeRecord
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
