"""Recording a contact: every channel adapter, the console and the API come through here; and
attaching documents to it, their content checked, the file kept only if its row commits."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import IO, Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_record
from ventanilla.cases.models import Case
from ventanilla.cases.selectors import visible_cases
from ventanilla.catalog.models import Agency, Channel, PublicService
from ventanilla.core import dates
from ventanilla.core.contention import retry_on_contention
from ventanilla.core.documents import checked_document
from ventanilla.core.errors import NotFound, ValidationFailed
from ventanilla.core.richtext import sanitize_html
from ventanilla.interactions.models import Interaction, InteractionAttachment
from ventanilla.interactions.selectors import interactions_in_reach
from ventanilla.parties.models import Party

MAX_SUMMARY = 4000
MAX_DESCRIPTION = 4000


def acting_agency(*, actor: Actor, agency_code: str | None) -> Agency:
    """The agency an action is recorded for: the one named, if the actor acts in it, or the
    actor's own when it acts in only one top agency."""
    if agency_code:
        agency = Agency.objects.filter(code=agency_code).first()
        if agency is None or not actor.sees_agency(agency.pk):
            raise ValidationFailed({"agency": _("Unknown agency, or not one you act for.")})
        return agency
    candidates = Agency.objects.filter(pk__in=list(actor.agency_ids)).order_by("path")
    roots = [
        a for a in candidates if a.parent_id is None or str(a.parent_id) not in actor.agency_ids
    ]
    if len(roots) != 1:
        raise ValidationFailed({"agency": _("Say which agency this is recorded for.")})
    return roots[0]


def _case_to_link(actor: Actor, reference: str, party_id: Any) -> Case | None:
    """The party's case a contact may be linked to: one the actor's departments handle or were
    asked to help with. Another agency's case, another person's and a reference that does not
    exist all look the same, so the answer tells nothing about references the actor cannot see.
    A consent that shares a party's cases lets an agency read them, not add to them."""
    if not actor.can(Scope.CASES_READ):
        return None
    return (
        visible_cases(actor).filter(reference=reference.strip().upper(), party_id=party_id).first()
    )


@retry_on_contention
def interaction_record(
    *,
    actor: Actor,
    party_id: Any,
    channel: str,
    summary: str,
    kind: str = Interaction.Kind.QUESTION,
    relationship: str = Interaction.Relationship.INFORMATION,
    direction: str = Interaction.Direction.INBOUND,
    agency_code: str | None = None,
    service_code: str | None = None,
    case_reference: str | None = None,
    occurred_at: datetime | None = None,
    duration_seconds: int | None = None,
) -> Interaction:
    """Add one contact to a party's history."""
    require(actor, Scope.INTERACTIONS_WRITE, party_id=party_id)
    errors: dict[str, str] = {}
    summary = summary.strip()
    if not summary:
        errors["summary"] = _("This field is required.")
    elif len(summary) > MAX_SUMMARY:
        errors["summary"] = _("Write at most %d characters.") % MAX_SUMMARY
    if kind not in Interaction.Kind.values:
        errors["kind"] = _("Unknown value.")
    if relationship not in Interaction.Relationship.values:
        errors["relationship"] = _("Unknown value.")
    if direction not in Interaction.Direction.values:
        errors["direction"] = _("Unknown value.")
    if occurred_at is not None and (problem := dates.event_time_error(occurred_at)):
        errors["occurred_at"] = problem
    if duration_seconds is not None and not 0 <= duration_seconds <= 86400:
        errors["duration_seconds"] = _("Between 0 and 86400 seconds.")
    party = Party.objects.filter(pk=party_id).first()
    if party is None:
        errors["party"] = _("No such party.")
    elif party.status != Party.Status.ACTIVE:
        errors["party"] = _("This party was merged into another; record it there.")
    if not Channel.objects.filter(pk=channel).exists():
        errors["channel"] = _("Unknown channel.")
    service = None
    if service_code:
        service = PublicService.objects.filter(code=service_code).first()
        if service is None:
            errors["service"] = _("Unknown service.")
    case = None
    if case_reference:
        case = _case_to_link(actor, case_reference, party_id)
        if case is None:
            errors["case"] = _("No such case.")
    if errors or party is None:
        raise ValidationFailed(errors)
    agency = acting_agency(actor=actor, agency_code=agency_code)
    with transaction.atomic():
        interaction = Interaction.objects.create(
            party=party,
            channel_id=channel,
            agency=agency,
            direction=direction,
            relationship=relationship,
            kind=kind,
            service=service,
            case=case,
            agent_id=actor.user_id,
            occurred_at=occurred_at or timezone.now(),
            duration_seconds=duration_seconds,
            summary=summary,
        )
        audit_record(
            actor=actor,
            action=Action.INTERACTION_CREATE,
            party_id=party.pk,
            object_type="interaction",
            object_id=interaction.pk,
        )
    return interaction


@retry_on_contention
def attachment_add(
    *,
    actor: Actor,
    interaction_id: Any,
    file_name: str,
    content: IO[bytes],
    size: int,
    description: str = "",
) -> InteractionAttachment:
    """Attach a document to an interaction of the actor's agencies, after checking its size and
    what its bytes really are against the kinds accepted and the extension of its name."""
    require(actor, Scope.INTERACTIONS_WRITE)
    interaction = interactions_in_reach(actor).filter(pk=interaction_id).first()
    if interaction is None:
        raise NotFound(_("No such interaction."))
    document = checked_document(file_name=file_name, content=content, size=size)
    description = sanitize_html(description)
    if len(description) > MAX_DESCRIPTION:
        raise ValidationFailed({"description": _("Write at most %d characters.") % MAX_DESCRIPTION})
    stored: str | None = None
    try:
        with transaction.atomic():
            stored = default_storage.save(
                f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}", ContentFile(document.data)
            )
            attachment = InteractionAttachment.objects.create(
                interaction=interaction,
                file=stored,
                file_name=document.name,
                content_type=document.content_type,
                size=len(document.data),
                sha256=document.sha256,
                description=description,
                uploaded_by_id=actor.user_id,
                uploaded_by_label=actor.label[:150],
            )
            audit_record(
                actor=actor,
                action=Action.ATTACHMENT_ADD,
                party_id=interaction.party_id,
                object_type="attachment",
                object_id=attachment.pk,
                detail={"interaction": str(interaction.pk), "content_type": document.content_type},
            )
    except BaseException:
        if stored is not None:
            default_storage.delete(stored)
        raise
    return attachment
