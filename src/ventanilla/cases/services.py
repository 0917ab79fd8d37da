"""Every write of a case: opening (with routing), the steps of its life, notes and replies,
assignment, transfer between departments, tasks for other departments, duplicates, life-event
requests and the citizen's satisfaction answer. One transaction each; each change of the case
itself checks and increments ``Case.version`` so concurrent edits are refused, not lost."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import IO, Any
from uuid import UUID

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Membership, Scope
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_held, audit_record, record_values
from ventanilla.cases import routing
from ventanilla.cases.deadlines import resume_due_date
from ventanilla.cases.lifecycle import (
    CITIZEN,
    CITIZEN_ACTIONS,
    MIN_REASON,
    STAFF,
    STAFF_ACTIONS,
    TRANSITIONS,
    Transition,
    actions_from,
)
from ventanilla.cases.models import (
    Case,
    CaseEvent,
    CaseSeen,
    CaseSequence,
    CaseStatus,
    CaseTask,
    LifeEventRequest,
    RoutingRule,
)
from ventanilla.cases.notifications import (
    notices_for,
    notices_write,
    notify_case,
    notify_life_event,
)
from ventanilla.cases.selectors import NEEDS_SOMEONE, staff_of, visible_cases
from ventanilla.catalog.models import Agency, Channel, LifeEvent, PublicService
from ventanilla.catalog.selectors import channel_codes, holidays_for_agency_id, service_to_open
from ventanilla.core.bulk import insert_one, rows_held
from ventanilla.core.calendar import add_working_days
from ventanilla.core.contention import retry_on_contention
from ventanilla.core.errors import (
    EditConflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from ventanilla.core.models import full_clean_or_refuse
from ventanilla.events.services import event_record, events_held
from ventanilla.interactions.models import Interaction, InteractionAttachment
from ventanilla.interactions.satisfaction import satisfaction_record_for_case
from ventanilla.interactions.services import (
    attachment_add,
    attachment_add_for_case,
    interaction_record,
    interaction_record_for_case,
)
from ventanilla.notifications.models import NotificationEvent
from ventanilla.parties.models import Party

MAX_DESCRIPTION = 4000
MAX_TEXT = 4000


def next_case_reference(year: int) -> str:
    """The next reference of ``year`` (AY-2026-000123); call inside a transaction."""
    table = CaseSequence._meta.db_table
    # One statement on both databases (SQLite 3.35+ and PostgreSQL know RETURNING); the row lock
    # it takes keeps two cases from getting the same number.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_number = last_number + 1 WHERE year = %s "  # noqa: S608
            "RETURNING last_number",
            [year],
        )
        row = cursor.fetchone()
    if row is None:
        CaseSequence.objects.get_or_create(year=year)
        return next_case_reference(year)
    return f"{settings.VENTANILLA_CASE_PREFIX}-{year}-{row[0]:06d}"


def _label(actor: Actor) -> str:
    return actor.label[:150]


def _event(case: Case, actor: Actor, kind: str, now: datetime, **fields: Any) -> CaseEvent:
    event = CaseEvent(
        case=case,
        kind=kind,
        actor_id=actor.user_id,
        actor_label=_label(actor),
        occurred_at=now,
        **fields,
    )
    insert_one(event)
    return event


# Steps after which a case is over: its event says so (``case.closed``), with the status.
_ENDING = (CaseStatus.CLOSED, CaseStatus.REJECTED, CaseStatus.CANCELLED)


def _publish(case: Case, kind: str, now: datetime, **extra: Any) -> None:
    """The case's event for other systems (``events``), in the transaction of its change: ids,
    codes and dates for every subscriber of its department's agency; its texts for those
    allowed personal data."""
    event_record(
        kind=kind,
        subject=case.reference,
        order_key=case.pk,
        agency_id=case.department_id,
        party_id=case.party_id,
        time=now,
        data={
            "case_id": str(case.pk),
            "reference": case.reference,
            "status": case.status,
            "service": case.service.code,
            "department": case.department.code,
            "channel": case.channel_id,
            "priority": case.priority,
            "party_id": str(case.party_id),
            "opened_at": case.opened_at.isoformat(),
            "due_date": case.due_date.isoformat(),
            **extra,
        },
        personal={"description": case.description, "location_text": case.location_text},
    )


def due_date_for(department_id: Any, start: date, days: int) -> date:
    """``days`` working days after ``start`` in the calendar of the department (its holidays and
    those of every administration above it)."""
    return add_working_days(start, days, holidays_for_agency_id(department_id))


# The longest contact a desk records: a day.
MAX_CONTACT_SECONDS = 24 * 60 * 60


@retry_on_contention
def case_open(
    *,
    actor: Actor,
    party_id: Any,
    service_code: str,
    channel: str,
    description: str = "",
    priority: str = Case.Priority.NORMAL,
    location_text: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    district: str = "",
    form_data: dict[str, Any] | None = None,
    life_event_request: LifeEventRequest | None = None,
    duration_seconds: int | None = None,
    party: Party | None = None,
) -> Case:
    """Open a case for a party, route it to its department and record the contact that opened it
    on the party's history, with the call's or visit's ``duration_seconds`` when the desk gives
    it. Citizens open their own cases from the portal. ``party``, when the caller has just read
    the party of ``party_id`` in its transaction, saves reading it again."""
    if duration_seconds is not None and not 0 <= duration_seconds <= MAX_CONTACT_SECONDS:
        raise ValidationFailed({"duration_seconds": _("Give a duration of at most a day.")})
    if actor.is_citizen:
        if str(party_id) != actor.party_id:
            raise PermissionDenied(_("You may not do this."))
    else:
        require(actor, Scope.CASES_WRITE, party_id=party_id)
    errors: dict[str, str] = {}
    description = description.strip()
    if len(description) > MAX_DESCRIPTION:
        errors["description"] = _("Write at most %d characters.") % MAX_DESCRIPTION
    if priority not in Case.Priority.values:
        errors["priority"] = _("Unknown value.")
    if (latitude is None) != (longitude is None):
        errors["latitude"] = _("Give both latitude and longitude, or neither.")
    elif latitude is not None and longitude is not None:
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            errors["latitude"] = _("Coordinates out of range.")
    if party is None or str(party.pk) != str(party_id):
        party = Party.objects.filter(pk=party_id).first()
    if party is None:
        errors["party"] = _("No such party.")
    elif party.status != Party.Status.ACTIVE:
        errors["party"] = _("This party was merged into another; open the case there.")
    service = service_to_open(service_code)
    if service is None:
        errors["service"] = _("Unknown service.")
    if channel not in channel_codes():
        errors["channel"] = _("Unknown channel.")
    # A life event opens its cases before each office has asked its own questions: a form left
    # empty there is filled in later (the office asks the citizen); one sent is checked.
    if service is not None and not (life_event_request is not None and not form_data):
        errors.update(
            {f"form_data.{name}": message for name, message in _form_errors(service, form_data)}
        )
    if errors:
        raise ValidationFailed(errors)
    assert service is not None and party is not None  # noqa: S101 - narrowed by the checks above
    now = timezone.now()
    decision = routing.route(
        service=service,
        channel=channel,
        district=district,
        description=description,
        party=party,
        priority=priority,
    )
    # The number is taken in its own short transaction (unless the caller holds one), so the
    # counter's row is locked for an instant rather than for the whole opening: concurrent
    # openings then only queue on the audit log's head at the very end. A failed opening can
    # leave a gap in the numbers; a number is never given twice.
    reference = next_case_reference(timezone.localdate(now).year)
    case = Case(
        reference=reference,
        party=party,
        service=service,
        channel_id=channel,
        department_id=decision.department_id,
        priority=decision.priority,
        routing_rule=decision.rule,
        routed_by=decision.routed_by,
        triage=decision.triage,
        opened_at=now,
        due_date=due_date_for(
            decision.department_id, timezone.localdate(now), service.deadline_days
        ),
        description=description,
        form_data=form_data or {},
        location_text=location_text.strip(),
        latitude=latitude,
        longitude=longitude,
        district=district.strip(),
        life_event_request=life_event_request,
    )
    if decision.department is not None:
        case.department = decision.department
    # The citizen's messages are made (their addresses read, the templates filled) before the
    # transaction: on SQLite, where each writer waits for the one before, the lock is then held
    # only to write them. A life-event request tells the citizen once, of all its cases
    # (life_event_open).
    notices = (
        notices_for(case=case, event=NotificationEvent.OPENED) if life_event_request is None else []
    )
    # The rows below are written together at the end of the block: on PostgreSQL one statement
    # for the case, its messages, contact, step and events; then one lock, insert and move of
    # the audit log's head for the audit entries.
    with transaction.atomic(), audit_held(), rows_held(), events_held():
        insert_one(case)
        # Before the contact that opened it, so a subscriber hears of the case first.
        _publish(case, "case.created", now)
        notices_write(notices)
        # Last, the contact and the case's own entry: the audit log's head is locked from the
        # first of them to the commit, so concurrent writers wait on it as briefly as possible.
        interaction = interaction_record_for_case(
            actor=actor,
            case_id=case.pk,
            party_id=party.pk,
            agency_id=decision.department_id,
            service_id=service.pk,
            channel=channel,
            direction=Interaction.Direction.INBOUND,
            kind=Interaction.Kind.REQUEST,
            summary=description or service.name_es,
            occurred_at=now,
            outcome=Interaction.Outcome.CASE_OPENED,
            duration_seconds=duration_seconds,
            agency=decision.department,
            service=service,
        )
        _event(
            case,
            actor,
            CaseEvent.Kind.OPENED,
            now,
            to_status=case.status,
            to_department_id=decision.department_id,
            interaction=interaction,
            text=decision.rule.name if decision.rule else decision.routed_by,
        )
        audit_record(
            actor=actor,
            action=Action.CASE_CREATE,
            party_id=party.pk,
            object_type="case",
            object_id=case.pk,
        )
    return case


def _form_errors(service: PublicService, form_data: dict[str, Any] | None) -> list[tuple[str, str]]:
    """The service's input form (JSON Schema) checked against what was sent."""
    if not service.input_schema:
        return []
    from ventanilla.catalog.forms import validate_form_data

    return list(validate_form_data(service, form_data or {}).items())


