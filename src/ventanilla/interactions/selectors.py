"""Reads of the contact history, scoped to the actor's agencies."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
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
from ventanilla.interactions.models import Interaction, InteractionAttachment
from ventanilla.parties.models import ContactPoint, Party

TIMELINE_ORDER = ["-occurred_at", "-id"]


def interactions_in_reach(
    actor: Actor, *, shared_by_consent: bool = False
) -> QuerySet[Interaction]:
    """Interactions of the actor's agencies, without a scope check (the caller makes it); with
    ``shared_by_consent`` (the caller checked a consent in force for one party and filters by
    it), of every agency."""
    interactions = Interaction.objects.all()
    if not actor.sees_everything and not shared_by_consent:
        interactions = interactions.filter(agency_id__in=list(actor.agency_ids))
    return interactions


def visible_interactions(actor: Actor, *, shared_by_consent: bool = False) -> QuerySet[Interaction]:
    require(actor, Scope.INTERACTIONS_READ)
    return interactions_in_reach(actor, shared_by_consent=shared_by_consent)


def timeline_page(
    *,
    actor: Actor,
    party: Party,
    channel: str | None = None,
    agency: str | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
    shared_by_consent: bool = False,
    with_documents: bool = False,
) -> Page[Interaction]:
    """One page of a party's interactions on every channel, newest first.

    ``agency`` is an agency code and takes in its departments too; ``with_documents`` fetches
    each interaction's attachments along (the console lists them).
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
    if with_documents:
        # One more query for the whole page, however long the history.
        interactions = interactions.prefetch_related("attachments")
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


def attachment_for_download(*, actor: Actor, attachment_id: Any) -> InteractionAttachment:
    """A document of an interaction of the actor's agencies, with the audit row of its reading."""
    require(actor, Scope.INTERACTIONS_READ)
    attachment = (
        InteractionAttachment.objects.filter(
            pk=attachment_id, interaction__in=interactions_in_reach(actor)
        )
        .select_related("interaction")
        .first()
    )
    if attachment is None:
        raise NotFound(_("No such attachment."))
    audit_record(
        actor=actor,
        action=Action.ATTACHMENT_READ,
        party_id=attachment.interaction.party_id,
        object_type="attachment",
        object_id=attachment.pk,
    )
    return attachment


def call_backs_due(actor: Actor) -> QuerySet[Interaction]:
    """The calls waiting to be returned in the actor's agencies, the most overdue first, without
    an audit entry (the caller that shows them records it, ``call_back_queue``)."""
    require(actor, Scope.INTERACTIONS_WRITE)
    return (
        interactions_in_reach(actor)
        .filter(call_back_due__isnull=False, call_back_done_at__isnull=True)
        .order_by("call_back_due", "id")
    )


def call_back_queue(actor: Actor, *, limit: int = 100) -> list[Interaction]:
    """The calls to return, with the person and what they called about, for the queue page: one
    audit entry for the listing, as a case queue has."""
    phones = ContactPoint.objects.filter(kind=ContactPoint.Kind.PHONE).order_by(
        "-preferred", "created_at"
    )
    waiting: list[Interaction] = list(
        call_backs_due(actor)
        .select_related("party", "service", "agency", "channel")
        .prefetch_related(Prefetch("party__contact_points", phones, to_attr="phones"))[:limit]
    )
    audit_record(
        actor=actor,
        action=Action.CALL_BACK_LIST,
        detail={"shown": len(waiting), "parties": [str(i.party_id) for i in waiting]},
    )
    return waiting


def call_backs_late_count(actor: Actor) -> int:
    """How many calls to return are due by now (the menu shows it); no person is read."""
    return call_backs_due(actor).filter(call_back_due__lte=timezone.now()).count()
