"""Every read of party data: search, one party, and the 360° view.

Each selector takes the acting ``actor`` and scopes what it returns to the agencies the actor
acts in; the audit record of each read joins here with the safeguards work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
from ventanilla.cases.models import Case
from ventanilla.cases.selectors import CASES_IN_360, cases_of_party
from ventanilla.consent.models import Consent
from ventanilla.consent.selectors import (
    CASES_CATEGORY,
    categories_shared_with,
    consents_for_actor,
    consents_of_party,
)
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
    ProfileChange,
    Representation,
)
from ventanilla.parties.validation import guess_identifier_scheme, normalize_phone

CHANGES_IN_360 = 20
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
    # The latest rectifications of the profile, newest first.
    changes: list[ProfileChange] = field(default_factory=list)
    # Sensitive facts held back because no purpose opened them, and the purpose that did.
    withheld_sensitive: int = 0
    sensitive_purpose: str = ""
    # Consents given to agencies other than the actor's: counted, their purposes not shown.
    other_consents: int = 0


MIN_PURPOSE_LENGTH = 10


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


def _checked_purpose(actor: Actor, party_id: Any, purpose: str) -> str:
    """The purpose stated for seeing sensitive facts, refused (and the refusal logged) when it
    is missing or too vague, or when the actor's role does not handle sensitive data."""
    purpose = purpose.strip()
    if len(purpose) < MIN_PURPOSE_LENGTH:
        raise ValidationFailed(
            {
                "purpose": _("Say why you need it in a few words (at least %d characters).")
                % MIN_PURPOSE_LENGTH
            }
        )
    require(actor, Scope.PARTIES_READ_SENSITIVE, party_id=party_id)
    return purpose


def _visible_attributes(
    actor: Actor, attributes: list[ProfileAttribute], shared: frozenset[str]
) -> list[ProfileAttribute]:
    """Facts held centrally or by the actor's agencies, and those a consent in force shares."""
    return [
        attribute
        for attribute in attributes
        if attribute.source_agency_id is None
        or actor.sees_agency(attribute.source_agency_id)
        or attribute.category in shared
    ]


def party_360(
    *,
    actor: Actor,
    party_id: Any,
    channel: str | None = None,
    agency: str | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
    purpose: str = "",
    include_sensitive: bool = False,
    with_documents: bool = False,
) -> Party360:
    """The 360° view in a constant number of queries, whatever the length of the history.

    ``purpose`` is recorded with the reading. With ``include_sensitive`` it must say why the
    sensitive facts are needed, and the actor's role must handle them.

    Sensitive facts (health, disability, income; a minor's personal data) are shown only when
    asked for with a purpose, or for an open case of the actor's departments that gives one;
    each such reading is logged with its purpose. A consent in force to one of the actor's
    agencies shares the party's cases, contacts and facts held by other agencies.
    """
    party = _party(actor, party_id)
    purpose = purpose.strip()
    stated = _checked_purpose(actor, party.pk, purpose) if include_sensitive else ""
    all_consents = consents_of_party(party=party)
    shared = categories_shared_with(actor, all_consents)
    consents, other_consents = consents_for_actor(actor=actor, consents=all_consents)
    by_consent = CASES_CATEGORY in shared
    open_cases, past_cases = cases_of_party(actor=actor, party=party, shared_by_consent=by_consent)
    audit_record(
        actor=actor,
        action=Action.PARTY_VIEW_360,
        party_id=party.pk,
        object_type="party",
        object_id=party.pk,
        purpose=purpose,
        detail={"channel": channel, "agency": agency, "page": bool(cursor)},
    )
    attributes = _visible_attributes(actor, list(party.attributes.order_by("name")), shared)
    minor = is_minor(party)
    sensitive = [a for a in attributes if is_sensitive(a, minor=minor)]
    visible_sensitive = list(sensitive)
    reason = stated
    if sensitive and not reason and actor.can(Scope.PARTIES_READ_SENSITIVE):
        # An open case of the actor's departments opens only the categories its service
        # declares it needs, never every sensitive fact held about the person.
        own_cases = [case for case in open_cases if actor.sees_agency(case.department_id)]
        needed = {c for case in own_cases for c in case.service.data_categories}
        opened = [a for a in sensitive if a.category in needed]
        if opened:
            reason = f"case {own_cases[0].reference}"
            withheld = [a for a in sensitive if a.category not in needed]
            attributes = [a for a in attributes if a not in withheld]
            sensitive = opened
    if sensitive and reason:
        audit_record(
            actor=actor,
            action=Action.PARTY_READ_SENSITIVE,
            party_id=party.pk,
            object_type="party",
            object_id=party.pk,
            purpose=reason,
            detail={"attributes": [a.name for a in sensitive]},
        )
    else:
        attributes = [a for a in attributes if not is_sensitive(a, minor=minor)]
    withheld_count = len(visible_sensitive) - (len(sensitive) if reason else 0)
    return Party360(
        party=party,
        identifiers=list(party.identifiers.order_by("scheme")),
        contact_points=list(party.contact_points.order_by("kind", "-preferred", "value")),
        attributes=attributes,
        changes=list(party.changes.order_by("-id")[:CHANGES_IN_360]),
        withheld_sensitive=withheld_count,
        sensitive_purpose=reason if sensitive else "",
        represents=list(party.represents.select_related("represented").order_by("-valid_from")),
        represented_by=list(
            party.represented_by.select_related("representative").order_by("-valid_from")
        ),
        open_cases=open_cases,
        past_cases=past_cases,
        consents=consents,
        other_consents=other_consents,
        timeline=timeline_page(
            actor=actor,
            party=party,
            channel=channel,
            agency=agency,
            cursor=cursor,
            limit=limit,
            shared_by_consent=by_consent,
            with_documents=with_documents,
        ),
    )


@dataclass
class SelfView:
    """What the portal's "My data" page shows the signed-in person about themself."""

    party: Party
    identifiers: list[Identifier]
    contact_points: list[ContactPoint]
    open_cases: list[Case]
    past_cases: list[Case]
    consents: list[Consent]


def party_self_view(*, actor: Actor) -> SelfView:
    """The signed-in citizen's own record, whichever agency holds it, in a constant number of
    queries. It can only ever return the actor's own party: there is no id to pass."""
    if actor.party_id is None:
        raise PermissionDenied(_("Only the person themself may see this page."))
    party = (
        _parties()
        .filter(pk=actor.party_id, status=Party.Status.ACTIVE)
        .prefetch_related("identifiers", "contact_points")
        .first()
    )
    if party is None:
        raise NotFound(_("No such party."))
    rows = list(
        Case.objects.filter(party=party)
        .select_related("service", "department")
        .order_by("-is_open", "-opened_at")[: CASES_IN_360 * 2]
    )
    audit_record(
        actor=actor,
        action=Action.PARTY_SELF_VIEW,
        party_id=party.pk,
        object_type="party",
        object_id=party.pk,
    )
    return SelfView(
        party=party,
        identifiers=sorted(party.identifiers.all(), key=lambda i: i.scheme),
        contact_points=sorted(party.contact_points.all(), key=lambda c: (c.kind, c.value)),
        open_cases=[case for case in rows if case.is_open][:CASES_IN_360],
        past_cases=[case for case in rows if not case.is_open][:CASES_IN_360],
        consents=consents_of_party(party=party),
    )
