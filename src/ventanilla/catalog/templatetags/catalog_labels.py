"""Template filters that show the catalogue's codes by name: services and channels."""

from __future__ import annotations

from typing import Any

from django import template

from ventanilla.catalog.models import Channel, PublicService

register = template.Library()


@register.filter
def service_name(code: Any) -> str:
    service = PublicService.objects.filter(code=str(code)).first()
    return service.name if service is not None else str(code)


@register.filter
def channel_name(code: Any) -> str:
    channel = Channel.objects.filter(code=str(code)).first()
    return channel.name if channel is not None else str(code)
