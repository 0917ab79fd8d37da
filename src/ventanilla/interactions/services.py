"""Recording a contact: every channel adapter, the console and the API come through here; and
attaching documents to it, their content checked, the file kept only if its row commits."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from typing import IO, Any

from django.conf import settings
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
from ventanilla.core import dates, filetypes
from ventanilla.core.contention import retry_on_contention
from ventanilla.core.errors import NotFound, PayloadTooLarge, UnsupportedMediaType, ValidationFailed
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
    limit = settings.VENTANILLA_MAX_UPLOAD_BYTES
    if size > limit:
        raise PayloadTooLarge(_("Send at most %d bytes.") % limit, field="file")
    data = content.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(_("Send at most %d bytes.") % limit, field="file")
    if not data:
        raise ValidationFailed({"file": _("The file is empty.")})
    name = filetypes.clean_file_name(file_name)
    detected = filetypes.detect(data)
    if detected.content_type is None:
        raise UnsupportedMediaType(
            _("The content is %(seen)s, which is not accepted. Send one of: %(accepted)s.")
            % {
                "seen": detected.description,
                "accepted": _(
                    "PDF, PNG, JPEG, plain text (.txt), OpenDocument text (.odt), Word (.docx)"
                ),
            },
            field="file",
        )
    extension = filetypes.extension_of(name)
    if extension not in filetypes.ACCEPTED[detected.content_type]:
        raise ValidationFailed(
            {
                "file": _(
                    "The name ends in '.%(extension)s' but the content is %(seen)s: "
                    "name the file after what it is."
                )
                % {"extension": extension, "seen": detected.description}
            }
        )
    description = sanitize_html(description)
    if len(description) > MAX_DESCRIPTION:
        raise ValidationFailed({"description": _("Write at most %d characters.") % MAX_DESCRIPTION})
    stored: str | None = None
    try:
        with transaction.atomic():
            stored = default_storage.save(
                f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}", ContentFile(data)
            )
            attachment = InteractionAttachment.objects.create(
                interaction=interaction,
                file=stored,
                file_name=name,
                content_type=detected.content_type,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
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
                detail={"interaction": str(interaction.pk), "content_type": detected.content_type},
            )
    except BaseException:
        if stored is not None:
            default_storage.delete(stored)
        raise
    return attachment
