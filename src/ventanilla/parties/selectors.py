"""Every read of party data: search, one party, and the 360° view.

Each selector takes the acting ``actor`` and scopes what it returns to the agencies the actor
acts in; the audit record of each read joins here with the safeguards work.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_record
from ventanilla.cases.models import Case
from ventanilla.cases.selectors import cases_of_party
from ventanilla.consent.models import Consent
from ventanilla.consent.selectors import consents_of_party
from ventanilla.core.errors import NotFound, ValidationFailed
from ventanilla.core.pagination import DEFAULT_LIMIT, Page, keyset_page
from ventanilla.core.text import prefix_upper_bound, tokens
from ventanilla.interactions.models import Interaction
from ventanilla.interactions.selectors import timeline_page
from ventanilla.parties.models import (
    ContactPoint,
    Identifier,
    NameToken,
    Party,
    ProfileAttribute,
    Representation,
)
from ventanilla.parties.validation import guess_identifier_scheme, normalize_phone

MAX_QUERY_LENGTH = 100
SEARCH_ORDER = ["sort_name", "id"]
# Up to this many parties for the rarest word, a name search starts from them by key.
FEW_CANDIDATES = 2000


def _parties() -> QuerySet[Party]:
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
    parties = _parties().filter(status=Party.Status.ACTIVE)
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
        parties = _parties().filter(
            id__in=Identifier.objects.filter(value=value).values("party_id")
        )
    elif "@" in query:
        parties = _parties().filter(id__in=_contacts(ContactPoint.Kind.EMAIL, query.lower()))
    elif sum(ch.isdigit() for ch in query) >= 6 and not any(ch.isalpha() for ch in query):
        try:
            phone = normalize_phone(query)
        except ValidationFailed:
            return Page(items=[], next_cursor=None)
        parties = _parties().filter(id__in=_contacts(ContactPoint.Kind.PHONE, phone))
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


def _party(actor: Actor, party_id: Any) -> Party:
    require(actor, Scope.PARTIES_READ, party_id=party_id)
    party = _parties().filter(pk=party_id).first()
    if party is None:
        raise NotFound(_("No such party."))
    return party


def party_get(*, actor: Actor, party_id: Any, purpose: str = "") -> Party:
    party = _party(actor, party_id)
    audit_record(
        actor=actor,
        action=Action.PARTY_READ,
        party_id=party.pk,
        object_type="party",
        object_id=party.pk,
        purpose=purpose,
    )
    return party


@dataclass
class Party360:
    """Everything the administration knows of one party that the actor may see."""

    party: Party
    identifiers: list[Identifier]
    contact_points: list[ContactPoint]
    attributes: list[ProfileAttribute]
    represents: list[Representation]
    represented_by: list[Representation]
    open_cases: list[Case]
    past_cases: list[Case]
    consents: list[Consent]
    timeline: Page[Interaction]


def party_360(
    *,
    actor: Actor,
    party_id: Any,
    channel: str | None = None,
    agency: str | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
    purpose: str = "",
    with_documents: bool = False,
) -> Party360:
    """The 360° view in a constant number of queries, whatever the length of the history."""
    party = _party(actor, party_id)
    open_cases, past_cases = cases_of_party(actor=actor, party=party)
    audit_record(
        actor=actor,
        action=Action.PARTY_VIEW_360,
        party_id=party.pk,
        object_type="party",
        object_id=party.pk,
        purpose=purpose,
        detail={"channel": channel, "agency": agency, "page": bool(cursor)},
    )
    return Party360(
        party=party,
        identifiers=list(party.identifiers.order_by("scheme")),
        contact_points=list(party.contact_points.order_by("kind", "-preferred", "value")),
        attributes=list(
            party.attributes.exclude(sensitivity=ProfileAttribute.Sensitivity.SENSITIVE).order_by(
                "name"
            )
        ),
        represents=list(party.represents.select_related("represented").order_by("-valid_from")),
        represented_by=list(
            party.represented_by.select_related("representative").order_by("-valid_from")
        ),
        open_cases=open_cases,
        past_cases=past_cases,
        consents=consents_of_party(party=party),
        timeline=timeline_page(
            actor=actor,
            party=party,
            channel=channel,
            agency=agency,
            cursor=cursor,
            limit=limit,
            with_documents=with_documents,
        ),
    )