# -- Working on a case ----------------------------------------------------------------------


def _case_for_write(actor: Actor, case_id: Any) -> Case:
    """The case, locked, if the actor may work on it: staff of its department (or of a
    department a task of it is addressed to, for notes only — see callers), or the citizen
    whose case it is."""
    try:
        condition = Q(pk=UUID(str(case_id)))
    except ValueError:
        condition = Q(reference=str(case_id).upper())
    case = (
        Case.objects.select_for_update()
        .select_related("service", "department", "party")
        .filter(condition)
        .first()
    )
    if actor.is_citizen:
        if case is None or str(case.party_id) != actor.party_id:
            raise NotFound(_("No such case."))
        return case
    require(actor, Scope.CASES_WRITE, party_id=case.party_id if case else None)
    if case is None or not (actor.sees_everything or actor.sees_agency(case.department_id)):
        raise NotFound(_("No such case."))
    return case


def _may_work_on_cases(actor: Actor) -> None:
    """Refuse staff without the scope before any transaction opens, so the refusal's audit entry
    is not rolled back with the rest."""
    if not actor.is_citizen:
        require(actor, Scope.CASES_WRITE)


def _audit_change(actor: Actor, case: Case, detail: dict[str, Any]) -> None:
    audit_record(
        actor=actor,
        action=Action.CASE_UPDATE,
        party_id=case.party_id,
        object_type="case",
        object_id=case.pk,
        detail=detail,
    )


