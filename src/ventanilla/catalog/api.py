"""API of the service catalogue: the services (public) and the knowledge base (staff and keys
with catalog:read)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from ventanilla.access.actors import actor_of
from ventanilla.catalog import selectors
from ventanilla.core.problems import PROBLEM_RESPONSES, PUBLIC_PROBLEM_RESPONSES

router = Router(tags=["catalog"], auth=None)  # the catalogue is public information
# What only staff and integrating systems read: the API's own authentication applies.
staff_router = Router(tags=["catalog"])


class EvidenceOut(Schema):
    code: str
    name: str


class ServiceOut(Schema):
    code: str
    name: str
    description: str
    department: str | None = Field(description="Department that handles requests by default")
    competent_agency: str = Field(description="CPSV-AP competent authority (agency code)")
    competent_agency_name: str
    deadline_days: int = Field(description="Processing time in working days")
    channels: list[str]
    life_events: list[str]
    cost: str = Field(description="What it costs, in words; empty when not stated")
    cost_amount: Decimal | None = Field(description="In euros; null when free or not fixed")
    output: str = Field(description="What the citizen gets")
    evidence: list[EvidenceOut] = Field(description="What the citizen brings (CPSV-AP Evidence)")
    input_schema: dict[str, Any] = Field(
        description="The request form as JSON Schema (Draft 2020-12); `form_data` of a case "
        "must validate against it"
    )


class ChannelOut(Schema):
    code: str
    name: str


class KnowledgeQuery(Schema):
    q: str = Field(default="", max_length=200, description="Words to look for, in any language")
    service: str | None = Field(
        default=None, max_length=60, description="Service code: its articles come first"
    )
    limit: int = Field(default=10, ge=1, le=50)


class ArticleOut(Schema):
    code: str
    title: str
    body: str
    keywords: str
    services: list[str]
    linked_to_service: bool


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


@staff_router.get(
    "/knowledge",
    response={200: list[ArticleOut], **PROBLEM_RESPONSES},
    summary="Search the knowledge base",
    description="Articles front-line staff answer from, best match first; those linked to "
    "`service` before the rest. Needs catalog:read.",
)
def search_knowledge(
    request: HttpRequest, query: Query[KnowledgeQuery]
) -> list[selectors.ArticleHit]:
    return selectors.knowledge_search(
        actor=actor_of(request), query=query.q, service_code=query.service, limit=query.limit
    )
