"""API of the contact history: record an interaction, list a party's interactions."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from ventanilla.api.auth import actor_of
from ventanilla.api.problems import PROBLEM_RESPONSES
from ventanilla.core.pagination import DEFAULT_LIMIT, MAX_LIMIT
from ventanilla.interactions import services
from ventanilla.interactions.models import Interaction
from ventanilla.interactions.selectors import interactions_of_party

router = Router(tags=["interactions"])


class InteractionIn(Schema):
    model_config = ConfigDict(extra="forbid")
    party_id: UUID
    channel: str = Field(max_length=20, description="Channel code: web, kiosk, email, phone, desk…")
    summary: str = Field(min_length=1, max_length=services.MAX_SUMMARY)
    kind: Literal["question", "complaint", "suggestion", "request", "transaction"] = "question"
    relationship: Literal["information", "consultation", "participation"] = "information"
    direction: Literal["inbound", "outbound"] = "inbound"
    agency: str | None = Field(default=None, max_length=40, description="Agency code")
    service: str | None = Field(default=None, max_length=60, description="Service code")
    case_reference: str | None = Field(default=None, max_length=20)
    occurred_at: datetime | None = None
    duration_seconds: int | None = Field(default=None, ge=0, le=86400)


class InteractionOut(Schema):
    id: UUID
    party_id: UUID
    channel: str = Field(alias="channel_id")
    channel_name: str = Field(alias="channel.name")
    agency: str = Field(alias="agency.code")
    agency_name: str = Field(alias="agency.name")
    direction: str
    relationship: str
    kind: str
    service: str | None = Field(default=None, alias="service.code")
    case_reference: str | None = Field(default=None, alias="case.reference")
    occurred_at: datetime
    duration_seconds: int | None
    summary: str


class InteractionPageOut(Schema):
    items: list[InteractionOut]
    next_cursor: str | None


class InteractionQuery(Schema):
    channel: str | None = None
    agency: str | None = None
    cursor: str | None = None
    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


@router.post(
    "/interactions",
    response={201: InteractionOut, **PROBLEM_RESPONSES},
    summary="Record an interaction",
)
def create_interaction(request: HttpRequest, payload: InteractionIn) -> Status[Interaction]:
    interaction = services.interaction_record(
        actor=actor_of(request),
        party_id=payload.party_id,
        channel=payload.channel,
        summary=payload.summary,
        kind=payload.kind,
        relationship=payload.relationship,
        direction=payload.direction,
        agency_code=payload.agency,
        service_code=payload.service,
        case_reference=payload.case_reference,
        occurred_at=payload.occurred_at,
        duration_seconds=payload.duration_seconds,
    )
    return Status(201, interaction)


@router.get(
    "/parties/{party_id}/interactions",
    response={200: InteractionPageOut, **PROBLEM_RESPONSES},
    summary="A party's interactions, newest first",
)
def list_interactions(
    request: HttpRequest, party_id: UUID, query: Query[InteractionQuery]
) -> object:
    page = interactions_of_party(
        actor=actor_of(request),
        party_id=party_id,
        channel=query.channel,
        agency=query.agency,
        cursor=query.cursor,
        limit=query.limit,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}