def _check_version(case: Case, version: int | None) -> None:
    if version is not None and version != case.version:
        raise EditConflict(
            _(
                "Someone else changed case %(reference)s while you were looking at it "
                "(you had version %(yours)d, it is now at %(now)d). Reload it and try again."
            )
            % {"reference": case.reference, "yours": version, "now": case.version},
            version=case.version,
        )


def _save(case: Case, fields: dict[str, Any]) -> None:
    """Write ``fields`` if nobody changed the case since it was read; bump its version."""
    updated = Case.objects.filter(pk=case.pk, version=case.version).update(
        version=F("version") + 1, updated_at=timezone.now(), **fields
    )
    if updated != 1:
        raise EditConflict(_("Someone else changed this case; reload it and try again."))
    for name, value in fields.items():
        setattr(case, name, value)
    case.version += 1


def _reason(reason: str, *, needed: bool) -> str:
    reason = reason.strip()
    if len(reason) > MAX_TEXT:
        raise ValidationFailed({"reason": _("Write at most %d characters.") % MAX_TEXT})
    if needed and len(reason) < MIN_REASON:
        raise ValidationFailed({"reason": _("Say why; this step needs a reason.")})
    return reason


@retry_on_contention
def case_transition(
    *,
    actor: Actor,
    case_id: Any,
    action: str,
    reason: str = "",
    version: int | None = None,
) -> Case:
    """Take one step of the case's life (see ``lifecycle.TRANSITIONS``)."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ValidationFailed({"action": _("Unknown step %r.") % action})
    _may_work_on_cases(actor)
    now = timezone.now()
    with transaction.atomic():
        case = _case_for_write(actor, case_id)
        if action not in (CITIZEN_ACTIONS if actor.is_citizen else STAFF_ACTIONS):
            raise PermissionDenied(_("You may not do this."))
        _check_version(case, version)
        if case.status not in transition.sources:
            allowed = [
                t.action
                for t in actions_from(case.status, taken_by=CITIZEN if actor.is_citizen else STAFF)
            ]
            raise InvalidTransition(
                _("A case that is “%(status)s” cannot take the step “%(step)s”.")
                % {"status": CaseStatus(case.status).label, "step": transition.label},
                field="action",
                allowed_steps=" ".join(allowed),
            )
        if action in NEEDS_SOMEONE and case.party.kind == Party.Kind.ANONYMOUS:
            raise ValidationFailed(
                {
                    "action": _(
                        "This report was made without a name: there is no one to ask. "
                        "Write an internal note and go on with the case."
                    )
                }
            )
        text = _reason(reason, needed=transition.needs_reason)
        if action == "resolve" and case.tasks.filter(status=CaseTask.Status.OPEN).exists():
            raise InvalidTransition(
                _("This case has open tasks with other departments; wait for them or cancel them."),
                field="action",
            )
        _take_step(actor, case, transition, text, now)
    return case


def _take_step(actor: Actor, case: Case, transition: Transition, text: str, now: datetime) -> None:
    """Write a step already checked on a locked case: its status and what goes with it (the clock
    stopped or restarted, the dates), its event, its audit entry and the citizen's message."""
    action = transition.action
    fields: dict[str, Any] = {"status": transition.target}
    if action == "start" and case.assignee_id is None and actor.user_id is not None:
        fields["assignee_id"] = actor.user_id
    if transition.target == CaseStatus.WAITING_CITIZEN:
        fields["waiting_since"] = now
    if case.status == CaseStatus.WAITING_CITIZEN and case.waiting_since is not None:
        fields["waiting_since"] = None
        fields["due_date"] = resume_due_date(
            case, now, holidays=holidays_for_agency_id(case.department_id)
        )
        if fields["due_date"] != case.due_date:
            fields["warned_at"] = None  # a new date earns a new warning
    if transition.target == CaseStatus.RESOLVED:
        fields["resolved_at"] = now
    if transition.target in (CaseStatus.CLOSED, CaseStatus.REJECTED, CaseStatus.CANCELLED):
        fields["closed_at"] = now
    if action == "reopen":
        fields.update(
            closed_at=None,
            resolved_at=None,
            warned_at=None,
            escalated_at=None,
            due_date=due_date_for(
                case.department_id, timezone.localdate(now), case.service.deadline_days
            ),
        )
    previous = case.status
    _save(case, fields)
    _event(
        case,
        actor,
        CaseEvent.Kind.TRANSITION,
        now,
        action=action,
        from_status=previous,
        to_status=transition.target,
        text=text,
        public=transition.notify is not None,
    )
    _audit_change(actor, case, {"step": action, "from": previous, "to": transition.target})
    _publish(
        case,
        "case.closed" if transition.target in _ENDING else "case.status_changed",
        now,
        previous_status=previous,
        step=action,
    )
    if transition.notify:
        notify_case(case=case, event=transition.notify, text=text)


