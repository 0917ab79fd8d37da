"""Recording a contact: every channel adapter, the console and the API come through here, and so
do the services of cases for the contacts a case brings (its opening, a reply, a document); and
attaching documents to it, their content checked, the file kept only if its row commits.

This app sits below cases and never looks at them: a contact linked to a case is recorded by a
service of cases, which checks the case and passes it down."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
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
from ventanilla.catalog.models import Agency, Channel, PublicService
from ventanilla.core import dates
from ventanilla.core.bulk import insert_one
from ventanilla.core.contention import retry_on_contention
from ventanilla.core.documents import checked_document
from ventanilla.core.errors import NotFound, ValidationFailed
from ventanilla.core.richtext import sanitize_html
from ventanilla.events.services import EventInput, event_record_many
from ventanilla.interactions.models import Interaction, InteractionAttachment
from ventanilla.interactions.satisfaction import satisfaction_ask
from ventanilla.interactions.selectors import interactions_in_reach
from ventanilla.parties.models import Party
from ventanilla.parties.validation import normalize_phone

MAX_SUMMARY = 4000
MAX_DESCRIPTION = 4000
# A call to return with no time given is due within a day; one returned without an answer is
# tried again an hour later.
CALL_BACK_DEFAULT = timedelta(hours=24)
CALL_BACK_RETRY = timedelta(hours=1)
# How a returned call can end.
CALL_BACK_RESULTS = (Interaction.Outcome.ANSWERED, Interaction.Outcome.NO_ANSWER)


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
    case_id: Any = None,
    occurred_at: datetime | None = None,
    duration_seconds: int | None = None,
    outcome: str = "",
    call_back_due: datetime | None = None,
    call_back_phone: str = "",
    ask_satisfaction: bool = False,
) -> Interaction:
    """Add one contact to a party's history, with how it ended (``outcome``) when known.

    With ``ask_satisfaction`` (a call or visit an agent logs), the person is sent the
    satisfaction question about it (see ``satisfaction_ask``), in the same transaction.

    A contact that ends "to call back" joins the call-back queue, due at ``call_back_due``
    (within a day when not given), on ``call_back_phone`` (the person's own when empty).
    ``case_id`` links it to a case the caller has found the actor may link it to: only the
    services of cases pass it (``case_contact_record``), as only they can tell."""
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
    if outcome and outcome not in Interaction.Outcome.values:
        errors["outcome"] = _("Unknown value.")
    if occurred_at is not None and (problem := dates.event_time_error(occurred_at)):
        errors["occurred_at"] = problem
    if duration_seconds is not None and not 0 <= duration_seconds <= 86400:
        errors["duration_seconds"] = _("Between 0 and 86400 seconds.")
    call_back_due, call_back_phone = _call_back_checked(
        outcome, call_back_due, call_back_phone.strip(), errors
    )
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
    if errors or party is None:
        raise ValidationFailed(errors)
    agency = acting_agency(actor=actor, agency_code=agency_code)
    with transaction.atomic():
        recorded = _recorded(
            actor,
            Interaction(
                party=party,
                channel_id=channel,
                agency=agency,
                direction=direction,
                relationship=relationship,
                kind=kind,
                service=service,
                case_id=case_id,
                agent_id=actor.user_id,
                occurred_at=occurred_at or timezone.now(),
                duration_seconds=duration_seconds,
                summary=summary,
                outcome=outcome,
                call_back_due=call_back_due,
                call_back_phone=call_back_phone,
            ),
        )
        if ask_satisfaction and direction == Interaction.Direction.INBOUND:
            satisfaction_ask(
                party_id=party.pk,
                channel=channel,
                about=f"{channel} {timezone.localtime(recorded.occurred_at):%Y-%m-%d %H:%M}"
                + (f" {service.code}" if service is not None else ""),
                interaction=recorded,
                service=service,
            )
        return recorded


def _call_back_checked(
    outcome: str, due: datetime | None, phone: str, errors: dict[str, str]
) -> tuple[datetime | None, str]:
    """The due time and number of a call to return, checked; errors go into ``errors``."""
    if outcome != Interaction.Outcome.CALL_BACK:
        if due is not None or phone:
            field = "call_back_due" if due is not None else "call_back_phone"
            errors[field] = _("Only a contact that ends with a call to return has this.")
        return None, ""
    now = timezone.now()
    if due is None:
        due = now + CALL_BACK_DEFAULT
    elif timezone.is_naive(due):
        errors["call_back_due"] = _("Give the time with its time zone.")
    elif due < now - timedelta(minutes=5):
        errors["call_back_due"] = _("The time to call back has already passed.")
    elif due > now + timedelta(days=366):
        errors["call_back_due"] = _("Give a time within the next year.")
    if phone:
        try:
            phone = normalize_phone(phone, field="call_back_phone")
        except ValidationFailed as failure:
            errors.update(failure.errors)
    return due, phone


@retry_on_contention
def call_back_answer(
    *,
    actor: Actor,
    interaction_id: Any,
    result: str,
    summary: str = "",
    duration_seconds: int | None = None,
) -> Interaction:
    """Return a call waiting in the queue: the return call is recorded on the person's history
    (by phone, to the citizen) with how it ended. Answered, the call leaves the queue; not
    answered, it is tried again an hour later and the tries are counted."""
    require(actor, Scope.INTERACTIONS_WRITE)
    errors: dict[str, str] = {}
    if result not in CALL_BACK_RESULTS:
        errors["result"] = _("Say whether the person answered.")
    if duration_seconds is not None and not 0 <= duration_seconds <= 86400:
        errors["duration_seconds"] = _("Between 0 and 86400 seconds.")
    if len(summary) > MAX_SUMMARY:
        errors["summary"] = _("Write at most %d characters.") % MAX_SUMMARY
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        waiting = (
            interactions_in_reach(actor)
            .select_for_update()
            .filter(pk=interaction_id, call_back_due__isnull=False)
            .first()
        )
        if waiting is None:
            raise NotFound(_("No such call to return."))
        if waiting.call_back_done_at is not None:
            raise ValidationFailed({"result": _("This call was already returned.")})
        now = timezone.now()
        answered = result == Interaction.Outcome.ANSWERED
        text = summary.strip() or (
            _("Called back: the person answered.")
            if answered
            else _("Called back: there was no answer.")
        )
        returned = _recorded(
            actor,
            Interaction(
                # A merge moves the waiting call with the rest of the person's history.
                party_id=waiting.party_id,
                channel_id="phone",
                agency_id=waiting.agency_id,
                direction=Interaction.Direction.OUTBOUND,
                relationship=waiting.relationship,
                kind=waiting.kind,
                service_id=waiting.service_id,
                case_id=waiting.case_id,
                agent_id=actor.user_id,
                occurred_at=now,
                duration_seconds=duration_seconds,
                summary=text,
                outcome=result,
            ),
        )
        if answered:
            waiting.call_back_done_at = now
        else:
            waiting.call_back_attempts += 1
            waiting.call_back_due = now + CALL_BACK_RETRY
        waiting.save(update_fields=["call_back_done_at", "call_back_attempts", "call_back_due"])
        return returned


def interaction_record_for_case(
    *,
    actor: Actor,
    case_id: Any,
    party_id: Any,
    agency_id: Any,
    service_id: Any,
    channel: str,
    direction: str,
    kind: str,
    summary: str,
    occurred_at: datetime,
    outcome: str = "",
    duration_seconds: int | None = None,
    relationship: str = Interaction.Relationship.INFORMATION,
    agency: Agency | None = None,
    service: PublicService | None = None,
) -> Interaction:
    """The contact a step of a case brings (its opening, a public reply, a document handed in),
    recorded for the case's department on the party's history, with its audit entry, in the
    transaction of the case's service that calls it. That service has already checked that the
    actor works on the case (a citizen on their own), so no scope of this app is asked for.
    It joins that transaction without a savepoint of its own, as ``audit_record`` does.
    Services above this app that record a citizen's own step with no case (an appointment, an
    answer to a survey, with ``relationship`` "consultation") come through here as well.
    ``agency`` and ``service``, when the caller has them at hand, save reading their codes
    again for the contact's event."""
    contact = Interaction(
        party_id=party_id,
        channel_id=channel,
        agency_id=agency_id,
        direction=direction,
        relationship=relationship,
        kind=kind,
        service_id=service_id,
        case_id=case_id,
        agent_id=actor.user_id,
        occurred_at=occurred_at,
        duration_seconds=duration_seconds,
        summary=summary,
        outcome=outcome,
    )
    if agency is not None and str(agency.pk) == str(agency_id):
        contact.agency = agency
    if service is not None and str(service.pk) == str(service_id):
        contact.service = service
    with transaction.atomic(savepoint=False):
        return _recorded(actor, contact)


