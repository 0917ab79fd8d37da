"""The door a mail gateway (or a fax-to-mail service) delivers citizens' email through: one raw
RFC 5322 message per call, with an API key holding ``mail:receive``."""

from __future__ import annotations

import hashlib
from typing import Any
from uuid import UUID

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from ventanilla.access.actors import actor_of
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.core.errors import PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from ventanilla.core.problems import PROBLEM_RESPONSES
from ventanilla.mail.models import InboundMessage
from ventanilla.mail.services import mail_receive

router = Router(tags=["mail"])

RAW_MESSAGE = "message/rfc822"


def max_message_bytes() -> int:
    # A message carries its files in base64 (a third larger), and may carry several.
    return int(settings.VENTANILLA_MAX_UPLOAD_BYTES * 3)


class MessageReceivedOut(Schema):
    id: UUID
    state: str = Field(
        description="recorded, needs_person (kept for a person: unreadable, a new message "
        "waiting for triage, a refused file) or automatic (an auto-reply, bounce, list or our "
        "own message: kept, not answered)"
    )
    reference: str | None = Field(
        description="The case the message went to, if any (else null)", default=None
    )
    duplicate: bool = Field(description="The same bytes were delivered before")


@router.post(
    "/messages",
    response={201: MessageReceivedOut, 200: MessageReceivedOut, **PROBLEM_RESPONSES},
    summary="Deliver one citizen's email (mail gateway)",
    description=(
        "The body is the raw RFC 5322 message, `Content-Type: message/rfc822`, at most three "
        "times VENTANILLA_MAX_UPLOAD_BYTES. Needs an API key with the scope `mail:receive`. "
        "201: stored and handled; 200: these bytes were delivered before (nothing new is "
        "recorded), so a gateway may retry safely until it gets a 2xx. A message that cannot be "
        "read is still stored (201, state needs_person)."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {RAW_MESSAGE: {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
def deliver_message(request: HttpRequest) -> Status[dict[str, Any]]:
    actor = actor_of(request)
    require(actor, Scope.MAIL_RECEIVE)
    if request.content_type != RAW_MESSAGE:
        raise UnsupportedMediaType(_("Send the raw message as message/rfc822."), field="body")
    limit = max_message_bytes()
    raw = request.read(limit + 1)
    if len(raw) > limit:
        raise PayloadTooLarge(_("Send at most %d bytes.") % limit, field="body")
    if not raw.strip():
        raise ValidationFailed({"body": _("The message is empty.")})
    before = InboundMessage.objects.filter(sha256=_digest(raw)).exists()
    message = mail_receive(raw=raw, source=InboundMessage.Source.GATEWAY, delivered_by=actor.label)
    body = {
        "id": message.pk,
        "state": message.state,
        "reference": message.case.reference if message.case else None,
        "duplicate": before,
    }
    return Status(200 if before else 201, body)


def _digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()