@retry_on_contention
def case_note_add(*, actor: Actor, case_id: Any, text: str, public: bool) -> CaseEvent:
    """An internal note, or a public reply that the citizen receives (and that is kept as an
    outbound contact on their history, where documents can be attached to it). A citizen's
    message is ``case_citizen_reply``'s."""
    if actor.is_citizen:
        if not public:
            raise PermissionDenied(_("You may not do this."))
        return case_citizen_reply(actor=actor, case_id=case_id, text=text)
    text = text.strip()
    if not text:
        raise ValidationFailed({"text": _("Write the note.")})
    if len(text) > MAX_TEXT:
        raise ValidationFailed({"text": _("Write at most %d characters.") % MAX_TEXT})
    _may_work_on_cases(actor)
    now = timezone.now()
    with transaction.atomic():
        case = _case_for_write(actor, case_id)
        interaction = None
        if public and case.party.kind == Party.Kind.ANONYMOUS:
            raise ValidationFailed(
                {
                    "public": _(
                        "This report was made without a name: there is no one to reply to. "
                        "Write an internal note instead."
                    )
                }
            )
        if public:
            interaction = interaction_record_for_case(
                actor=actor,
                case_id=case.pk,
                party_id=case.party_id,
                agency_id=case.department_id,
                service_id=case.service_id,
                channel="email",
                direction=Interaction.Direction.OUTBOUND,
                kind=Interaction.Kind.TRANSACTION,
                summary=text,
                occurred_at=now,
            )
        event = _event(
            case,
            actor,
            CaseEvent.Kind.REPLY if public else CaseEvent.Kind.NOTE,
            now,
            text=text,
            public=public,
            interaction=interaction,
        )
        Case.objects.filter(pk=case.pk).update(updated_at=now)
        _audit_change(actor, case, {"note": "public" if public else "internal"})
        if public:
            notify_case(case=case, event=NotificationEvent.REPLY, text=text)
    return event


@retry_on_contention
def case_citizen_reply(
    *,
    actor: Actor,
    case_id: Any,
    text: str,
    file_name: str = "",
    content: IO[bytes] | None = None,
    size: int = 0,
    channel: str = "web",
) -> CaseEvent:
    """The citizen's message on their own open case, from the portal or by ``channel`` (email),
    with a photo or document if they attach one (checked as every attachment is). It is kept as
    an inbound contact on their history, the file attached to it. On a case waiting for them it
    is their answer: the case goes back to work (the lifecycle's ``citizen_reply`` step) and its
    clock runs again, the due date moved on by the working days it waited. On another open case
    it is recorded and changes nothing else. A finished case takes no more messages: a new
    request does. All in one transaction, so a refused file leaves neither message nor step."""
    if not actor.is_citizen:
        raise PermissionDenied(_("You may not do this."))
    text = text.strip()
    if len(text) > MAX_TEXT:
        raise ValidationFailed({"text": _("Write at most %d characters.") % MAX_TEXT})
    if not text and content is None:
        raise ValidationFailed({"text": _("Write your message or attach a file.")})
    now = timezone.now()
    with transaction.atomic():
        case = _case_for_write(actor, case_id)
        if not case.is_open:
            raise InvalidTransition(
                _("This case is finished and takes no more messages; make a new request."),
                field="text",
            )
        interaction = interaction_record_for_case(
            actor=actor,
            case_id=case.pk,
            party_id=case.party_id,
            agency_id=case.department_id,
            service_id=case.service_id,
            channel=channel,
            direction=Interaction.Direction.INBOUND,
            kind=Interaction.Kind.TRANSACTION,
            summary=text or file_name.strip()[:200] or case.reference,
            occurred_at=now,
        )
        attachment = None
        if content is not None:
            attachment = attachment_add_for_case(
                actor=actor,
                interaction=interaction,
                file_name=file_name,
                content=content,
                size=size,
            )
        event = _event(
            case,
            actor,
            CaseEvent.Kind.CITIZEN_REPLY,
            now,
            text=text,
            public=True,
            interaction=interaction,
        )
        _audit_change(
            actor,
            case,
            {"note": "citizen", "attachment": str(attachment.pk) if attachment else None},
        )
        answer = TRANSITIONS["citizen_reply"]
        if case.status in answer.sources:
            _take_step(actor, case, answer, "", now)
        else:
            Case.objects.filter(pk=case.pk).update(updated_at=now)
    return event


