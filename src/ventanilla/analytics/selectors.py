"""Reads of the analytics room: aggregates and alerts, never a person."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.analytics.models import Alert

MAX_ALERTS = 1000


def alerts_since(*, actor: Actor, since: date) -> QuerySet[Alert]:
    """The alerts from ``since`` on, newest day first (at most MAX_ALERTS)."""
    require(actor, Scope.ANALYTICS_READ)
    return (
        Alert.objects.filter(day__gte=since)
        .select_related("service")
        .order_by("-day", "district", "service__code")[:MAX_ALERTS]
    )
