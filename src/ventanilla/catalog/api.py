"""API of the service catalogue (read-only for now)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from ventanilla.catalog import selectors

router = Router(tags=["catalog"], auth=None)  # the catalogue is public information


class ServiceOut(Schema):
    code: str
    name: str
    description: str
    department: str
    deadline_days: int
    channels: list[str]
    life_events: list[str]


class ChannelOut(Schema):
    code: str
    name: str


@router.get("/services", response=list[ServiceOut], summary="Public services")
def list_services(request: HttpRequest) -> list[dict[str, object]]:
    return selectors.service_catalogue()


@router.get("/channels", response=list[ChannelOut], summary="Contact channels")
def list_channels(request: HttpRequest) -> list[dict[str, str]]:
    return [{"code": c.code, "name": c.name} for c in selectors.channels()]
