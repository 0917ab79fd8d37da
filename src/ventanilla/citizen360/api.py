"""API of the composed 360° view of a party, under /parties/{id}/360 beside the party record."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from ventanilla.access.actors import actor_of
from ventanilla.cases.api import CaseOut
from ventanilla.citizen360.selectors import party_360 as party_360_view
from ventanilla.consent.api import ConsentOut
from ventanilla.core.pagination import DEFAULT_LIMIT, MAX_LIMIT
from ventanilla.core.problems import PROBLEM_RESPONSES
from ventanilla.interactions.api import InteractionOut
from ventanilla.parties.api import (
    AttributeOut,
    ContactPointOut,
    IdentifierOut,
    PartyOut,
    RepresentationOut,
    say_where_now,
)
from ventanilla.parties.models import Representation

router = Router(tags=["parties"])


class ProfileChangeOut(Schema):
    field: str
    old_value: object
    new_value: object
    changed_by: str
    changed_at: datetime


class TimelineOut(Schema):
    items: list[InteractionOut]
    next_cursor: str | None


class Party360Out(Schema):
    party: PartyOut
    identifiers: list[IdentifierOut]
    contact_points: list[ContactPointOut]
    attributes: list[AttributeOut]
    represents: list[RepresentationOut]
    represented_by: list[RepresentationOut]
    open_cases: list[CaseOut]
    past_cases: list[CaseOut]
    consents: list[ConsentOut] = Field(description="Consents given to your agencies")
    other_consents: int = Field(
        description="Consents given to other agencies: counted, their purposes not shown"
    )
    timeline: TimelineOut
    changes: list[ProfileChangeOut] = Field(description="Latest rectifications, newest first")
    withheld_sensitive: int = Field(
        description="Sensitive facts held back: state a `purpose` to see them (logged)."
    )
    sensitive_purpose: str = Field(
        description="The purpose under which sensitive facts are shown (stated, or an open case)."
    )


class TimelineQuery(Schema):
    channel: str | None = None
    agency: str | None = Field(default=None, description="Agency code; includes its departments.")
    cursor: str | None = None
    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


class ViewQuery(TimelineQuery):
    purpose: str = Field(
        default="",
        max_length=300,
        description="Why the record is read; recorded in the audit log with the reading.",
    )
    sensitive: bool = Field(
        default=False,
        description=(
            "Also show sensitive facts (health, disability, income, a minor's data): needs the "
            "parties:read_sensitive scope and a `purpose` of at least 10 characters; logged."
        ),
    )


def _representations(
    rows: list[Representation], *, other: Literal["represented", "representative"]
) -> list[dict[str, object]]:
    """Each representation seen from this party: who the other party is."""
    return [
        {
            "kind": row.kind,
            "party_id": getattr(row, f"{other}_id"),
            "party_name": getattr(row, other).display_name,
            "scope": row.scope,
            "valid_from": row.valid_from,
            "valid_until": row.valid_until,
        }
        for row in rows
    ]


@router.get(
    "/{party_id}/360",
    operation_id="ventanilla_parties_api_party_360",
    response={200: Party360Out, **PROBLEM_RESPONSES},
    summary="The 360° view of a party",
    description="A record merged into another answers with the view of the one it was merged "
    "into: `party.resolved_from` is then the id asked for, and `Content-Location` the survivor's "
    "URL.",
)
def read_party_360(
    request: HttpRequest, response: HttpResponse, party_id: UUID, query: Query[ViewQuery]
) -> object:
    view = party_360_view(
        actor=actor_of(request),
        party_id=party_id,
        follow_merged=True,
        channel=query.channel,
        agency=query.agency,
        cursor=query.cursor,
        limit=query.limit,
        purpose=query.purpose,
        include_sensitive=query.sensitive,
    )

    party = PartyOut.from_orm(view.party)
    party.resolved_from = say_where_now(request, response, party_id, view.party, "/360")
    return {
        "party": party,
        "identifiers": view.identifiers,
        "contact_points": view.contact_points,
        "attributes": view.attributes,
        "represents": _representations(view.represents, other="represented"),
        "represented_by": _representations(view.represented_by, other="representative"),
        "open_cases": view.open_cases,
        "past_cases": view.past_cases,
        "consents": view.consents,
        "timeline": {"items": view.timeline.items, "next_cursor": view.timeline.next_cursor},
        "changes": view.changes,
        "withheld_sensitive": view.withheld_sensitive,
        "sensitive_purpose": view.sensitive_purpose,
        "other_consents": view.other_consents,
    }
