"""What the operator reads of other systems' webhooks: each subscription with how its deliveries
stand (waiting, failing and why, last received), never its secret."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Max, OuterRef, Q, Subquery

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require_operator
from ventanilla.events.models import PERSONAL_SCOPE, Delivery, Subscription, Topic


@dataclass(frozen=True)
class SubscriptionState:
    subscription: Subscription
    topics: list[str]  # the topics' names in the reader's language
    personal: bool
    waiting: int
    failing: int
    given_up: int  # deliveries it stopped trying, which the operator may send again
    last_error: str
    last_sent_at: datetime | None


def subscriptions_overview(*, actor: Actor) -> list[SubscriptionState]:
    """Every subscription, the active ones first, with its deliveries counted in one query."""
    require_operator(actor, what="events:list")
    queued = Q(deliveries__status=Delivery.Status.QUEUED)
    latest_error = (
        Delivery.objects.filter(subscription=OuterRef("pk"), status=Delivery.Status.QUEUED)
        .exclude(last_error="")
        .order_by("-seq")
        .values("last_error")[:1]
    )
    rows = (
        Subscription.objects.select_related("agency")
        .annotate(
            waiting=Count("deliveries", filter=queued),
            failing=Count("deliveries", filter=queued & Q(deliveries__attempts__gt=0)),
            given_up=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.FAILED)),
            last_sent_at=Max("deliveries__sent_at"),
            last_error=Subquery(latest_error),
        )
        .order_by("-active", "created_at")
    )
    labels = dict(Topic.choices)
    return [
        SubscriptionState(
            subscription=row,
            topics=[str(labels[scope]) for scope in row.scopes if scope in labels],
            personal=PERSONAL_SCOPE in row.scopes,
            waiting=row.waiting,
            failing=row.failing,
            given_up=row.given_up,
            last_error=row.last_error or "",
            last_sent_at=row.last_sent_at,
        )
        for row in rows
    ]


def subscription_active(*, actor: Actor, subscription_id: Any) -> Subscription | None:
    """An active subscription with its agency, for the operator to change; None when there is
    none of that id or it has ended."""
    require_operator(actor, what="console:webhooks")
    return (
        Subscription.objects.select_related("agency")
        .filter(pk=subscription_id, active=True)
        .first()
    )
