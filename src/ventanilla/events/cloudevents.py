"""An event as the receiver gets it: CloudEvents 1.0 in structured JSON mode, and the signature
over its exact bytes (HMAC-SHA256 with the subscription's secret), which the receiver checks
before trusting anything in it (see docs/events.md)."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from django.conf import settings

from ventanilla.events.models import Event

CONTENT_TYPE = "application/cloudevents+json"
# Several events in one request, in order (the CloudEvents HTTP binding's batched mode).
BATCH_CONTENT_TYPE = "application/cloudevents-batch+json"
SIGNATURE_HEADER = "X-Ventanilla-Signature"


def source() -> str:
    return settings.VENTANILLA_EVENTS_SOURCE or settings.VENTANILLA_PUBLIC_URL.rstrip("/")


def envelope(event: Event, *, personal: bool) -> dict[str, Any]:
    """The CloudEvent; the personal fields (names, texts) only when ``personal``."""
    data = dict(event.data)
    if personal and event.personal:
        data.update(event.personal)
    return {
        "specversion": "1.0",
        "id": str(event.event_id),
        "source": source(),
        "type": event.type,
        "subject": event.subject,
        "time": event.time.isoformat().replace("+00:00", "Z"),
        "datacontenttype": "application/json",
        # The CloudEvents "sequence" extension: the order events were written in.
        "sequence": str(event.seq),
        "data": data,
    }


def body_of(event: Event, *, personal: bool) -> bytes:
    return json.dumps(
        envelope(event, personal=personal), ensure_ascii=False, separators=(",", ":")
    ).encode()


def batch_body_of(events: list[Event], *, personal: bool) -> bytes:
    return json.dumps(
        [envelope(event, personal=personal) for event in events],
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()


def signature(secret: str, body: bytes) -> str:
    """The value of the signature header: ``sha256=`` and the hex HMAC of the body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_valid(secret: str, body: bytes, header: str) -> bool:
    """What a receiver does (in constant time); used by the tests as a receiver would."""
    return hmac.compare_digest(signature(secret, body), header.strip())
