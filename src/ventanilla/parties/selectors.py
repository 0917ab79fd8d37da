"""Every read of the party record: search, one party, the people a new registration may
duplicate; and the facts about a person other reads need (age, minority, which facts are
sensitive). The composed 360° view is in ``citizen360``.

Each selector takes the acting ``actor`` and scopes what it returns to the agencies the actor
acts in; the audit record of each read joins here with the safeguards work.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_record
from ventanilla.core.errors import NotFound, ValidationFailed
from ventanilla.core.pagination import DEFAULT_LIMIT, Page, keyset_page
from ventanilla.core.statements import columns_of, fields_of_all, instance_of, read_all
from ventanilla.core.text import SHORTEST_VARIED, one_edit, prefix_upper_bound, tokens
from ventanilla.parties.matchkeys import typed_keys
from ventanilla.parties.models import (
    ContactPoint,
    Identifier,
    NameToken,
    Party,
    PartyKey,
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


def _search_by_name_tolerant(query: str) -> QuerySet[Party] | None:
    """Parties having, for each word of ``query`` of four letters or more, a name word at most
    one typing slip away from it ("Fenrandez", "Gonzales" find Fernández, González); shorter
    words are prefixes as in ``_search_by_name``. Tried only when the exact search finds no
    one, so a correct name never costs the wider lookup: each long word looks up its few
    hundred variants in the token index."""
    words = tokens(query)[:4]
    if not any(len(word) >= SHORTEST_VARIED for word in words):
        return None
    parties = party_rows().filter(status=Party.Status.ACTIVE)
    for word in words:
        if len(word) >= SHORTEST_VARIED:
            matching = NameToken.objects.filter(token__in=sorted(one_edit(word)))
        else:
            matching = _word_matches(word)
        parties = parties.filter(id__in=matching.values("party_id"))
    return parties


def party_search(
    *, actor: Actor, query: str, cursor: str | None = None, limit: int = DEFAULT_LIMIT
) -> Page[Party]:
    """Parties matching ``query``: a DNI/NIE/CIF, an email, a phone number, or words of a name
    (accent- and case-insensitive, each word a prefix: "jose garc" finds José García). When
    the words of a name find no one, a word with a typing slip in it is forgiven
    ("Fenrandez" finds Fernández)."""
    require(actor, Scope.PARTIES_READ)
    query = query.strip()
    if len(query) > MAX_QUERY_LENGTH:
        raise ValidationFailed({"q": _("Search for at most %d characters.") % MAX_QUERY_LENGTH})
    if not query:
        return Page(items=[], next_cursor=None)
    parties: QuerySet[Party] | None
    by_name = False
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
        by_name = True
        parties = _search_by_name(query)
    if parties is None:
        return Page(items=[], next_cursor=None)
    page = keyset_page(
        parties.prefetch_related("identifiers"), order=SEARCH_ORDER, cursor=cursor, limit=limit
    )
    # Nothing by the exact words (on this page: the next pages of a forgiving search come back
    # here with their cursor and find nothing exact either).
    if by_name and not page.items:
        tolerant = _search_by_name_tolerant(query)
        if tolerant is not None:
            page = keyset_page(
                tolerant.prefetch_related("identifiers"),
                order=SEARCH_ORDER,
                cursor=cursor,
                limit=limit,
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


# How many existing people the new-person form offers at most, and how many found by their keys
# are weighed (by how many keys they share with what was typed) before the best are kept.
CANDIDATES_SHOWN = 5
CANDIDATES_WEIGHED = 20
# A DNI's or NIE's number without its check letter, or with the wrong one: the person is still
# found by the number.
PERSONAL_DOCUMENTS = (Identifier.Scheme.DNI, Identifier.Scheme.NIE, Identifier.Scheme.NIF)
_ID_NUMBER = re.compile(r"([XYZ]?\d{7,8})[A-Z]?")


@dataclass(frozen=True)
class Candidate:
    """A person already registered who may be the one about to be registered again, and what
    they share with what was typed. ``keys`` counts the name and birth-date keys shared
    (``parties.matchkeys``), a first, cheap measure of likeness before any scoring."""

    party: Party
    same_identifier: bool = False
    same_identifier_number: bool = False
    same_email: bool = False
    same_phone: bool = False
    same_name: bool = False
    same_birth_date: bool = False
    keys: int = 0
    # The person's DNI/NIE/NIF values, emails and phones (normalised), for scoring.
    documents: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()

    @property
    def shared(self) -> int:
        return self.same_identifier + self.same_email + self.same_phone


def _identifier_holders(identifier: str) -> QuerySet[Identifier, UUID] | None:
    """Holders of the typed DNI/NIE; when its check letter is wrong or missing, holders of the
    same number whatever their letter (a range on the indexed value)."""
    compact = "".join(ch for ch in identifier.upper() if ch.isalnum())
    if not compact:
        return None
    if guess_identifier_scheme(compact) is not None:
        holders = Identifier.objects.filter(value=compact)
    elif (match := _ID_NUMBER.fullmatch(compact)) and len(match.group(1)) == 8:
        number = match.group(1)
        holders = Identifier.objects.filter(value__gte=number, value__lt=prefix_upper_bound(number))
    else:
        return None
    return holders.values_list("party_id", flat=True)


def candidate_parties(
    record: Mapping[str, Any], *, limit: int = CANDIDATES_WEIGHED
) -> list[Candidate]:
    """The people already registered who may be the person ``record`` describes (the source
    record's field names: ``given_name``, ``family_name_1``, ``family_name_2``, ``birth_date``,
    ``identifier``, ``email``, ``phone``; any may be missing or half typed): the same DNI/NIE
    (or its number with another letter), email or phone, and the people sharing name keys,
    typos and swapped surnames included. At most ``limit``, those sharing the most first, in a
    fixed number of queries. No actor and no audit: callers that show the result to someone
    are selectors that check and record (``party_candidates``)."""
    found: dict[UUID, dict[str, bool]] = {}

    def mark(party_ids: Any, reason: str) -> None:
        for party_id in party_ids:
            found.setdefault(party_id, {})[reason] = True

    identifier = str(record.get("identifier") or "")
    holders = _identifier_holders(identifier)
    if holders is not None:
        exact = "".join(ch for ch in identifier.upper() if ch.isalnum())
        for party_id, value in Identifier.objects.filter(party_id__in=holders).values_list(
            "party_id", "value"
        ):
            mark([party_id], "id" if value == exact else "number")
    email = str(record.get("email") or "").strip()
    if "@" in email and len(email) <= 254:
        mark(_contacts(ContactPoint.Kind.EMAIL, email.lower()), "email")
    phone = str(record.get("phone") or "")
    if sum(ch.isdigit() for ch in phone) >= 9:
        try:
            mark(_contacts(ContactPoint.Kind.PHONE, normalize_phone(phone)), "phone")
        except ValidationFailed:
            pass  # not a number yet: the agent is still typing it
    shared_keys: dict[UUID, int] = {}
    named: set[UUID] = set()
    keys = typed_keys(record) if len(str(record.get("given_name") or "").strip()) >= 2 else set()
    if keys:
        # One indexed lookup; the people sharing the most keys first, and only so many.
        rows = (
            PartyKey.objects.filter(key__in=sorted(keys))
            .values("party_id")
            # Counting party_id, not id: the (key, party) index then answers alone, without
            # reading a table row for each of the thousands a common name can share.
            .annotate(
                shared=Count("party_id"),
                named=Count("party_id", filter=Q(key__startswith="gf:")),
            )
            .order_by("-shared")[:limit]
        )
        for row in rows:
            shared_keys[row["party_id"]] = row["shared"]
            if row["named"]:
                named.add(row["party_id"])
            found.setdefault(row["party_id"], {})
    if not found:
        return []
    birth = record.get("birth_date")
    if isinstance(birth, str):
        try:
            birth = date.fromisoformat(birth[:10])
        except ValueError:
            birth = None
    parties = list(party_rows().filter(pk__in=list(found), status=Party.Status.ACTIVE))
    # What scoring compares besides the profile, read as plain values: building a model
    # instance for each identifier and contact point cost more than the queries.
    ids = [party.pk for party in parties]
    documents: dict[UUID, list[str]] = {}
    for party_id, value in Identifier.objects.filter(
        party_id__in=ids, scheme__in=PERSONAL_DOCUMENTS
    ).values_list("party_id", "value"):
        documents.setdefault(party_id, []).append(value)
    contacts: dict[tuple[UUID, str], list[str]] = {}
    for party_id, kind, value in ContactPoint.objects.filter(
        party_id__in=ids, kind__in=(ContactPoint.Kind.EMAIL, ContactPoint.Kind.PHONE)
    ).values_list("party_id", "kind", "normalized"):
        contacts.setdefault((party_id, kind), []).append(value)
    candidates = [
        Candidate(
            party=party,
            same_identifier=found[party.pk].get("id", False),
            same_identifier_number=found[party.pk].get("number", False),
            same_email=found[party.pk].get("email", False),
            same_phone=found[party.pk].get("phone", False),
            same_name=party.pk in named,
            same_birth_date=birth is not None and party.birth_date == birth,
            keys=shared_keys.get(party.pk, 0),
            documents=tuple(documents.get(party.pk, ())),
            emails=tuple(contacts.get((party.pk, ContactPoint.Kind.EMAIL), ())),
            phones=tuple(contacts.get((party.pk, ContactPoint.Kind.PHONE), ())),
        )
        for party in parties
    ]
    candidates.sort(
        key=lambda c: (
            -(c.shared + c.same_identifier_number),
            -c.keys,
            -c.same_birth_date,
            c.party.sort_name,
        )
    )
    return candidates[:limit]


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
    limit: int = CANDIDATES_SHOWN,
) -> list[Candidate]:
    """The people already registered who may be the person a desk is about to register
    (``candidate_parties``), for an actor who reads parties. Whatever is incomplete or not yet
    valid is simply not used, as this runs while the agent types. The people shown are recorded
    in the audit log as a search is."""
    require(actor, Scope.PARTIES_READ)
    record = {
        "given_name": given_name[:MAX_QUERY_LENGTH],
        "family_name_1": family_name_1[:MAX_QUERY_LENGTH],
        "family_name_2": family_name_2[:MAX_QUERY_LENGTH],
        "identifier": identifier[:40],
        "email": email,
        "phone": phone[:40],
        "birth_date": birth_date,
    }
    shown = candidate_parties(record)[:limit]
    if shown:
        audit_record(
            actor=actor,
            action=Action.PARTY_SEARCH,
            detail={"duplicate_check": True, "shown": [str(c.party.pk) for c in shown]},
        )
    return shown


def party_with_email(email: str) -> Party | None:
    """The one active party holding ``email`` (compared as stored, lower-cased), for a channel
    that only knows a sender's address; None when nobody or more than one person holds it, so
    a shared address never puts a request on the wrong person (matching may join them later)."""
    holders = read_all(
        _WITH_EMAIL,
        [Party.Status.ACTIVE, ContactPoint.Kind.EMAIL, email.strip().lower()],
        fields_of_all(Party),
    )
    return instance_of(Party, holders[0]) if len(holders) == 1 else None


# Every Open311 request and every email that comes in reads it: a statement written once.
_WITH_EMAIL = f"""
SELECT {columns_of(Party, "party")} FROM parties_party AS party
WHERE party.status = %s AND party.id IN (
    SELECT point.party_id FROM parties_contactpoint AS point
    WHERE point.kind = %s AND point.normalized = %s
)
LIMIT 2
"""  # noqa: S608 - made of the constant columns; the values are parameters
