"""API of the contact history: list a party's interactions, attach a document to an interaction
and download it. Recording one may link it to a case, which only cases can check: its operation
is served from ``cases/api.py`` with the schemas defined here."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from django.http import FileResponse, HttpRequest
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from pydantic import AwareDatetime, BaseModel, ConfigDict

from ventanilla.access.actors import actor_of
from ventanilla.core import filetypes
from ventanilla.core.dates import EventTime
from ventanilla.core.pagination import DEFAULT_LIMIT, MAX_LIMIT
from ventanilla.core.problems import PROBLEM_RESPONSES
from ventanilla.interactions import batch, services
from ventanilla.interactions.models import Interaction, InteractionAttachment
from ventanilla.interactions.selectors import attachment_for_download, interactions_of_party

router = Router(tags=["interactions"])

OutcomeCode = Literal[
    "answered", "case_opened", "appointment", "call_back", "transferred", "no_answer"
]
OUTCOME_HELP = (
    "How the contact ended: answered there and then, a case opened, an appointment given, to "
    "call back, transferred to another office, or no answer. Null when not recorded."
)


class ContactIn(BaseModel):
    """What a contact is, recorded one by one or in a batch. A plain pydantic model, as the
    batch's body: ninja's ``Schema`` reads what it validates through a wrapper made for ORM
    objects, and validates twice when unknown fields are refused, which for a batch of 1,000
    cost more than the rest of its checks (a JSON body needs neither)."""

    model_config = ConfigDict(extra="forbid")
    party_id: UUID
    channel: str = Field(max_length=20, description="Channel code: web, kiosk, email, phone, desk…")
    summary: str = Field(min_length=1, max_length=services.MAX_SUMMARY)
    kind: Literal["question", "complaint", "suggestion", "request", "transaction"] = "question"
    relationship: Literal["information", "consultation", "participation"] = "information"
    direction: Literal["inbound", "outbound"] = "inbound"
    agency: str | None = Field(default=None, max_length=40, description="Agency code")
    service: str | None = Field(default=None, max_length=60, description="Service code")
    occurred_at: EventTime | None = None
    duration_seconds: int | None = Field(default=None, ge=0, le=86400)


class InteractionIn(ContactIn):
    case_reference: str | None = Field(default=None, max_length=20)
    outcome: OutcomeCode | None = Field(default=None, description=OUTCOME_HELP)
    call_back_due: AwareDatetime | None = Field(
        default=None,
        description="With the outcome call_back: when the person is to be called back "
        "(default: within 24 hours). The call then waits in the console's call-back queue.",
    )
    call_back_phone: str | None = Field(
        default=None,
        max_length=40,
        description="With the outcome call_back: the number to call, if not the person's own.",
    )


class InteractionOut(Schema):
    id: UUID
    party_id: UUID
    channel: str = Field(alias="channel_id")
    channel_name: str = Field(alias="channel.name")
    agency: str = Field(alias="agency.code")
    agency_name: str = Field(alias="agency.name")
    direction: str
    relationship: str
    kind: str
    service: str | None = Field(default=None, alias="service.code")
    case_reference: str | None = Field(default=None, alias="case.reference")
    occurred_at: datetime
    duration_seconds: int | None
    summary: str
    outcome: OutcomeCode | None = Field(default=None, description=OUTCOME_HELP)
    call_back_due: datetime | None = Field(
        default=None, description="When the call is to be returned, if it waits for one."
    )
    call_back_returned_at: datetime | None = Field(
        default=None,
        alias="call_back_done_at",
        description="When the call was returned (null while it waits).",
    )

    @staticmethod
    def resolve_outcome(obj: Interaction) -> str | None:
        return obj.outcome or None


class InteractionPageOut(Schema):
    items: list[InteractionOut]
    next_cursor: str | None


class InteractionQuery(Schema):
    channel: str | None = None
    agency: str | None = None
    cursor: str | None = None
    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


@router.get(
    "/parties/{party_id}/interactions",
    response={200: InteractionPageOut, **PROBLEM_RESPONSES},
    summary="A party's interactions, newest first",
)
def list_interactions(
    request: HttpRequest, party_id: UUID, query: Query[InteractionQuery]
) -> object:
    page = interactions_of_party(
        actor=actor_of(request),
        party_id=party_id,
        channel=query.channel,
        agency=query.agency,
        cursor=query.cursor,
        limit=query.limit,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


class AttachmentOut(Schema):
    id: UUID
    interaction_id: UUID
    file_name: str
    content_type: str = Field(description="Detected from the content, not from the name")
    size: int
    sha256: str
    description: str = Field(description="Sanitised HTML: p, br, strong, em, ul, ol, li, a")
    uploaded_by: str = Field(alias="uploaded_by_label")
    created_at: datetime


@router.post(
    "/interactions/{interaction_id}/attachments",
    response={201: AttachmentOut, **PROBLEM_RESPONSES},
    summary="Attach a document to an interaction",
    description=(
        "Multipart upload. Accepted, by content (not by name): PDF, PNG, JPEG, UTF-8 plain "
        "text, OpenDocument text and Word documents, with a matching extension. Larger than "
        "VENTANILLA_MAX_UPLOAD_BYTES: 413; another kind of content: 415; a name that does not "
        "match the content: 422."
    ),
)
def add_attachment(
    request: HttpRequest,
    interaction_id: UUID,
    file: File[UploadedFile],
    description: Form[str] = "",
) -> Status[InteractionAttachment]:
    attachment = services.attachment_add(
        actor=actor_of(request),
        interaction_id=interaction_id,
        file_name=file.name or "",
        content=file,
        size=file.size or 0,
        description=description,
    )
    return Status(201, attachment)


_BINARY = {"schema": {"type": "string", "format": "binary"}}


@router.get(
    "/attachments/{attachment_id}",
    response=PROBLEM_RESPONSES,
    summary="Download an attached document",
    openapi_extra={
        "responses": {
            200: {
                "description": "The document, as an attachment, with its detected type",
                "content": {content_type: _BINARY for content_type in filetypes.ACCEPTED},
            }
        }
    },
)
def download_attachment(request: HttpRequest, attachment_id: UUID) -> FileResponse:
    attachment = attachment_for_download(actor=actor_of(request), attachment_id=attachment_id)
    content_type = attachment.content_type
    if content_type == filetypes.TEXT:
        content_type += "; charset=utf-8"  # the upload check accepted UTF-8 only
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.file_name,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Opened directly in a browser anyway, the document may run nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# -- Contacts in bulk, from another system ---------------------------------------------------

batch_router = Router(tags=["batch"])


class ContactBatchItemIn(ContactIn):
    external_id: str = Field(
        min_length=1,
        max_length=100,
        description="Your own key of this contact: sent again (in this call or a later one, "
        "for the same agency), it gives back the contact recorded the first time.",
    )
    outcome: (
        Literal["answered", "case_opened", "appointment", "transferred", "no_answer"] | None
    ) = Field(default=None, description="How the contact ended (a call to return: one at a time)")


class ContactBatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: list[ContactBatchItemIn] = Field(min_length=1, max_length=batch.MAX_ITEMS)


# The batch's answer: plain pydantic models too, built from dicts (see ContactIn).
class ItemErrorOut(BaseModel):
    field: str
    message: str


class ContactBatchItemOut(BaseModel):
    index: int = Field(description="The item's place in the call, from 0")
    external_id: str
    status: Literal["created", "existing", "failed"] = Field(
        description="created: recorded now; existing: its key was recorded before, that "
        "contact is given back; failed: nothing of it was written, see errors"
    )
    id: UUID | None = Field(default=None, description="The contact's id (created or existing)")
    errors: list[ItemErrorOut]


class ContactBatchOut(BaseModel):
    created: int
    existing: int
    failed: int
    items: list[ContactBatchItemOut]


@batch_router.post(
    "/contacts",
    response={200: ContactBatchOut, **PROBLEM_RESPONSES},
    summary="Record up to 1,000 contacts from another system",
    description=(
        "Each item is checked and recorded as `POST /interactions` records one, whole or not at "
        "all, with its own result; one item refused does not refuse the others. Idempotent by "
        "`external_id` per agency. A call that is not well formed (not JSON, an item missing a "
        "field or of the wrong type, more than 1,000 items) is refused whole as "
        "problem+json (422)."
    ),
)
def record_contacts(request: HttpRequest, payload: ContactBatchIn) -> dict[str, Any]:
    results = batch.interaction_record_many(
        actor=actor_of(request),
        items=[
            batch.ContactItem(
                external_id=item.external_id,
                party_id=item.party_id,
                channel=item.channel,
                summary=item.summary,
                kind=item.kind,
                relationship=item.relationship,
                direction=item.direction,
                agency_code=item.agency,
                service_code=item.service,
                occurred_at=item.occurred_at,
                duration_seconds=item.duration_seconds,
                outcome=item.outcome or "",
            )
            for item in payload.items
        ],
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
                "id": r.interaction_id,
                "errors": [{"field": f, "message": m} for f, m in r.errors.items()],
            }
            for r in results
        ],
    }
