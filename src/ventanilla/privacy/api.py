"""API of the audit log, for data-protection officers and their tools (at /audit)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from ventanilla.access.actors import actor_of
from ventanilla.core.pagination import DEFAULT_LIMIT, MAX_LIMIT
from ventanilla.core.problems import PROBLEM_RESPONSES
from ventanilla.privacy.audit_log import audit_entries

router = Router(tags=["audit"])


class AuditEntryOut(Schema):
    id: int
    at: datetime
    actor: str
    roles: str
    agencies: str
    action: str
    object_type: str
    object_id: str
    party_id: UUID | None
    purpose: str
    request_id: str
    detail: dict[str, Any]
    hash: str


class AuditPageOut(Schema):
    items: list[AuditEntryOut]
    next_cursor: str | None


class AuditQuery(Schema):
    party_id: UUID | None = Field(default=None, description="Who looked at this party")
    actor: str | None = Field(
        default=None, max_length=150, description="What this user (or api:<key>) looked at"
    )
    cursor: str | None = None
    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


@router.get(
    "/entries",
    operation_id="ventanilla_audit_api_list_entries",
    response={200: AuditPageOut, **PROBLEM_RESPONSES},
    summary="Audit entries about a party or by an actor, newest first",
)
def list_entries(request: HttpRequest, query: Query[AuditQuery]) -> object:
    page = audit_entries(
        actor=actor_of(request),
        party_id=query.party_id,
        actor_label=query.actor,
        cursor=query.cursor,
        limit=query.limit,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}
