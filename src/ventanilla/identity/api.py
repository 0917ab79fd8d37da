"""API of registering a party with the duplicate check: who the party may already be, with
how likely each is, and the registration that refuses a very likely duplicate unless told."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from ventanilla.access.actors import actor_of
from ventanilla.core.problems import PROBLEM_RESPONSES
from ventanilla.identity import candidates
from ventanilla.parties.api import PartyIn, PartyOut
from ventanilla.parties.api import router as parties_router
from ventanilla.parties.models import Party
from ventanilla.parties.services import ContactPointInput, IdentifierInput

router = Router(tags=["parties"])


class PartyCreateIn(PartyIn):
    """A new party. ``confirm_new`` registers it even when someone very like it is already
    registered (otherwise the answer is 409 ``possible-duplicate`` with the candidates)."""

    confirm_new: bool = False


class CandidateOut(Schema):
    party_id: UUID
    display_name: str
    birth_year: int | None
    probability: float = Field(description="How likely this is the same person, 0 to 1.")
    model_version: int = Field(
        description="The matching model that scored it; 0 for the built-in weights."
    )
    likely: bool = Field(description="At or above the model's link threshold.")
    same_identifier: bool
    same_identifier_number: bool = Field(description="Same DNI/NIE number, another letter.")
    same_email: bool
    same_phone: bool
    same_birth_date: bool


class CandidateListOut(Schema):
    items: list[CandidateOut]


def _inputs(
    payload: PartyCreateIn,
) -> tuple[dict[str, Any], list[IdentifierInput], list[ContactPointInput]]:
    """The profile, identifiers and contact points the body describes."""
    profile = payload.model_dump(exclude={"identifiers", "contact_points", "kind", "confirm_new"})
    return (
        profile,
        [IdentifierInput(**i.model_dump()) for i in payload.identifiers],
        [ContactPointInput(**c.model_dump()) for c in payload.contact_points],
    )


@router.post(
    "/candidates",
    response={200: CandidateListOut, **PROBLEM_RESPONSES},
    summary="Find who a new party may already be",
)
def find_candidates(request: HttpRequest, payload: PartyCreateIn) -> object:
    """The registered people the party in the body (the body of a registration) may be, most
    likely first, with the probability the active matching model gives each. Nothing is
    written; the people shown are recorded in the audit log as a search is."""
    record = candidates.record_from_input(*_inputs(payload))
    found = candidates.party_candidates_scored(actor=actor_of(request), record=record)
    return {"items": [candidates.candidate_summary(s) for s in found]}


# Registering is an operation of /parties, whose other operations the parties router holds: a
# path's methods must share one router, so the operation is added to it from here, where the
# duplicate check can be reached (parties cannot import identity).
@parties_router.post(
    "",
    response={201: PartyOut, **PROBLEM_RESPONSES},
    summary="Register a party",
    operation_id="ventanilla_parties_api_create_party",
)
def create_party(request: HttpRequest, payload: PartyCreateIn) -> Status[Party]:
    """Registers the party, unless a person already registered is very likely the same one:
    then 409 with type ``possible-duplicate`` and the candidates (as ``/parties/candidates``
    gives them); send again with ``confirm_new: true`` if it is another person."""
    profile, identifiers, contact_points = _inputs(payload)
    party = candidates.party_create_checked(
        actor=actor_of(request),
        confirm_new=payload.confirm_new,
        kind=payload.kind,
        identifiers=identifiers,
        contact_points=contact_points,
        **profile,
    )
    return Status(201, party)