@retry_on_contention
def case_document_add(
    *,
    actor: Actor,
    case_id: Any,
    file_name: str,
    content: IO[bytes],
    size: int,
    description: str = "",
    channel: str = "desk",
) -> InteractionAttachment:
    """A document for the case (brought to the desk, sent by post or email): kept as a contact
    of the case's department with the document attached, and noted on the case. The file is
    checked as every attachment is; a refused file leaves neither contact nor note."""
    _may_work_on_cases(actor)
    if not Channel.objects.filter(pk=channel).exists():
        raise ValidationFailed({"channel": _("Unknown channel.")})
    now = timezone.now()
    with transaction.atomic():
        case = _case_for_write(actor, case_id)
        name = file_name.strip()[:200] or "document"
        interaction = interaction_record_for_case(
            actor=actor,
            case_id=case.pk,
            party_id=case.party_id,
            agency_id=case.department_id,
            service_id=case.service_id,
            channel=channel,
            direction=Interaction.Direction.INBOUND,
            kind=Interaction.Kind.TRANSACTION,
            summary=_("Document for case %(reference)s: %(name)s")
            % {"reference": case.reference, "name": name},
            occurred_at=now,
        )
        attachment = attachment_add(
            actor=actor,
            interaction_id=interaction.pk,
            file_name=file_name,
            content=content,
            size=size,
            description=description,
        )
        _event(
            case,
            actor,
            CaseEvent.Kind.NOTE,
            now,
            action="document",
            text=attachment.file_name,
            interaction=interaction,
        )
        Case.objects.filter(pk=case.pk).update(updated_at=now)
    return attachment


def case_mark_seen(*, actor: Actor, case: Case) -> None:
    """Remember that a member of staff has just opened ``case`` (read through ``case_get``, which
    audited the reading): what happened on it before now is no longer news to them. One upsert;
    bookkeeping of staff, not a change of the case, so no audit entry of its own."""
    if actor.user_id is None or actor.is_citizen:
        return
    now = timezone.now()
    CaseSeen.objects.bulk_create(
        [CaseSeen(case_id=case.pk, user_id=actor.user_id, seen_at=now, updated_at=now)],
        update_conflicts=True,
        unique_fields=["case", "user"],
        update_fields=["seen_at", "updated_at"],
    )


def case_contact_record(
    *, actor: Actor, party_id: Any, case_reference: str | None, **contact: Any
) -> Interaction:
    """Record a contact on a party's history (``interaction_record``), linked to one of the
    party's cases when ``case_reference`` names it: a case the actor's departments handle or were
    asked to help with. Another agency's case, another person's and a reference that does not
    exist all look the same, so the answer tells nothing about references the actor cannot see.
    A consent that shares a party's cases lets an agency read them, not add to them."""
    if not case_reference:
        return interaction_record(actor=actor, party_id=party_id, **contact)
    require(actor, Scope.INTERACTIONS_WRITE, party_id=party_id)
    case = None
    if actor.can(Scope.CASES_READ):
        case = (
            visible_cases(actor)
            .filter(reference=case_reference.strip().upper(), party_id=party_id)
            .first()
        )
    if case is None:
        raise ValidationFailed({"case": _("No such case.")})
    return interaction_record(actor=actor, party_id=party_id, case_id=case.pk, **contact)


