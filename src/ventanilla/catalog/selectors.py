"""Reads of the catalogue: public information, no personal data."""

from __future__ import annotations

from django.db.models import QuerySet

from ventanilla.catalog.models import Channel, PublicService
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
