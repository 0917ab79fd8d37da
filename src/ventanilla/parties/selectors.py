"""Every read of party data: search, one party, and the 360° view.

Each selector takes the acting ``actor`` and scopes what it returns to the agencies the actor
acts in; the audit record of each read joins here with the safeguards work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.models import Scope
from ventanilla.cases.models import Case
from ventanilla.cases.selectors import cases_of_party
from ventanilla.core.errors import NotFound, PermissionDenied, ValidationFailed
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


def _require(actor: Actor, scope: str) -> None:
    if not actor.can(scope):
        raise PermissionDenied(_("You may not do this."))


def _parties() -> QuerySet[Party]:
    return Party.objects.all()


def _search_by_name(query: str) -> QuerySet[Party] | None:
    words = tokens(query)
    if not words:
        return None
    parties = _parties().filter(status=Party.Status.ACTIVE)
    # Longest words first: they are the most selective, so the database starts from them.
    for word in sorted(words, key=len, reverse=True)[:4]:
        matching = NameToken.objects.filter(token__gte=word)
        upper = prefix_upper_bound(word)
        if upper is not None:
            matching = matching.filter(token__lt=upper)
        parties = parties.filter(id__in=matching.values("party_id"))
    return parties


def party_search(
    *, actor: Actor, query: str, cursor: str | None = None, limit: int = DEFAULT_LIMIT
) -> Page[Party]:
    """Parties matching ``query``: a DNI/NIE/CIF, an email, a phone number, or words of a name
    (accent- and case-insensitive, each word a prefix: "jose garc" finds José García)."""
    _require(actor, Scope.PARTIES_READ)
    query = query.strip()
    if len(query) > MAX_QUERY_LENGTH:
        raise ValidationFailed({"q": _("Search for at most %d characters.") % MAX_QUERY_LENGTH})
    if not query:
        return Page(items=[], next_cursor=None)
    parties: QuerySet[Party] | None
    scheme = guess_identifier_scheme(query)
    if scheme is not None:
        value = "".join(ch for ch in query.upper() if ch.isalnum())
        parties = _parties().filter(identifiers__value=value)
    elif "@" in query:
        parties = _parties().filter(
            contact_points__kind=ContactPoint.Kind.EMAIL,
            contact_points__normalized=query.lower(),
        )
    elif sum(ch.isdigit() for ch in query) >= 6 and not any(ch.isalpha() for ch in query):
        try:
            phone = normalize_phone(query)
        except ValidationFailed:
            return Page(items=[], next_cursor=None)
        parties = _parties().filter(
            contact_points__kind=ContactPoint.Kind.PHONE, contact_points__normalized=phone
        )
    else:
        parties = _search_by_name(query)
    if parties is None:
        return Page(items=[], next_cursor=None)
    return keyset_page(parties.distinct(), order=SEARCH_ORDER, cursor=cursor, limit=limit)


def party_get(*, actor: Actor, party_id: Any) -> Party:
    _require(actor, Scope.PARTIES_READ)
    party = _parties().filter(pk=party_id).first()
    if party is None:
        raise NotFound(_("No such party."))
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
    timeline: Page[Interaction]
    consents: list[Any] = field(default_factory=list)


def party_360(
    *,
    actor: Actor,
    party_id: Any,
    channel: str | None = None,
    agency: str | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Party360:
    """The 360° view in a constant number of queries, whatever the length of the history."""
    party = party_get(actor=actor, party_id=party_id)
    open_cases, past_cases = cases_of_party(actor=actor, party=party)
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
        timeline=timeline_page(
            actor=actor, party=party, channel=channel, agency=agency, cursor=cursor, limit=limit
        ),
    )
