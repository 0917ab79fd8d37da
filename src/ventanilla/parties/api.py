"""API of parties: search, create, read, update, and the 360° view."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from ventanilla.api.auth import actor_of
from ventanilla.api.problems import PROBLEM_RESPONSES
from ventanilla.cases.api import CaseOut
from ventanilla.core.dates import BirthDate
from ventanilla.core.pagination import DEFAULT_LIMIT, MAX_LIMIT
from ventanilla.interactions.api import InteractionOut
from ventanilla.parties import selectors, services
from ventanilla.parties.models import Party, Representation

router = Router(tags=["parties"])

Text100 = Field(default="", max_length=100)


class IdentifierIn(Schema):
    model_config = ConfigDict(extra="forbid")
    scheme: Literal["dni", "nie", "nif", "cif", "passport"]
    value: str = Field(max_length=40)
    issuing_country: str = Field(default="ES", min_length=2, max_length=2)
    verified: bool = False


class ContactPointIn(Schema):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["email", "phone", "postal"]
    value: str = Field(max_length=300)
    postal_code: str = Field(default="", max_length=10)
    municipality: str = Field(default="", max_length=100)
    district: str = Field(default="", max_length=100)
    preferred: bool = False


class PartyIn(Schema):
    """A new party. Unknown fields are refused, so nothing sent is silently dropped."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["person", "organisation"] = "person"
    given_name: str = Text100
    family_name_1: str = Text100
    family_name_2: str = Text100
    legal_name: str = Field(default="", max_length=200)
    birth_date: BirthDate | None = None
    sex: Literal["F", "M", "X", ""] = ""
    preferred_language: Literal["es", "en"] = "es"
    education_level: Literal["none", "primary", "secondary", "vocational", "university", ""] = ""
    accessibility_needs: list[str] = Field(default_factory=list, max_length=20)
    identifiers: list[IdentifierIn] = Field(default_factory=list, max_length=10)
    contact_points: list[ContactPointIn] = Field(default_factory=list, max_length=20)


class PartyPatch(Schema):
    """Fields to change; fields left out stay as they are."""

    model_config = ConfigDict(extra="forbid")
    given_name: str | None = Field(default=None, max_length=100)
    family_name_1: str | None = Field(default=None, max_length=100)
    family_name_2: str | None = Field(default=None, max_length=100)
    legal_name: str | None = Field(default=None, max_length=200)
    birth_date: BirthDate | None = None
    sex: Literal["F", "M", "X", ""] | None = None
    preferred_language: Literal["es", "en"] | None = None
    education_level: (
        Literal["none", "primary", "secondary", "vocational", "university", ""] | None
    ) = None
    accessibility_needs: list[str] | None = Field(default=None, max_length=20)


class PartySummaryOut(Schema):
    id: UUID
    kind: str
    status: str
    display_name: str
    birth_date: date | None


class PartyOut(PartySummaryOut):
    given_name: str
    family_name_1: str
    family_name_2: str
    legal_name: str
    sex: str
    preferred_language: str
    education_level: str
    accessibility_needs: list[str]
    merged_into_id: UUID | None
    created_at: datetime
    updated_at: datetime


class PartyPageOut(Schema):
    items: list[PartySummaryOut]
    next_cursor: str | None


class IdentifierOut(Schema):
    scheme: str
    value: str
    issuing_country: str
    verified: bool


class ContactPointOut(Schema):
    kind: str
    value: str
    postal_code: str
    municipality: str
    district: str
    preferred: bool


class AttributeOut(Schema):
    name: str
    value: object
    sensitivity: str
    category: str


class RepresentationOut(Schema):
    kind: str
    party_id: UUID
    party_name: str
    scope: list[str]
    valid_from: date
    valid_until: date | None


class ConsentOut(Schema):
    id: UUID
    purpose: str
    recipient: str = Field(alias="recipient.code")
    recipient_name: str = Field(alias="recipient.name")
    data_categories: list[str]
    legal_basis: str
    granted_at: datetime
    expires_at: datetime | None
    withdrawn_at: datetime | None
    channel: str = Field(alias="channel_id")
    recorded_by: str = Field(alias="recorded_by_label")
    given_by: str = Field(
        description="`person` (portal), `desk` (signed document kept) or `agency` (its own "
        "record of another basis, which opens nothing held elsewhere)"
    )
    explicit: bool = Field(description="Explicit consent to health and disability data")
    has_evidence: bool = Field(description="The signed document is kept")

    @staticmethod
    def resolve_has_evidence(obj: Any) -> bool:
        return bool(obj.evidence_file)


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


class SearchQuery(Schema):
    q: str = Field(max_length=100, description="Name words, DNI/NIE/CIF, email or phone.")
    cursor: str | None = None
    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


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


@router.get("", response={200: PartyPageOut, **PROBLEM_RESPONSES}, summary="Search parties")
def search_parties(request: HttpRequest, query: Query[SearchQuery]) -> object:
    page = selectors.party_search(
        actor=actor_of(request), query=query.q, cursor=query.cursor, limit=query.limit
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("", response={201: PartyOut, **PROBLEM_RESPONSES}, summary="Register a party")
def create_party(request: HttpRequest, payload: PartyIn) -> Status[Party]:
    data = payload.model_dump(exclude={"identifiers", "contact_points", "kind"})
    party = services.party_create(
        actor=actor_of(request),
        kind=payload.kind,
        identifiers=[services.IdentifierInput(**i.model_dump()) for i in payload.identifiers],
        contact_points=[
            services.ContactPointInput(**c.model_dump()) for c in payload.contact_points
        ],
        **data,
    )
    return Status(201, party)


@router.get("/{party_id}", response={200: PartyOut, **PROBLEM_RESPONSES}, summary="Read a party")
def read_party(request: HttpRequest, party_id: UUID) -> Party:
    return selectors.party_get(actor=actor_of(request), party_id=party_id)


@router.patch(
    "/{party_id}", response={200: PartyOut, **PROBLEM_RESPONSES}, summary="Update a party"
)
def update_party(request: HttpRequest, party_id: UUID, payload: PartyPatch) -> Party:
    return services.party_update(
        actor=actor_of(request), party_id=party_id, changes=payload.model_dump(exclude_unset=True)
    )


@router.get(
    "/{party_id}/360",
    response={200: Party360Out, **PROBLEM_RESPONSES},
    summary="The 360° view of a party",
)
def party_360(request: HttpRequest, party_id: UUID, query: Query[ViewQuery]) -> object:
    view = selectors.party_360(
        actor=actor_of(request),
        party_id=party_id,
        channel=query.channel,
        agency=query.agency,
        cursor=query.cursor,
        limit=query.limit,
        purpose=query.purpose,
        include_sensitive=query.sensitive,
    )

    return {
        "party": view.party,
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
