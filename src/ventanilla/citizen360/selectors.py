"""The composed reads of one person: the 360° view staff open and the citizen's own view.

They join what each app holds — the party record, cases, contacts, consents — through that app's
selectors, each scoped by the actor and audited; this module only composes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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
from ventanilla.core.pagination import DEFAULT_LIMIT, Page
from ventanilla.interactions.models import Interaction
from ventanilla.interactions.selectors import timeline_page
from ventanilla.parties.models import (
    ContactPoint,
    Identifier,
    Party,
    ProfileAttribute,
    ProfileChange,
    Representation,
)
from ventanilla.parties.selectors import is_minor, is_sensitive, party_for, party_rows

CHANGES_IN_360 = 20


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
    follow_merged: bool = False,
) -> Party360:
    """The 360° view in a constant number of queries, whatever the length of the history.

    ``purpose`` is recorded with the reading. With ``include_sensitive`` it must say why the
    sensitive facts are needed, and the actor's role must handle them.

    Sensitive facts (health, disability, income; a minor's personal data) are shown only when
    asked for with a purpose, or for an open case of the actor's departments that gives one;
    each such reading is logged with its purpose. A consent in force to one of the actor's
    agencies shares the party's cases, contacts and facts held by other agencies.
    """
    party = party_for(actor, party_id, follow_merged=follow_merged)
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
        party_rows()
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
