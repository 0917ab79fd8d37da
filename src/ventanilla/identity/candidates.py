"""Who a record being created may already be, with how likely each is: the parties' candidate
keys find them (``parties.selectors.candidate_parties``) and the active matching model scores
them (``identity.scoring``), before anything is saved. Every door that creates a party asks
here: the console as the agent types, the API before (and when) registering, and imports.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_record
from ventanilla.core.errors import PossibleDuplicate
from ventanilla.identity.features import phone_digits
from ventanilla.identity.scoring import active_scorer, score_pairs
from ventanilla.parties.models import ContactPoint, Party
from ventanilla.parties.selectors import (
    CANDIDATES_SHOWN,
    PERSONAL_DOCUMENTS,
    Candidate,
    candidate_parties,
)
from ventanilla.parties.services import ContactPointInput, IdentifierInput, party_create

RECORD_FIELDS = (
    "given_name",
    "family_name_1",
    "family_name_2",
    "birth_date",
    "identifier",
    "email",
    "phone",
)


@dataclass(frozen=True)
class ScoredCandidate:
    """A registered person who may be the one described, how likely (0 to 1) by the model of
    ``model_version`` (0: the built-in weights, no model trained yet), and whether that is high
    enough to link (``likely``) or to ask a person (``possible``)."""

    candidate: Candidate
    probability: float
    model_version: int
    likely: bool
    possible: bool

    @property
    def party(self) -> Party:
        return self.candidate.party


def _pick(values: list[str], typed: str, same: Callable[[str], str] = str) -> str:
    # A party may have several emails or phones: the one typed, if it is among them.
    return next(
        (v for v in values if typed and same(v) == same(typed)), values[0] if values else ""
    )


def record_of(candidate: Candidate, typed: Mapping[str, Any]) -> dict[str, Any]:
    """A registered person as a record with the source record's field names, from what the
    candidate selector read: of several documents, emails or phones, the one typed."""
    party = candidate.party
    typed_id = "".join(ch for ch in str(typed.get("identifier") or "").upper() if ch.isalnum())
    number = typed_id.rstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    documents = list(candidate.documents)
    document = next((d for d in documents if number and d.startswith(number)), "")
    return {
        "given_name": party.given_name,
        "family_name_1": party.family_name_1,
        "family_name_2": party.family_name_2,
        "birth_date": party.birth_date,
        "identifier": document or (documents[0] if documents else ""),
        "email": _pick(list(candidate.emails), str(typed.get("email") or "").strip().lower()),
        "phone": _pick(list(candidate.phones), str(typed.get("phone") or ""), phone_digits),
    }


def candidates_for(
    record: Mapping[str, Any], limit: int = CANDIDATES_SHOWN
) -> list[ScoredCandidate]:
    """The registered people ``record`` (the source record's field names, any missing) may be,
    most likely first, at most ``limit``. No actor and no audit: for imports and other
    processes that answer for their own reading; people see candidates through
    ``party_candidates_scored``."""
    record = {name: record.get(name) for name in RECORD_FIELDS}
    found = candidate_parties(record)
    if not found:
        return []
    scorer = active_scorer()
    scores = score_pairs(record, [record_of(c, record) for c in found], scorer=scorer)
    scored = [
        ScoredCandidate(
            candidate=candidate,
            probability=score,
            model_version=scorer.version,
            likely=score >= scorer.link_threshold,
            possible=score >= scorer.review_threshold,
        )
        for candidate, score in zip(found, scores, strict=True)
    ]
    scored.sort(key=lambda s: (-s.probability, s.party.sort_name))
    return scored[:limit]


def party_candidates_scored(
    *, actor: Actor, record: Mapping[str, Any], limit: int = CANDIDATES_SHOWN
) -> list[ScoredCandidate]:
    """``candidates_for`` for an actor who reads parties; the people shown are recorded in the
    audit log as a search is."""
    require(actor, Scope.PARTIES_READ)
    birth = record.get("birth_date")
    if isinstance(birth, str):
        try:
            birth = date.fromisoformat(birth[:10])
        except ValueError:
            birth = None
    shown = candidates_for({**record, "birth_date": birth}, limit)
    if shown:
        audit_record(
            actor=actor,
            action=Action.PARTY_SEARCH,
            detail={"duplicate_check": True, "shown": [str(s.party.pk) for s in shown]},
        )
    return shown


def record_from_input(
    profile: Mapping[str, Any],
    identifiers: Sequence[IdentifierInput] = (),
    contact_points: Sequence[ContactPointInput] = (),
) -> dict[str, Any]:
    """What ``party_create`` is given, as a record to look candidates up with."""

    def first(kind: str) -> str:
        return next((c.value for c in contact_points if c.kind == kind), "")

    document = next((i.value for i in identifiers if i.scheme in PERSONAL_DOCUMENTS), "")
    return {
        **{name: profile.get(name) for name in RECORD_FIELDS if name in profile},
        "identifier": document,
        "email": first(ContactPoint.Kind.EMAIL),
        "phone": first(ContactPoint.Kind.PHONE),
    }


def party_create_checked(
    *,
    actor: Actor,
    confirm_new: bool = False,
    kind: str = Party.Kind.PERSON,
    identifiers: Sequence[IdentifierInput] = (),
    contact_points: Sequence[ContactPointInput] = (),
    **profile: Any,
) -> Party:
    """Register a party as ``party_create`` does, unless it is very likely a person already
    registered (a candidate at or above the model's link threshold): then ``PossibleDuplicate``
    names the candidates and nothing is written. ``confirm_new`` registers all the same, for
    when someone has looked and knows it is another person."""
    require(actor, Scope.PARTIES_WRITE)
    if not confirm_new and kind == Party.Kind.PERSON:
        record = record_from_input(profile, identifiers, contact_points)
        likely = [s for s in party_candidates_scored(actor=actor, record=record) if s.likely]
        if likely:
            holder = next((s for s in likely if s.candidate.same_identifier), None)
            # The holder of the same DNI/NIE is named as the identifier conflict names it.
            extra = {"existing_party": str(holder.party.pk)} if holder else {}
            raise PossibleDuplicate(
                _(
                    "This person is very likely already registered. Open their record, or send "
                    "the registration again with confirm_new if it is another person."
                ),
                candidates=[candidate_summary(s) for s in likely],
                **extra,
            )
    return party_create(
        actor=actor,
        kind=kind,
        identifiers=identifiers,
        contact_points=contact_points,
        **profile,
    )


def candidate_summary(scored: ScoredCandidate) -> dict[str, Any]:
    """A candidate as the API shows it (also inside a possible-duplicate problem)."""
    party = scored.party
    return {
        "party_id": str(party.pk),
        "display_name": party.display_name,
        "birth_year": party.birth_date.year if party.birth_date else None,
        "probability": scored.probability,
        "model_version": scored.model_version,
        "likely": scored.likely,
        "same_identifier": scored.candidate.same_identifier,
        "same_identifier_number": scored.candidate.same_identifier_number,
        "same_email": scored.candidate.same_email,
        "same_phone": scored.candidate.same_phone,
        "same_birth_date": scored.candidate.same_birth_date,
    }