@retry_on_contention
def case_assign(
    *,
    actor: Actor,
    case_ids: Iterable[Any],
    assignee_id: int | None,
    versions: dict[str, int] | None = None,
) -> list[Case]:
    """Give cases to a member of staff (or take them back with None), all or none. Taking a case
    for oneself needs only to work on cases; giving it to someone else is a supervisor's call."""
    ids = list(dict.fromkeys(str(case_id) for case_id in case_ids))
    if not ids:
        raise ValidationFailed({"cases": _("Choose at least one case.")})
    if assignee_id is None or assignee_id != actor.user_id:
        require(actor, Scope.CASES_MANAGE)
    _may_work_on_cases(actor)
    now = timezone.now()
    assignee = None
    if assignee_id is not None:
        assignee = get_user_model().objects.filter(pk=assignee_id, is_active=True).first()
        if assignee is None:
            raise ValidationFailed({"assignee": _("No such member of staff.")})
    changed = []
    with transaction.atomic():
        for case_id in ids:
            case = _case_for_write(actor, case_id)
            if not case.is_open:
                raise InvalidTransition(
                    _("Case %s is no longer open.") % case.reference, field="cases"
                )
            if (
                assignee is not None
                and not Membership.objects.filter(staff_of(case.department), user=assignee).exists()
            ):
                raise ValidationFailed(
                    {
                        "assignee": _("%(name)s does not work in %(department)s.")
                        % {"name": assignee.get_username(), "department": case.department.name}
                    }
                )
            _check_version(case, (versions or {}).get(str(case.pk)))
            _save(case, {"assignee_id": assignee_id})
            _event(
                case,
                actor,
                CaseEvent.Kind.ASSIGNMENT,
                now,
                text=assignee.get_username() if assignee else "",
            )
            _audit_change(actor, case, {"assignee": assignee.get_username() if assignee else None})
            changed.append(case)
    return changed


@retry_on_contention
def case_transfer(
    *,
    actor: Actor,
    case_id: Any,
    department_code: str,
    reason: str,
    version: int | None = None,
) -> Case:
    """Hand the case over to another department or agency; the hand-over stays on the case."""
    text = _reason(reason, needed=True)
    target = Agency.objects.filter(code=department_code).first()
    if target is None:
        raise ValidationFailed({"department": _("No such department.")})
    _may_work_on_cases(actor)
    now = timezone.now()
    with transaction.atomic():
        case = _case_for_write(actor, case_id)
        _check_version(case, version)
        if not case.is_open:
            raise InvalidTransition(_("Only an open case can be transferred."), field="department")
        if target.pk == case.department_id:
            raise ValidationFailed({"department": _("The case is already there.")})
        previous = case.department_id
        _save(
            case,
            {
                "department_id": target.pk,
                "assignee_id": None,
                "triage": False,
                "routed_by": Case.RoutedBy.TRANSFER,
            },
        )
        case.department = target
        _event(
            case,
            actor,
            CaseEvent.Kind.TRANSFER,
            now,
            from_department_id=previous,
            to_department_id=target.pk,
            text=text,
        )
        _audit_change(actor, case, {"transfer_to": target.code})
    return case


@retry_on_contention
def case_service_set(
    *,
    actor: Actor,
    case_id: Any,
    service_code: str,
    version: int | None = None,
) -> Case:
    """Put an open case under another service (a case opened from free text under a general
    service, or under a model's wrong suggestion). A case waiting in triage goes to the new
    service's department; one already placed stays where it is, to be transferred if need be."""
    service = PublicService.objects.filter(code=service_code, active=True).first()
    if service is None:
        raise ValidationFailed({"service": _("Unknown service.")})
    _may_work_on_cases(actor)
    now = timezone.now()
    with transaction.atomic():
        case = _case_for_write(actor, case_id)
        _check_version(case, version)
        if not case.is_open:
            raise InvalidTransition(_("Only an open case can change service."), field="service")
        if service.pk == case.service_id:
            return case
        previous = case.service
        was = case.department_id
        fields: dict[str, Any] = {"service_id": service.pk}
        if case.triage and service.department_id is not None:
            fields |= {
                "department_id": service.department_id,
                "assignee_id": None,
                "triage": False,
                "routed_by": Case.RoutedBy.SERVICE,
            }
        _save(case, fields)
        case.service = service
        _event(
            case,
            actor,
            CaseEvent.Kind.TRANSFER,
            now,
            from_department_id=was,
            to_department_id=case.department_id,
            text=_("Service changed from %(old)s to %(new)s.")
            % {"old": previous.name_es, "new": service.name_es},
        )
        _audit_change(actor, case, {"service_from": previous.code, "service_to": service.code})
    return case


@retry_on_contention
def task_create(
    *,
    actor: Actor,
    case_id: Any,
    department_code: str,
    title: str,
    description: str = "",
    due_in_days: int = 5,
) -> CaseTask:
    """Ask another department or agency to do something for the case, by a date."""
    title = title.strip()
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("Say what is asked.")
    elif len(title) > 200:
        errors["title"] = _("Write at most %d characters.") % 200
    if len(description) > MAX_TEXT:
        errors["description"] = _("Write at most %d characters.") % MAX_TEXT
    if not 1 <= due_in_days <= 365:
        errors["due_in_days"] = _("Give between 1 and 365 working days.")
    target = Agency.objects.filter(code=department_code).first()
    if target is None:
        errors["department"] = _("No such department.")
    if errors:
        raise ValidationFailed(errors)
    assert target is not None  # noqa: S101 - checked above
    _may_work_on_cases(actor)
    now = timezone.now()
    with transaction.atomic():
        case = _case_for_write(actor, case_id)
        if not case.is_open:
            raise InvalidTransition(_("Only an open case can get new tasks."), field="title")
        if target.pk == case.department_id:
            raise ValidationFailed({"department": _("Ask another department than the case's.")})
        task = CaseTask.objects.create(
            case=case,
            from_department_id=case.department_id,
            to_department=target,
            title=title,
            description=description.strip(),
            due_date=due_date_for(target.pk, timezone.localdate(now), due_in_days),
            created_by_label=_label(actor),
        )
        _event(
            case,
            actor,
            CaseEvent.Kind.TASK,
            now,
            action="create",
            task=task,
            from_department_id=case.department_id,
            to_department_id=target.pk,
            text=title,
        )
        _audit_change(actor, case, {"task_to": target.code})
    return task


