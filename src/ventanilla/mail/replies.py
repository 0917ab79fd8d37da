"""The automatic answer to an email that opened no case: "received, your reference is …", in the
sender's language, written to the outbox. Never to a machine (the intake does not call it for
auto-replies, bounces, lists or our own messages), and at most a few a day to one address, so
that a responder which ignores RFC 3834 cannot keep a loop going with us."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone

from ventanilla.mail.models import InboundMessage
from ventanilla.notifications.models import NotificationEvent
from ventanilla.notifications.outbox import notify_person
from ventanilla.notifications.templates import PLACEHOLDERS
from ventanilla.parties.models import Party

logger = logging.getLogger("ventanilla.mail")

MAX_REPLIES_A_DAY = 5


def reply_received(*, party: Party, sender: str, reference: str) -> bool:
    """Write the acknowledgement (inside the caller's transaction); False when the address had
    its share of them today and this one is not sent."""
    since = timezone.now() - timedelta(days=1)
    answered = InboundMessage.objects.filter(sender=sender, replied_at__gte=since).count()
    if answered >= MAX_REPLIES_A_DAY:
        logger.info("No acknowledgement to %s: %d sent in a day", sender, answered)
        return False
    written = notify_person(
        party=party,
        event=NotificationEvent.MAIL_RECEIVED,
        values_for=lambda _language: {name: "" for name in PLACEHOLDERS} | {"reference": reference},
        about="email received",
    )
    return bool(written)
