"""A reviewer's "same person" on a likely match: the two records become one person's.

When each record already belongs to a person (matching kept them apart and gave each its own),
the two people are merged, so everything of the one moves to the other and the merge can be
undone from the person's page; a record no one holds yet is linked to the person. The review
is decided in the same transaction: both happen, or neither."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.identity.models import MatchReview
from ventanilla.identity.reviews import review_decide, review_lock
from ventanilla.merging.models import MergeRecord
from ventanilla.merging.services import party_merge
from ventanilla.parties.models import Party
from ventanilla.parties.selectors import party_resolve


def match_review_link(*, actor: Actor, review_id: Any) -> tuple[MatchReview, MergeRecord | None]:
    """Decide the pair is one person: merge their two people if they have two (the registered
    person, or else the one registered first, stays), link a record that has none."""
    with transaction.atomic():
        review = review_lock(actor=actor, review_id=review_id)
        holders = [review.record.party_id, review.party_id]
        if review.other_record is not None:
            holders.append(review.other_record.party_id)
        current = list(
            dict.fromkeys(
                party_resolve(actor=actor, party_id=holder)
                for holder in holders
                if holder is not None
            )
        )
        merge = None
        person = current[0] if current else None
        if len(current) == 2:
            first, second = Party.objects.filter(pk__in=current).order_by("created_at", "id")
            survivor = review.party_id if review.party_id in current else first.pk
            merged = second.pk if survivor == first.pk else first.pk
            merge = party_merge(
                actor=actor,
                survivor_id=survivor,
                merged_id=merged,
                reason=_("Reviewed as the same person (a likely match, %(percent)d%%).")
                % {"percent": round(review.probability * 100)},
            )
            person = survivor
        decided = review_decide(actor=actor, review_id=review.pk, same=True, party_id=person)
    return decided, merge
