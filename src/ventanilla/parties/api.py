"""API of parties: search, read and update. Registering (with the duplicate check) is in
``identity.api``; the 360° view is in ``citizen360.api``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict

from ventanilla.access.actors import actor_of
from ventanilla.core.dates import BirthDate
from ventanilla.core.pagination import DEFAULT_LIMIT, MAX_LIMIT
from ventanilla.core.problems import PROBLEM_RESPONSES
from ventanilla.parties import selectors, services
from ventanilla.parties.models import Party

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


def say_where_now(
    request: HttpRequest, response: HttpResponse, asked: UUID, party: Party, path: str = ""
) -> UUID | None:
    """When ``asked`` was merged into ``party``, the answer is ``party``'s and says so: its URL
    in ``Content-Location``, and the id asked for (returned, for ``resolved_from``)."""
    if party.pk == asked:
        return None
    response["Content-Location"] = f"{request.path.rsplit(str(asked), 1)[0]}{party.pk}{path}"
    return asked


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
    resolved_from: UUID | None = Field(
        default=None,
        description="The id asked for, when that record was merged into this one (the answer is "
        "then this record's, and `Content-Location` names its URL); null otherwise.",
    )
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


class SearchQuery(Schema):
    q: str = Field(max_length=100, description="Name words, DNI/NIE/CIF, email or phone.")
    cursor: str | None = None
    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


@router.get("", response={200: PartyPageOut, **PROBLEM_RESPONSES}, summary="Search parties")
def search_parties(request: HttpRequest, query: Query[SearchQuery]) -> object:
    page = selectors.party_search(
        actor=actor_of(request), query=query.q, cursor=query.cursor, limit=query.limit
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get(
    "/{party_id}",
    response={200: PartyOut, **PROBLEM_RESPONSES},
    summary="Read a party",
    description="A record merged into another answers with the one it was merged into: "
    "`resolved_from` is then the id asked for, and `Content-Location` the survivor's URL.",
)
def read_party(request: HttpRequest, response: HttpResponse, party_id: UUID) -> PartyOut:
    party = selectors.party_get(actor=actor_of(request), party_id=party_id, follow_merged=True)
    out = PartyOut.from_orm(party)
    out.resolved_from = say_where_now(request, response, party_id, party)
    return out


@router.patch(
    "/{party_id}", response={200: PartyOut, **PROBLEM_RESPONSES}, summary="Update a party"
)
def update_party(request: HttpRequest, party_id: UUID, payload: PartyPatch) -> Party:
    return services.party_update(
        actor=actor_of(request), party_id=party_id, changes=payload.model_dump(exclude_unset=True)
    )
