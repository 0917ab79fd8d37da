"""API of cases: open, read, list."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from ventanilla.api.auth import actor_of
from ventanilla.api.problems import PROBLEM_RESPONSES
from ventanilla.cases import selectors, services
from ventanilla.cases.models import Case, CaseStatus
from ventanilla.core.pagination import DEFAULT_LIMIT, MAX_LIMIT

router = Router(tags=["cases"])


class LocationIn(Schema):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(default="", max_length=300)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    district: str = Field(default="", max_length=100)


class CaseIn(Schema):
    model_config = ConfigDict(extra="forbid")
    party_id: UUID
    service: str = Field(max_length=60, description="Service code")
    channel: str = Field(max_length=20)
    description: str = Field(default="", max_length=services.MAX_DESCRIPTION)
    priority: Literal["low", "normal", "high", "urgent"] = "normal"
    location: LocationIn | None = None
    form_data: dict[str, Any] = Field(default_factory=dict)


class CaseOut(Schema):
    id: UUID
    reference: str
    party_id: UUID
    service: str = Field(alias="service.code")
    service_name: str = Field(alias="service.name")
    status: str
    is_open: bool
    priority: str
    channel: str = Field(alias="channel_id")
    department: str = Field(alias="department.code")
    department_name: str = Field(alias="department.name")
    opened_at: datetime
    due_date: date
    closed_at: datetime | None
    description: str
    location_text: str
    latitude: float | None
    longitude: float | None
    district: str
    satisfaction: int | None


class CasePageOut(Schema):
    items: list[CaseOut]
    next_cursor: str | None


class CaseQuery(Schema):
    party_id: UUID | None = None
    status: CaseStatus | None = None
    cursor: str | None = None
    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


@router.post("", response={201: CaseOut, **PROBLEM_RESPONSES}, summary="Open a case")
def open_case(request: HttpRequest, payload: CaseIn) -> Status[Case]:
    location = payload.location or LocationIn()
    case = services.case_open(
        actor=actor_of(request),
        party_id=payload.party_id,
        service_code=payload.service,
        channel=payload.channel,
        description=payload.description,
        priority=payload.priority,
        location_text=location.text,
        latitude=location.latitude,
        longitude=location.longitude,
        district=location.district,
        form_data=payload.form_data,
    )
    return Status(201, selectors.case_get(actor=actor_of(request), case_id=case.pk))


@router.get("", response={200: CasePageOut, **PROBLEM_RESPONSES}, summary="List cases")
def list_cases(request: HttpRequest, query: Query[CaseQuery]) -> object:
    page = selectors.case_list(
        actor=actor_of(request),
        party_id=query.party_id,
        status=query.status,
        cursor=query.cursor,
        limit=query.limit,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get(
    "/{case_id}",
    response={200: CaseOut, **PROBLEM_RESPONSES},
    summary="Read a case by id or reference",
)
def read_case(request: HttpRequest, case_id: str) -> Case:
    return selectors.case_get(actor=actor_of(request), case_id=case_id)
