"""Reads of notices: the published ones for the portal and the feed (public, no personal data),
the notices of the actor's agencies for the console, and a citizen's own subscriptions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from ventanilla.access.actors import Actor
from ventanilla.access.guards import refuse, require
from ventanilla.access.models import Scope
from ventanilla.catalog.models import Agency
from ventanilla.core.errors import NotFound
from ventanilla.notices.models import Notice, Subscription


def published(now: datetime | None = None) -> Q:
    """Notices whose publication window holds ``now``."""
    moment = now or timezone.now()
    return Q(publish_from__isnull=False, publish_from__lte=moment) & (
        Q(publish_until__isnull=True) | Q(publish_until__gt=moment)
    )


def notices_published(
    *, topic: str = "", district: str = "", limit: int = 50, now: datetime | None = None
) -> list[Notice]:
    """The notices published now, newest first; for one district, those of the whole town too."""
    rows = Notice.objects.filter(published(now)).select_related("agency")
    if topic:
        rows = rows.filter(topic=topic)
    if district:
        rows = rows.filter(Q(district="") | Q(district__iexact=district.strip()))
    return list(rows.order_by("-publish_from")[:limit])


def notice_published(*, notice_id: Any) -> Notice:
    notice = Notice.objects.filter(published(), pk=notice_id).select_related("agency").first()
    if notice is None:
        raise NotFound("notice")
    return notice


def districts_known() -> list[str]:
    """The districts notices have been published for, for the portal's filters."""
    names = (
        Notice.objects.filter(published()).exclude(district="").values_list("district", flat=True)
    )
    return sorted({name for name in names}, key=str.casefold)


def notices_of_actor(*, actor: Actor) -> QuerySet[Notice]:
    require(actor, Scope.CATALOG_MANAGE)
    rows = Notice.objects.select_related("agency").order_by("-created_at")
    if not actor.sees_everything:
        rows = rows.filter(agency_id__in=actor.agency_ids)
    return rows


def notice_of_actor(*, actor: Actor, notice_id: Any) -> Notice:
    """A notice the actor may edit; another agency's is refused (and the refusal recorded)."""
    require(actor, Scope.CATALOG_MANAGE)
    notice = Notice.objects.select_related("agency").filter(pk=notice_id).first()
    if notice is None:
        raise NotFound("notice")
    if not actor.sees_agency(notice.agency_id):
        refuse(actor, detail={"notice": str(notice_id)})
    return notice


def agencies_of_actor(*, actor: Actor) -> list[Agency]:
    rows = Agency.objects.order_by("path")
    if not actor.sees_everything:
        rows = rows.filter(pk__in=actor.agency_ids)
    return list(rows)


def subscriptions_of_citizen(*, actor: Actor) -> list[Subscription]:
    """The signed-in citizen's live subscriptions (their own data, so no audit row)."""
    if actor.party_id is None:
        return []
    return list(
        Subscription.objects.filter(party_id=actor.party_id, cancelled_at__isnull=True).order_by(
            "topic", "district"
        )
    )
