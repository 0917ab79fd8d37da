"""Reads of the catalogue: public information, no personal data."""

from __future__ import annotations

from django.db.models import QuerySet

from ventanilla.catalog.models import Channel, LifeEvent, PublicService
from ventanilla.core.i18n import localized


def channels() -> QuerySet[Channel]:
    return Channel.objects.order_by("code")


def service_catalogue() -> list[dict[str, object]]:
    services = (
        PublicService.objects.filter(active=True)
        .select_related("department")
        .prefetch_related("channels", "life_events")
        .order_by("code")
    )
    return [
        {
            "code": s.code,
            "name": s.name,
            "description": localized(s, "description"),
            "department": s.department.code,
            "deadline_days": s.deadline_days,
            "channels": [c.code for c in s.channels.all()],
            "life_events": [e.code for e in s.life_events.all()],
        }
        for s in services
    ]


def life_events_with_services() -> list[tuple[LifeEvent, list[PublicService]]]:
    """Life events in order, each with its active services, in two queries."""
    events = LifeEvent.objects.order_by("kind", "code").prefetch_related("services")
    return [
        (event, sorted((s for s in event.services.all() if s.active), key=lambda s: s.name))
        for event in events
    ]