@retry_on_contention
def task_finish(*, actor: Actor, task_id: Any, outcome: str, result: str = "") -> CaseTask:
    """The receiving department marks its task done or declines it (with a reason), or the
    asking department cancels it."""
    require(actor, Scope.CASES_WRITE)
    if outcome not in (CaseTask.Status.DONE, CaseTask.Status.DECLINED, CaseTask.Status.CANCELLED):
        raise ValidationFailed({"outcome": _("Unknown value.")})
    text = _reason(result, needed=outcome != CaseTask.Status.DONE)
    now = timezone.now()
    with transaction.atomic():
        task = (
            CaseTask.objects.select_for_update()
            .select_related("case", "to_department")
            .filter(pk=task_id)
            .first()
        )
        side = None
        if task is not None:
            if outcome == CaseTask.Status.CANCELLED and actor.sees_agency(task.from_department_id):
                side = "asker"
            elif outcome != CaseTask.Status.CANCELLED and actor.sees_agency(task.to_department_id):
                side = "receiver"
        if task is None or side is None:
            raise NotFound(_("No such task."))
        if task.status != CaseTask.Status.OPEN:
            raise InvalidTransition(_("This task is already finished."), field="outcome")
        task.status = outcome
        task.result = text
        task.completed_at = now
        if actor.user_id is not None and task.assignee_id is None:
            task.assignee_id = actor.user_id
        task.save(update_fields=["status", "result", "completed_at", "assignee", "updated_at"])
        _event(
            task.case,
            actor,
            CaseEvent.Kind.TASK,
            now,
            action=outcome,
            task=task,
            from_department_id=task.to_department_id,
            to_department_id=task.from_department_id,
            text=text,
        )
        _audit_change(actor, task.case, {"task": str(task.pk), "outcome": outcome})
    return task


@retry_on_contention
def case_mark_duplicate(
    *, actor: Actor, case_id: Any, original_id: Any, version: int | None = None
) -> Case:
    """Attach a case to the original it repeats: it closes, and its reporter hears every update
    of the original from now on."""
    _may_work_on_cases(actor)
    now = timezone.now()
    with transaction.atomic():
        case = _case_for_write(actor, case_id)
        original = _case_for_write(actor, original_id)
        _check_version(case, version)
        if original.pk == case.pk:
            raise ValidationFailed({"original": _("A case cannot repeat itself.")})
        if original.duplicate_of_id is not None:
            raise ValidationFailed(
                {"original": _("That case is itself a duplicate; choose its original.")}
            )
        if not case.is_open:
            raise InvalidTransition(_("Only an open case can be attached."), field="original")
        previous = case.status
        _save(
            case,
            {"duplicate_of_id": original.pk, "status": CaseStatus.CLOSED, "closed_at": now},
        )
        text = _("Joined to %(original)s, which deals with the same request.") % {
            "original": original.reference
        }
        _event(
            case,
            actor,
            CaseEvent.Kind.DUPLICATE,
            now,
            action="attach",
            from_status=previous,
            to_status=CaseStatus.CLOSED,
            text=text,
            public=True,
        )
        _event(
            original,
            actor,
            CaseEvent.Kind.DUPLICATE,
            now,
            action="receive",
            text=case.reference,
        )
        _audit_change(actor, case, {"duplicate_of": original.reference})
        _publish(
            case,
            "case.closed",
            now,
            previous_status=previous,
            step="duplicate",
            duplicate_of=original.reference,
        )
        notify_case(case=case, event=NotificationEvent.REPLY, text=text)
    return case


# -- Life events ----------------------------------------------------------------------------


