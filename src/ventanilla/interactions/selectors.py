"""Reads of the contact history, scoped to the actor's agencies."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_record
from ventanilla.catalog.models import Agency
from ventanilla.consent.selectors import shares_cases_with
from ventanilla.core.errors import NotFound
from ventanilla.core.pagination import DEFAULT_LIMIT, Page, keyset_page
from ventanilla.interactions.models import Interaction
from ventanilla.parties.models import Party

TIMELINE_ORDER = ["-occurred_at", "-id"]


def visible_interactions(actor: Actor, *, shared_by_consent: bool = False) -> QuerySet[Interaction]:
    """Contacts with the actor's agencies; with ``shared_by_consent`` (the caller checked a
    consent in force for one party and filters by it), with every agency."""
    require(actor, Scope.INTERACTIONS_READ)
    interactions = Interaction.objects.all()
    if not actor.sees_everything and not shared_by_consent:
        interactions = interactions.filter(agency_id__in=list(actor.agency_ids))
    return interactions


def timeline_page(
    *,
    actor: Actor,
    party: Party,
    channel: str | None = None,
    agency: str | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
    shared_by_consent: bool = False,
) -> Page[Interaction]:
    """One page of a party's interactions on every channel, newest first.

    ``agency`` is an agency code and takes in its departments too.
    """
    interactions = visible_interactions(actor, shared_by_consent=shared_by_consent).filter(
        party=party
    )
    if channel:
        interactions = interactions.filter(channel_id=channel)
    if agency:
        interactions = interactions.filter(
            agency__in=Agency.objects.filter(path__in=_subtree_paths(agency))
        )
    interactions = interactions.select_related("channel", "agency", "service", "case")
    return keyset_page(interactions, order=TIMELINE_ORDER, cursor=cursor, limit=limit)


def interactions_of_party(
    *,
    actor: Actor,
    party_id: Any,
    channel: str | None = None,
    agency: str | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[Interaction]:
    """A page of a party's timeline read on its own (the 360° view records its own entry)."""
    require(actor, Scope.PARTIES_READ, party_id=party_id)
    party = Party.objects.filter(pk=party_id).first()
    if party is None:
        raise NotFound(_("No such party."))
    page = timeline_page(
        actor=actor,
        party=party,
        channel=channel,
        agency=agency,
        cursor=cursor,
        limit=limit,
        shared_by_consent=shares_cases_with(actor=actor, party_id=party.pk),
    )
    audit_record(
        actor=actor,
        action=Action.INTERACTION_LIST,
        party_id=party.pk,
        detail={"channel": channel, "agency": agency, "shown": len(page.items)},
    )
    return page


def _subtree_paths(code: str) -> QuerySet[Agency, str]:
    root = Agency.objects.filter(code=code).values_list("path", flat=True)[:1]
    paths = list(root)
    if not paths:
        return Agency.objects.none().values_list("path", flat=True)
    return Agency.objects.filter(path__startswith=paths[0]).values_list("path", flat=True)
