"""API of cases: open, read, list, and work on them: steps of their life, notes and replies,
assignment, transfer, tasks for other departments, duplicates and life-event requests; and the
recording of a contact, which may be linked to a case."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from ventanilla.access.actors import actor_of
from ventanilla.cases import batch, selectors, services
from ventanilla.cases.lifecycle import STAFF, TRANSITIONS
from ventanilla.cases.models import Case, CaseEvent, CaseStatus, CaseTask, LifeEventRequest
from ventanilla.core.pagination import DEFAULT_LIMIT, MAX_LIMIT
from ventanilla.core.problems import PROBLEM_RESPONSES
from ventanilla.interactions.api import InteractionIn, InteractionOut, ItemErrorOut
from ventanilla.interactions.models import Interaction

router = Router(tags=["cases"])


class LocationIn(Schema):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(default="", max_length=300)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    district: str = Field(default="", max_length=100)


class CaseIn(Schema):
    model_config = ConfigDict(extra="forbid")
    party_id: UUID
    service: str = Field(max_length=60, description="Service code")
    channel: str = Field(max_length=20)
    description: str = Field(default="", max_length=services.MAX_DESCRIPTION)
    priority: Literal["low", "normal", "high", "urgent"] = "normal"
    location: LocationIn | None = None
    form_data: dict[str, Any] = Field(default_factory=dict)


class CaseOut(Schema):
    id: UUID
    reference: str
    party_id: UUID
    service: str = Field(alias="service.code")
    service_name: str = Field(alias="service.name")
    status: str
    is_open: bool
    priority: str
    channel: str = Field(alias="channel_id")
    department: str = Field(alias="department.code")
    department_name: str = Field(alias="department.name")
    opened_at: datetime
    due_date: date
    closed_at: datetime | None
    description: str
    location_text: str
    latitude: float | None
    longitude: float | None
    district: str
    satisfaction: int | None
    version: int = Field(description="Send it back with every change; a stale one gets 409.")
    routed_by: str
    routing_rule: str | None = Field(alias="routing_rule.name", default=None)
    triage: bool
    assignee: str | None = Field(alias="assignee.username", default=None)
    waiting_since: datetime | None
    duplicate_of: str | None = Field(alias="duplicate_of.reference", default=None)
    life_event_request_id: UUID | None
    next_steps: list[str] = Field(description="The steps the case can take now.")

    @staticmethod
    def resolve_next_steps(obj: Case) -> list[str]:
        return [t.action for t in selectors.staff_steps(obj)]


class CasePageOut(Schema):
    items: list[CaseOut]
    next_cursor: str | None


class CaseQuery(Schema):
    party_id: UUID | None = None
    status: CaseStatus | None = None
    cursor: str | None = None
    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


@router.post("", response={201: CaseOut, **PROBLEM_RESPONSES}, summary="Open a case")
def open_case(request: HttpRequest, payload: CaseIn) -> Status[Case]:
    location = payload.location or LocationIn()
    case = services.case_open(
        actor=actor_of(request),
        party_id=payload.party_id,
        service_code=payload.service,
        channel=payload.channel,
        description=payload.description,
        priority=payload.priority,
        location_text=location.text,
        latitude=location.latitude,
        longitude=location.longitude,
        district=location.district,
        form_data=payload.form_data,
    )
    # The creator is answered with what was just written; no second read (nor its audit entry).
    return Status(201, case)


@router.get("", response={200: CasePageOut, **PROBLEM_RESPONSES}, summary="List cases")
def list_cases(request: HttpRequest, query: Query[CaseQuery]) -> object:
    page = selectors.case_list(
        actor=actor_of(request),
        party_id=query.party_id,
        status=query.status,
        cursor=query.cursor,
        limit=query.limit,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get(
    "/{case_id}",
    response={200: CaseOut, **PROBLEM_RESPONSES},
    summary="Read a case by id or reference",
)
def read_case(request: HttpRequest, case_id: str) -> Case:
    return selectors.case_get(actor=actor_of(request), case_id=case_id)


STEP_HELP = "; ".join(
    f"`{t.action}`: {'/'.join(sorted(t.sources))} → {t.target}"
    + (" (reason required)" if t.needs_reason else "")
    for t in TRANSITIONS.values()
    if STAFF in t.taken_by
)


class TransitionIn(Schema):
    model_config = ConfigDict(extra="forbid")
    action: Literal[
        "accept", "start", "ask_citizen", "resume", "resolve", "close", "reject", "cancel", "reopen"
    ] = Field(description=STEP_HELP)
    reason: str = Field(default="", max_length=services.MAX_TEXT)
    version: int = Field(ge=1, description="The case's version as you read it.")


@router.post(
    "/{case_id}/transitions",
    response={200: CaseOut, **PROBLEM_RESPONSES},
    summary="Take a step in the case's life",
    description="Steps: " + STEP_HELP + ". A step the case cannot take from its status is "
    "refused with 409 `invalid-transition`; a stale `version` with 409 `edit-conflict`.",
)
def transition_case(request: HttpRequest, case_id: str, payload: TransitionIn) -> Case:
    actor = actor_of(request)
    case = services.case_transition(
        actor=actor,
        case_id=case_id,
        action=payload.action,
        reason=payload.reason,
        version=payload.version,
    )
    return selectors.case_get(actor=actor, case_id=case.pk)


class CaseEventOut(Schema):
    id: UUID
    kind: str
    action: str
    from_status: str
    to_status: str
    text: str
    public: bool
    from_department: str | None = Field(alias="from_department.code", default=None)
    to_department: str | None = Field(alias="to_department.code", default=None)
    actor: str = Field(alias="actor_label")
    task_id: UUID | None
    occurred_at: datetime


@router.get(
    "/{case_id}/events",
    response={200: list[CaseEventOut], **PROBLEM_RESPONSES},
    summary="The whole chain of a case: steps, notes, replies, transfers, tasks",
)
def case_events(request: HttpRequest, case_id: str) -> list[CaseEvent]:
    case = selectors.case_get(actor=actor_of(request), case_id=case_id)
    return selectors.case_events(case=case)


class NoteIn(Schema):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=services.MAX_TEXT)
    public: bool = Field(
        default=False,
        description=(
            "True: a reply the citizen receives (refused on a case reported anonymously); "
            "false: an internal note for staff."
        ),
    )


@router.post(
    "/{case_id}/notes",
    response={201: CaseEventOut, **PROBLEM_RESPONSES},
    summary="Add an internal note or a reply to the citizen",
)
def add_note(request: HttpRequest, case_id: str, payload: NoteIn) -> Status[CaseEvent]:
    event = services.case_note_add(
        actor=actor_of(request), case_id=case_id, text=payload.text, public=payload.public
    )
    return Status(201, event)


class AssignmentIn(Schema):
    model_config = ConfigDict(extra="forbid")
    assignee: str | None = Field(max_length=150, description="User name; null to unassign.")
    version: int = Field(ge=1)


@router.post(
    "/{case_id}/assignment",
    response={200: CaseOut, **PROBLEM_RESPONSES},
    summary="Assign the case to a member of staff",
)
def assign_case(request: HttpRequest, case_id: str, payload: AssignmentIn) -> Case:
    actor = actor_of(request)
    case = selectors.case_get(actor=actor, case_id=case_id)
    services.case_assign(
        actor=actor,
        case_ids=[case.pk],
        assignee_id=selectors.staff_user_id(payload.assignee),
        versions={str(case.pk): payload.version},
    )
    return selectors.case_get(actor=actor, case_id=case.pk)


class TransferIn(Schema):
    model_config = ConfigDict(extra="forbid")
    department: str = Field(max_length=40, description="Code of the receiving department.")
    reason: str = Field(min_length=1, max_length=services.MAX_TEXT)
    version: int = Field(ge=1)


@router.post(
    "/{case_id}/transfer",
    response={200: CaseOut, **PROBLEM_RESPONSES},
    summary="Hand the case over to another department or agency",
)
def transfer_case(request: HttpRequest, case_id: str, payload: TransferIn) -> Case:
    actor = actor_of(request)
    case = services.case_transfer(
        actor=actor,
        case_id=case_id,
        department_code=payload.department,
        reason=payload.reason,
        version=payload.version,
    )
    # The actor may no longer see the case once it has left their department.
    case.refresh_from_db()
    return case


class TaskIn(Schema):
    model_config = ConfigDict(extra="forbid")
    department: str = Field(max_length=40, description="Code of the department asked.")
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=services.MAX_TEXT)
    due_in_days: int = Field(default=5, ge=1, le=365, description="Working days.")


class TaskOut(Schema):
    id: UUID
    case: str = Field(alias="case.reference")
    from_department: str = Field(alias="from_department.code")
    to_department: str = Field(alias="to_department.code")
    title: str
    description: str
    status: str
    due_date: date
    result: str
    completed_at: datetime | None


@router.post(
    "/{case_id}/tasks",
    response={201: TaskOut, **PROBLEM_RESPONSES},
    summary="Ask another department or agency to do something for the case",
)
def create_task(request: HttpRequest, case_id: str, payload: TaskIn) -> Status[CaseTask]:
    task = services.task_create(
        actor=actor_of(request),
        case_id=case_id,
        department_code=payload.department,
        title=payload.title,
        description=payload.description,
        due_in_days=payload.due_in_days,
    )
    return Status(201, task)


@router.get(
    "/{case_id}/tasks",
    response={200: list[TaskOut], **PROBLEM_RESPONSES},
    summary="The tasks of a case",
)
def list_tasks(request: HttpRequest, case_id: str) -> list[CaseTask]:
    case = selectors.case_get(actor=actor_of(request), case_id=case_id)
    return selectors.case_tasks(case=case)


class TaskOutcomeIn(Schema):
    model_config = ConfigDict(extra="forbid")
    outcome: Literal["done", "declined", "cancelled"]
    result: str = Field(default="", max_length=services.MAX_TEXT)


@router.post(
    "/tasks/{task_id}/outcome",
    response={200: TaskOut, **PROBLEM_RESPONSES},
    summary="Finish a task: done or declined by the department asked, cancelled by the asker",
)
def finish_task(request: HttpRequest, task_id: UUID, payload: TaskOutcomeIn) -> CaseTask:
    return services.task_finish(
        actor=actor_of(request), task_id=task_id, outcome=payload.outcome, result=payload.result
    )


class DuplicateOut(Schema):
    case: CaseOut
    metres: float | None


@router.get(
    "/{case_id}/duplicates",
    response={200: list[DuplicateOut], **PROBLEM_RESPONSES},
    summary="Earlier open requests for the same service near the same place",
)
def list_duplicates(request: HttpRequest, case_id: str) -> list[selectors.LikelyDuplicate]:
    actor = actor_of(request)
    case = selectors.case_get(actor=actor, case_id=case_id)
    return selectors.likely_duplicates(actor=actor, case=case)


class DuplicateIn(Schema):
    model_config = ConfigDict(extra="forbid")
    original: str = Field(max_length=40, description="Id or reference of the original case.")
    version: int = Field(ge=1)


@router.post(
    "/{case_id}/duplicate-of",
    response={200: CaseOut, **PROBLEM_RESPONSES},
    summary="Attach the case to the original it repeats",
)
def mark_duplicate(request: HttpRequest, case_id: str, payload: DuplicateIn) -> Case:
    actor = actor_of(request)
    case = services.case_mark_duplicate(
        actor=actor, case_id=case_id, original_id=payload.original, version=payload.version
    )
    return selectors.case_get(actor=actor, case_id=case.pk)


life_events_router = Router(tags=["cases"])


class LifeEventRequestIn(Schema):
    model_config = ConfigDict(extra="forbid")
    party_id: UUID
    life_event: str = Field(max_length=60)
    channel: str = Field(max_length=20)
    description: str = Field(default="", max_length=services.MAX_DESCRIPTION)
    services: list[str] | None = Field(
        default=None, description="Codes of the services wanted; all of the event's by default."
    )
    form_data: dict[str, dict[str, Any]] | None = Field(
        default=None,
        description=(
            "The answers to each chosen service's own form (its input_schema), by service code. "
            "Every form given is checked, errors under form_data.<service>.<field>, and nothing "
            "is opened if one fails; a service whose form is not given is asked by its office."
        ),
    )


class LifeEventCaseOut(Schema):
    reference: str
    service: str = Field(alias="service.code")
    service_name: str = Field(alias="service.name")
    department: str = Field(alias="department.code")
    status: str
    due_date: date


class LifeEventRequestOut(Schema):
    id: UUID = Field(alias="request.id")
    life_event: str = Field(alias="request.life_event.code")
    status: Literal["in_progress", "waiting_citizen", "done"]
    done: int
    cases: list[LifeEventCaseOut]


@life_events_router.post(
    "",
    response={201: LifeEventRequestOut, **PROBLEM_RESPONSES},
    summary="Open the cases of a life event in every agency concerned, in one step",
)
def open_life_event(request: HttpRequest, payload: LifeEventRequestIn) -> Status[object]:
    actor = actor_of(request)
    created: LifeEventRequest = services.life_event_open(
        actor=actor,
        party_id=payload.party_id,
        life_event_code=payload.life_event,
        channel=payload.channel,
        description=payload.description,
        services=payload.services,
        form_data=payload.form_data,
    )
    return Status(201, selectors.life_event_status(actor=actor, request_id=created.pk))


@life_events_router.get(
    "/{request_id}",
    response={200: LifeEventRequestOut, **PROBLEM_RESPONSES},
    summary="The combined status of a life-event request",
)
def read_life_event(request: HttpRequest, request_id: UUID) -> object:
    return selectors.life_event_status(actor=actor_of(request), request_id=request_id)


# Recording a contact belongs to the contact history, but it may link the contact to a case, which
# only this app can check; so its operation is served from here, under the interactions tag and
# with the operation id it has always had.
contacts_router = Router(tags=["interactions"])


@contacts_router.post(
    "/interactions",
    response={201: InteractionOut, **PROBLEM_RESPONSES},
    summary="Record an interaction",
    operation_id="ventanilla_interactions_api_create_interaction",
)
def create_interaction(request: HttpRequest, payload: InteractionIn) -> Status[Interaction]:
    interaction = services.case_contact_record(
        actor=actor_of(request),
        party_id=payload.party_id,
        case_reference=payload.case_reference,
        channel=payload.channel,
        summary=payload.summary,
        kind=payload.kind,
        relationship=payload.relationship,
        direction=payload.direction,
        agency_code=payload.agency,
        service_code=payload.service,
        occurred_at=payload.occurred_at,
        duration_seconds=payload.duration_seconds,
        outcome=payload.outcome or "",
        call_back_due=payload.call_back_due,
        call_back_phone=payload.call_back_phone or "",
    )
    return Status(201, interaction)


# -- Cases in bulk, from another system ------------------------------------------------------

batch_router = Router(tags=["batch"])


class CaseBatchItemIn(CaseIn):
    external_id: str = Field(
        min_length=1,
        max_length=100,
        description="Your own key of this case: sent again (in this call or a later one, for "
        "the same agency), it gives back the case opened the first time.",
    )
    agency: str | None = Field(
        default=None,
        max_length=40,
        description="Agency the key is kept for; needed only when you act for several",
    )


class CaseBatchIn(Schema):
    model_config = ConfigDict(extra="forbid")
    items: list[CaseBatchItemIn] = Field(min_length=1, max_length=batch.MAX_ITEMS)


class CaseBatchItemOut(Schema):
    index: int = Field(description="The item's place in the call, from 0")
    external_id: str
    status: Literal["created", "existing", "failed"] = Field(
        description="created: opened now; existing: its key was sent before, that case is "
        "given back; failed: nothing of it was written, see errors"
    )
    id: UUID | None = Field(default=None, description="The case's id (created or existing)")
    reference: str | None = Field(default=None, description="The case's reference")
    errors: list[ItemErrorOut]


class CaseBatchOut(Schema):
    created: int
    existing: int
    failed: int
    items: list[CaseBatchItemOut]


def _batch_item(item: CaseBatchItemIn) -> batch.CaseItem:
    location = item.location or LocationIn()
    return batch.CaseItem(
        external_id=item.external_id,
        party_id=item.party_id,
        service_code=item.service,
        channel=item.channel,
        description=item.description,
        priority=item.priority,
        location_text=location.text,
        latitude=location.latitude,
        longitude=location.longitude,
        district=location.district,
        form_data=item.form_data,
        agency_code=item.agency,
    )


@batch_router.post(
    "/cases",
    response={200: CaseBatchOut, **PROBLEM_RESPONSES},
    summary="Open up to 1,000 cases from another system",
    description=(
        "Each item is checked and opened as `POST /cases` opens one (routed, given its "
        "deadline, audited, told to the citizen), whole or not at all, with its own result; one "
        "item refused does not refuse the others. Idempotent by `external_id` per agency. A call "
        "that is not well formed (not JSON, an item missing a field or of the wrong type, more "
        "than 1,000 items) is refused whole as problem+json (422)."
    ),
)
def open_cases(request: HttpRequest, payload: CaseBatchIn) -> dict[str, Any]:
    results = batch.case_open_many(
        actor=actor_of(request), items=[_batch_item(item) for item in payload.items]
    )
    counts = {"created": 0, "existing": 0, "failed": 0}
    for result in results:
        counts[result.status] += 1
    return {
        **counts,
        "items": [
            {
                "index": r.index,
                "external_id": r.external_id,
                "status": r.status,
                "id": r.case.pk if r.case else None,
                "reference": r.case.reference if r.case else None,
                "errors": [{"field": f, "message": m} for f, m in r.errors.items()],
            }
            for r in results
        ],
    }
