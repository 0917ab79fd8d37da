"""API of the service catalogue (read-only for now)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from ventanilla.api.problems import PUBLIC_PROBLEM_RESPONSES
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


@router.get(
    "/services",
    response={200: list[ServiceOut], **PUBLIC_PROBLEM_RESPONSES},
    summary="Public services",
)
def list_services(request: HttpRequest) -> list[dict[str, object]]:
    return selectors.service_catalogue()


@router.get(
    "/channels",
    response={200: list[ChannelOut], **PUBLIC_PROBLEM_RESPONSES},
    summary="Contact channels",
)
def list_channels(request: HttpRequest) -> list[dict[str, str]]:
    return [{"code": c.code, "name": c.name} for c in selectors.channels()]
