"""Every row that touches either of two parties, as the database holds it: what a merge followed
by its undoing must give back exactly."""

from __future__ import annotations

from typing import Any

from ventanilla.merging.services import RELATIONS, rows_of_relation
from ventanilla.parties.models import Party

# The history of merges grows with each merge and each undo, by design.
# So does the log of events for other systems (an event for each merge and each undo).
GROWS = {"merging.MergeRecord.survivor", "merging.MergeRecord.merged", "events.Event.party"}


def dump_of(*parties: Party) -> dict[str, list[dict[str, Any]]]:
    ids = [party.pk for party in parties]
    dump = {"parties.Party": list(Party.objects.filter(pk__in=ids).order_by("pk").values())}
    for key in RELATIONS:
        if key in GROWS:
            continue
        model, field = rows_of_relation(key)
        dump[key] = list(
            model._default_manager.filter(**{f"{field}__in": ids}).order_by("pk").values()
        )
    return dump