def _recorded(actor: Actor, interaction: Interaction) -> Interaction:
    """Save a new contact and its audit entry (inside the caller's transaction)."""
    insert_one(interaction)
    event_record_many([interaction_event(interaction)])
    detail = {"case": str(interaction.case_id)} if interaction.case_id else None
    # Last: the audit log's head is then held only until the commit that follows.
    audit_record(
        actor=actor,
        action=Action.INTERACTION_CREATE,
        party_id=interaction.party_id,
        object_type="interaction",
        object_id=interaction.pk,
        detail=detail,
    )
    return interaction


def _code(interaction: Interaction, name: str) -> str | None:
    """The code of the contact's agency or service, read only when not at hand already."""
    if getattr(interaction, f"{name}_id") is None:
        return None
    model = Agency if name == "agency" else PublicService
    if Interaction._meta.get_field(name).is_cached(interaction):  # type: ignore[union-attr]
        return str(getattr(interaction, name).code)
    return str(
        model.objects.values_list("code", flat=True).get(pk=getattr(interaction, f"{name}_id"))
    )


def interaction_event(interaction: Interaction) -> EventInput:
    """A contact's event for other systems (``events``): in the order of its case's events (else
    of its person's), for the subscribers of its agency; its summary only for those allowed
    personal data."""
    return EventInput(
        kind="interaction.recorded",
        subject=str(interaction.pk),
        order_key=interaction.case_id or interaction.party_id,
        agency_id=interaction.agency_id,
        party_id=interaction.party_id,
        time=interaction.occurred_at,
        data={
            "interaction_id": str(interaction.pk),
            "party_id": str(interaction.party_id),
            "case_id": str(interaction.case_id) if interaction.case_id else None,
            "agency": _code(interaction, "agency"),
            "service": _code(interaction, "service"),
            "channel": interaction.channel_id,
            "direction": interaction.direction,
            "relationship": interaction.relationship,
            "kind": interaction.kind,
            "outcome": interaction.outcome or None,
            "occurred_at": interaction.occurred_at.isoformat(),
        },
        personal={"summary": interaction.summary},
    )


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
    return attachment_add_for_case(
        actor=actor,
        interaction=interaction,
        file_name=file_name,
        content=content,
        size=size,
        description=description,
    )


def attachment_add_for_case(
    *,
    actor: Actor,
    interaction: Interaction,
    file_name: str,
    content: IO[bytes],
    size: int,
    description: str = "",
) -> InteractionAttachment:
    """A document that comes with a step of a case (the citizen's answer with the photo asked
    for), attached to the contact ``interaction_record_for_case`` has just recorded, in the
    transaction of the case's service that checked the actor works on the case (a citizen on
    their own). Its content is checked as every attachment's is."""
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
