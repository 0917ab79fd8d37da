"""Every read of the party record: search, one party, the people a new registration may
duplicate; and the facts about a person other reads need (age, minority, which facts are
sensitive). The composed 360° view is in ``citizen360``.

Each selector takes the acting ``actor`` and scopes what it returns to the agencies the actor
acts in; the audit record of each read joins here with the safeguards work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_record
from ventanilla.core.errors import NotFound, ValidationFailed
from ventanilla.core.pagination import DEFAULT_LIMIT, Page, keyset_page
from ventanilla.core.text import prefix_upper_bound, tokens
from ventanilla.parties.models import (
    ContactPoint,
    Identifier,
    NameToken,
    Party,
    ProfileAttribute,
)
from ventanilla.parties.validation import guess_identifier_scheme, normalize_phone

CHANGES_IN_360 = 20
MAX_QUERY_LENGTH = 100
SEARCH_ORDER = ["sort_name", "id"]
# Up to this many parties for the rarest word, a name search starts from them by key.
FEW_CANDIDATES = 2000


def party_rows() -> QuerySet[Party]:
    return Party.objects.all()


def _contacts(kind: str, normalized: str) -> QuerySet[ContactPoint, UUID]:
    return ContactPoint.objects.filter(kind=kind, normalized=normalized).values_list(
        "party_id", flat=True
    )


def _word_matches(word: str) -> QuerySet[NameToken]:
    matching = NameToken.objects.filter(token__gte=word)
    upper = prefix_upper_bound(word)
    return matching if upper is None else matching.filter(token__lt=upper)


def _search_by_name(query: str) -> QuerySet[Party] | None:
    """Parties having, for each word of ``query``, a name word that starts with it.

    The database first intersects the parties of the words of three letters or more. When few
    remain (at most ``FEW_CANDIDATES``), the search starts from them by key; when many do, it
    walks the name order and stops at the first page, which is quick precisely because matches
    are common. Left to itself the planner walked the name order for rare names too: "María
    Torres" read 40,000 rows instead of 200.
    """
    words = tokens(query)[:4]
    if not words:
        return None
    parties = party_rows().filter(status=Party.Status.ACTIVE)
    strong = [word for word in words if len(word) >= 3]
    if strong:
        first, *others = (_word_matches(word).values("party_id") for word in strong)
        common = first.intersection(*others) if others else first.distinct()
        candidates = list(common.values_list("party_id", flat=True)[: FEW_CANDIDATES + 1])
        if len(candidates) <= FEW_CANDIDATES:
            parties = parties.filter(id__in=candidates)
            words = [word for word in words if word not in strong]
    for word in words:
        parties = parties.filter(id__in=_word_matches(word).values("party_id"))
    return parties


def party_search(
    *, actor: Actor, query: str, cursor: str | None = None, limit: int = DEFAULT_LIMIT
) -> Page[Party]:
    """Parties matching ``query``: a DNI/NIE/CIF, an email, a phone number, or words of a name
    (accent- and case-insensitive, each word a prefix: "jose garc" finds José García)."""
    require(actor, Scope.PARTIES_READ)
    query = query.strip()
    if len(query) > MAX_QUERY_LENGTH:
        raise ValidationFailed({"q": _("Search for at most %d characters.") % MAX_QUERY_LENGTH})
    if not query:
        return Page(items=[], next_cursor=None)
    parties: QuerySet[Party] | None
    scheme = guess_identifier_scheme(query)
    if scheme is not None:
        value = "".join(ch for ch in query.upper() if ch.isalnum())
        parties = party_rows().filter(
            id__in=Identifier.objects.filter(value=value).values("party_id")
        )
    elif "@" in query:
        parties = party_rows().filter(id__in=_contacts(ContactPoint.Kind.EMAIL, query.lower()))
    elif sum(ch.isdigit() for ch in query) >= 6 and not any(ch.isalpha() for ch in query):
        try:
            phone = normalize_phone(query)
        except ValidationFailed:
            return Page(items=[], next_cursor=None)
        parties = party_rows().filter(id__in=_contacts(ContactPoint.Kind.PHONE, phone))
    else:
        parties = _search_by_name(query)
    if parties is None:
        return Page(items=[], next_cursor=None)
    page = keyset_page(
        parties.prefetch_related("identifiers"), order=SEARCH_ORDER, cursor=cursor, limit=limit
    )
    audit_record(
        actor=actor,
        action=Action.PARTY_SEARCH,
        detail={"query": query, "shown": [str(party.pk) for party in page.items]},
    )
    return page


# A merge points the records merged earlier straight at the survivor, so a chain is one or two
# steps; the bound only guards against a loop written by hand in the database.
MERGE_STEPS = 10


def party_for(actor: Actor, party_id: Any, *, follow_merged: bool = False) -> Party:
    """One party, once the actor may read parties; the caller records the reading it makes.
    With ``follow_merged``, a record merged into another gives the one it was merged into."""
    require(actor, Scope.PARTIES_READ, party_id=party_id)
    party = party_rows().filter(pk=party_id).first()
    for _step in range(MERGE_STEPS if follow_merged else 0):
        if party is None or party.status != Party.Status.MERGED or party.merged_into_id is None:
            break
        party = party_rows().filter(pk=party.merged_into_id).first()
    if party is None:
        raise NotFound(_("No such party."))
    return party


def party_resolve(*, actor: Actor, party_id: Any) -> Any:
    """The id of the record that stands for ``party_id`` now: itself, or the record it was
    merged into. It reads ids and statuses only, so it records no reading of its own."""
    require(actor, Scope.PARTIES_READ, party_id=party_id)
    current = party_id
    for _step in range(MERGE_STEPS):
        row = party_rows().filter(pk=current).values_list("status", "merged_into_id").first()
        if row is None:
            raise NotFound(_("No such party."))
        status, merged_into = row
        if status != Party.Status.MERGED or merged_into is None:
            return current
        current = merged_into
    return current


def party_get(
    *, actor: Actor, party_id: Any, purpose: str = "", follow_merged: bool = False
) -> Party:
    party = party_for(actor, party_id, follow_merged=follow_merged)
    audit_record(
        actor=actor,
        action=Action.PARTY_READ,
        party_id=party.pk,
        object_type="party",
        object_id=party.pk,
        purpose=purpose,
    )
    return party


def age_of(party: Party, *, today: date | None = None) -> int | None:
    """A person's age in whole years; None for an organisation or an unknown birth date."""
    if party.birth_date is None or party.kind != Party.Kind.PERSON:
        return None
    today = today or timezone.localdate()
    born = party.birth_date
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def is_minor(party: Party, *, today: date | None = None) -> bool:
    age = age_of(party, today=today)
    return age is not None and age < 18