@retry_on_contention
def life_event_open(
    *,
    actor: Actor,
    party_id: Any,
    life_event_code: str,
    channel: str,
    description: str = "",
    services: Iterable[str] | None = None,
    form_data: dict[str, dict[str, Any]] | None = None,
) -> LifeEventRequest:
    """One request ("we had a baby") opens a case in every agency concerned, in one step. Each
    agency receives only its own case and what the citizen wrote for it; what one agency holds
    about the person still reaches another only under a consent or the law. ``form_data`` holds
    the answers to each service's own form, by service code: every form sent is checked (errors
    under ``form_data.<service>.<field>``, all of them at once, and nothing is opened), a form not
    sent is left for the office to ask about. The citizen is told once, of all the cases."""
    event = LifeEvent.objects.filter(code=life_event_code).first()
    if event is None:
        raise ValidationFailed({"life_event": _("Unknown life event.")})
    offered = list(event.services.filter(active=True).order_by("code"))
    chosen = offered
    if services is not None:
        wanted = set(services)
        unknown = wanted - {service.code for service in offered}
        if unknown:
            raise ValidationFailed(
                {"services": _("Not part of this life event: %s.") % ", ".join(sorted(unknown))}
            )
        chosen = [service for service in offered if service.code in wanted]
    if not chosen:
        raise ValidationFailed({"services": _("Choose at least one service.")})
    answers = form_data or {}
    errors = {
        f"form_data.{service.code}.{name}": message
        for service in chosen
        if service.code in answers
        for name, message in _form_errors(service, answers[service.code])
    }
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        request = LifeEventRequest.objects.create(
            party_id=party_id,
            life_event=event,
            channel_id=channel,
            requested_at=timezone.now(),
            requested_by_label=_label(actor),
            description=description.strip()[:MAX_DESCRIPTION],
        )
        opened = [
            case_open(
                actor=actor,
                party_id=party_id,
                service_code=service.code,
                channel=channel,
                description=description,
                form_data=answers.get(service.code),
                life_event_request=request,
            )
            for service in chosen
        ]
        notify_life_event(request=request, cases=opened)
    return request


# -- Satisfaction ---------------------------------------------------------------------------

UNHAPPY = 2


@retry_on_contention
def satisfaction_record(*, actor: Actor, case_id: Any, score: int, comment: str = "") -> Case:
    """The citizen's answer to "how did we do?" on a closed case, once. With the service's
    setting, an unhappy answer (1 or 2) reopens the case."""
    if not 1 <= score <= 5:
        raise ValidationFailed({"score": _("Choose from 1 to 5.")})
    comment = comment.strip()
    if len(comment) > 2000:
        raise ValidationFailed({"comment": _("Write at most %d characters.") % 2000})
    now = timezone.now()
    with transaction.atomic():
        case = _case_for_write(actor, case_id)
        if case.status != CaseStatus.CLOSED or case.duplicate_of_id is not None:
            raise InvalidTransition(_("Only a closed case can be rated."), field="score")
        if case.satisfaction is not None:
            raise InvalidTransition(_("This case has already been rated."), field="score")
        _save(
            case,
            {"satisfaction": score, "satisfaction_comment": comment, "satisfaction_at": now},
        )
        _event(case, actor, CaseEvent.Kind.SATISFACTION, now, text=f"{score} {comment}".strip())
        _audit_change(actor, case, {"satisfaction": score})
        # The same set as the answers given after a desk visit or a call, with the case's door.
        satisfaction_record_for_case(
            case_id=case.pk,
            party_id=case.party_id,
            channel=case.channel_id,
            reference=case.reference,
            score=score,
            comment=comment,
            asked_at=case.closed_at,
            answered_at=now,
        )
    if score <= UNHAPPY and case.service.reopen_if_unhappy:
        system = Actor(label="system:satisfaction", sees_everything=True)
        case = case_transition(
            actor=system,
            case_id=case.pk,
            action="reopen",
            reason=comment or _("The citizen was not satisfied (%d of 5).") % score,
        )
    return case


# -- Routing rules (administrators) -------------------------------------------------------


def routing_rule_save(*, actor: Actor, rule: RoutingRule) -> RoutingRule:
    """Add a routing rule or change one, given with its new values as a form leaves it: checked
    against the model's rules, saved whole, recorded with what it holds now. Every process drops
    its copy of the rules (``routing.forget_rules``) once the change commits."""
    require(actor, Scope.ROUTING_MANAGE)
    full_clean_or_refuse(rule)
    added = rule._state.adding
    with transaction.atomic():
        rule.save()  # every field is the form's: the whole row is the change
        _audit_rule(actor, Action.ROUTING_RULE_CHANGE, rule, added=added)
    return rule


def routing_rule_delete(*, actor: Actor, rule_id: Any) -> None:
    """Remove a routing rule; the cases it placed keep their department and name it no more."""
    require(actor, Scope.ROUTING_MANAGE)
    with transaction.atomic():
        rule = RoutingRule.objects.select_for_update().filter(pk=rule_id).first()
        if rule is None:
            raise NotFound(_("No such routing rule."))
        _audit_rule(actor, Action.ROUTING_RULE_DELETE, rule)
        rule.delete()


def _audit_rule(actor: Actor, action: Action, rule: RoutingRule, *, added: bool = False) -> None:
    detail: dict[str, Any] = {"values": record_values(rule)}
    if added:
        detail["added"] = True
    audit_record(
        actor=actor, action=action, object_type="routing_rule", object_id=rule.pk, detail=detail
    )
    transaction.on_commit(routing.forget_rules)
