"""Reads of the emails kept for a person to deal with: those recorded on a contact of the actor's
agencies, and, for the staff of the triage department, those that could not be read at all."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_record
from ventanilla.catalog.models import Agency
from ventanilla.core.errors import NotFound
from ventanilla.interactions.selectors import interactions_in_reach
from ventanilla.mail.models import InboundMessage


def messages_in_reach(actor: Actor) -> QuerySet[InboundMessage]:
    """The messages waiting for a person that ``actor`` may deal with (no scope check)."""
    reach = Q(interaction__in=interactions_in_reach(actor))
    triage = Agency.objects.filter(code=settings.VENTANILLA_TRIAGE_DEPARTMENT).first()
    if triage is not None and actor.sees_agency(triage.pk):
        reach |= Q(interaction__isnull=True)
    return InboundMessage.objects.filter(reach, state=InboundMessage.State.NEEDS_PERSON)


def messages_for_person(actor: Actor, *, limit: int = 100) -> list[InboundMessage]:
    """The emails waiting for someone, the oldest first, with one audit entry for the listing."""
    require(actor, Scope.INTERACTIONS_WRITE)
    waiting = list(
        messages_in_reach(actor)
        .select_related("interaction__party", "case")
        .defer("raw", "html")
        .order_by("created_at", "id")[:limit]
    )
    audit_record(
        actor=actor,
        action=Action.MAIL_LIST,
        detail={
            "shown": len(waiting),
            "parties": sorted({str(m.interaction.party_id) for m in waiting if m.interaction}),
        },
    )
    return waiting


def messages_for_person_count(actor: Actor) -> int:
    """How many emails wait for someone (the menu shows it); no person is read."""
    require(actor, Scope.INTERACTIONS_WRITE)
    return messages_in_reach(actor).count()


def message_as_received(*, actor: Actor, message_id: Any) -> InboundMessage:
    """One waiting email byte for byte, to open in a mail program, with the audit row of it."""
    require(actor, Scope.INTERACTIONS_WRITE)
    message = messages_in_reach(actor).select_related("interaction").filter(pk=message_id).first()
    if message is None:
        raise NotFound(_("No such email waiting."))
    audit_record(
        actor=actor,
        action=Action.MAIL_READ,
        party_id=message.interaction.party_id if message.interaction else None,
        object_type="inbound_message",
        object_id=message.pk,
    )
    return message