def is_sensitive(attribute: ProfileAttribute, *, minor: bool) -> bool:
    """Health, disability, income and the like; for a minor, everything but public facts."""
    if attribute.sensitivity == ProfileAttribute.Sensitivity.SENSITIVE:
        return True
    return minor and attribute.sensitivity != ProfileAttribute.Sensitivity.PUBLIC


# How many existing people the new-person form offers at most, and how many name matches it
# weighs before putting those born the same day first.
CANDIDATES_SHOWN = 5
NAME_MATCHES_WEIGHED = 20


@dataclass(frozen=True)
class Candidate:
    """A person already registered who may be the one about to be registered again, and what
    they share with what was typed."""

    party: Party
    same_identifier: bool = False
    same_email: bool = False
    same_phone: bool = False
    same_name: bool = False
    same_birth_date: bool = False


def party_candidates(
    *,
    actor: Actor,
    given_name: str = "",
    family_name_1: str = "",
    family_name_2: str = "",
    identifier: str = "",
    email: str = "",
    phone: str = "",
    birth_date: date | None = None,
) -> list[Candidate]:
    """The people already registered who may be the person a desk is about to register: the
    same DNI/NIE, email or phone first, then the same name (those born the same day before
    others). Whatever is incomplete or not yet valid is simply not used, as this runs while the
    agent types. The people shown are recorded in the audit log as a search is."""
    require(actor, Scope.PARTIES_READ)
    found: dict[UUID, dict[str, bool]] = {}

    def mark(party_ids: Any, reason: str) -> None:
        for party_id in party_ids:
            found.setdefault(party_id, {})[reason] = True

    compact = "".join(ch for ch in identifier.upper() if ch.isalnum())
    if compact and guess_identifier_scheme(compact) is not None:
        mark(Identifier.objects.filter(value=compact).values_list("party_id", flat=True), "id")
    if "@" in email and len(email.strip()) <= 254:
        mark(_contacts(ContactPoint.Kind.EMAIL, email.strip().lower()), "email")
    if sum(ch.isdigit() for ch in phone) >= 9:
        try:
            mark(_contacts(ContactPoint.Kind.PHONE, normalize_phone(phone)), "phone")
        except ValidationFailed:
            pass  # not a number yet: the agent is still typing it
    name = " ".join(part.strip() for part in (given_name, family_name_1, family_name_2))[
        :MAX_QUERY_LENGTH
    ]
    if len(given_name.strip()) >= 2 and len(family_name_1.strip()) >= 2:
        by_name = _search_by_name(name)
        if by_name is not None:
            ids = by_name.order_by(*SEARCH_ORDER).values_list("id", flat=True)
            mark(ids[:NAME_MATCHES_WEIGHED], "name")
    if not found:
        return []
    parties = {
        party.pk: party
        for party in party_rows()
        .filter(pk__in=list(found), status=Party.Status.ACTIVE)
        .prefetch_related("identifiers")
    }
    candidates = [
        Candidate(
            party=party,
            same_identifier=found[party.pk].get("id", False),
            same_email=found[party.pk].get("email", False),
            same_phone=found[party.pk].get("phone", False),
            same_name=found[party.pk].get("name", False),
            same_birth_date=birth_date is not None and party.birth_date == birth_date,
        )
        for party in parties.values()
    ]
    candidates.sort(
        key=lambda c: (
            -(c.same_identifier + c.same_email + c.same_phone),
            -c.same_birth_date,
            c.party.sort_name,
        )
    )
    shown = candidates[:CANDIDATES_SHOWN]
    if shown:
        audit_record(
            actor=actor,
            action=Action.PARTY_SEARCH,
            detail={"duplicate_check": True, "shown": [str(c.party.pk) for c in shown]},
        )
    return shown
