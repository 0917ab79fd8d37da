"""Sending the outbox: ``notifications_send`` (run by the worker) sends what is due, retrying with a
growing pause when the mail server or SMS gateway fails: minutes at first, then every few hours,
for VENTANILLA_NOTIFICATION_GIVE_UP_DAYS days (the schedule of ``core.retrying``, about 45
tries in 7 days). Whatever the backend raises is one failed try,
recorded on the message; nothing is left queued unaccounted."""

from __future__ import annotations

import contextlib
import logging
import smtplib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.message import make_msgid
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from ventanilla.access.actors import Actor
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_record
from ventanilla.core.retrying import next_retry_in
from ventanilla.core.sms import SmsError, send_sms
from ventanilla.notifications.models import Medium, Notification

logger = logging.getLogger("ventanilla.notifications.sending")

# A message being sent is put this far ahead, so a second sending run (SQLite has no row locks
# to skip) leaves it alone, and one whose run died mid-way is tried again after it.
CLAIM_FOR = timedelta(minutes=10)


BATCH = 50


SYSTEM = Actor(label="system:notifications", sees_everything=True)


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"sent": self.sent, "retrying": self.retrying, "failed": self.failed}


def _due(now: datetime) -> Q:
    """Queued rows whose time has come: new ones, and those whose pause after a failure is over
    (served by the index on status and next_attempt_at)."""
    return Q(status=Notification.Status.QUEUED, next_attempt_at__lte=now)


def give_up_at(notification: Notification) -> datetime:
    """When retrying stops: the give-up age after the message was written, or sent again."""
    start = notification.resent_at or notification.created_at
    return start + timedelta(days=settings.VENTANILLA_NOTIFICATION_GIVE_UP_DAYS)


def failure_of(error: BaseException) -> str:
    """What kind of failure ``error`` is, in the words the console shows."""
    failure = Notification.Failure
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return failure.RECIPIENT_REFUSED
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return failure.LOGIN_REFUSED
    if isinstance(error, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return failure.UNREACHABLE
    if isinstance(error, smtplib.SMTPException):
        return failure.REFUSED
    if isinstance(error, OSError | SmsError):
        return failure.UNREACHABLE
    return failure.SOFTWARE


def _deliver(notification: Notification) -> None:
    if notification.medium == Medium.SMS:
        send_sms(notification.recipient, notification.body)
    else:
        EmailMessage(
            notification.subject,
            notification.body,
            None,
            [notification.recipient],
            headers={**(notification.headers or {}), **automatic_headers(str(notification.pk))},
        ).send(fail_silently=False)


# Marks every message Ventanilla sends carries (RFC 3834): an automatic message, which other
# responders must not answer, and which the mail intake recognises as its own and never answers.
OUR_HEADER = "X-Ventanilla-Notification"


def automatic_headers(notification_id: str) -> dict[str, str]:
    return {
        "Auto-Submitted": "auto-generated",
        "X-Auto-Response-Suppress": "All",
        OUR_HEADER: notification_id,
        "Message-ID": make_msgid(domain=settings.VENTANILLA_MAIL_DOMAIN),
    }


@contextlib.contextmanager
def _claimed_batch(now: datetime) -> Iterator[list[Notification]]:
    """The next batch of due rows. On PostgreSQL the rows stay locked (and are skipped by other
    workers) until the batch is done, so two workers never send the same message. SQLite has
    one writer at a time; the rows are taken without holding the database during sending."""
    rows = Notification.objects.filter(_due(now)).order_by("created_at")
    if connection.vendor == "postgresql":
        with transaction.atomic():
            yield list(rows.select_for_update(skip_locked=True)[:BATCH])
    else:
        yield list(rows[:BATCH])


def notifications_send(*, now: datetime | None = None) -> SendReport:
    """Send every queued message that is due. A failure counts an attempt, records the error and
    sets the next try; once the message reaches its give-up age it is marked failed, for staff
    to send again."""
    report = SendReport()
    seen: set[Any] = set()
    while True:
        now = now or timezone.now()
        with _claimed_batch(now) as batch:
            batch = [row for row in batch if row.pk not in seen]
            if not batch:
                break
            for notification in batch:
                seen.add(notification.pk)
                if _claim(notification, now):
                    _send_one(notification, report, now)
    return report


def _claim(notification: Notification, now: datetime) -> bool:
    """Take the message for this run, unless another run took it since it was read."""
    taken = Notification.objects.filter(
        pk=notification.pk,
        status=Notification.Status.QUEUED,
        next_attempt_at=notification.next_attempt_at,
    ).update(next_attempt_at=now + CLAIM_FOR)
    return taken == 1


def _send_one(notification: Notification, report: SendReport, now: datetime) -> None:
    notification.attempts += 1
    try:
        _deliver(notification)
    except Exception as error:
        # The mail backend and the SMS gateway are the operator's choice and may raise anything;
        # whatever it is, it is this message's failed try, recorded, never a row left behind.
        _failed(notification, error, report, now)
        return
    notification.status = Notification.Status.SENT
    notification.sent_at = timezone.now()
    notification.last_error = ""
    notification.failure = ""
    with transaction.atomic():
        notification.save(
            update_fields=["attempts", "last_error", "failure", "status", "sent_at", "updated_at"]
        )
        audit_record(
            actor=SYSTEM,
            action=Action.CASE_NOTIFY,
            party_id=notification.party_id,
            object_type="notification",
            object_id=notification.pk,
            detail={"event": notification.event, "medium": notification.medium},
        )
    report.sent += 1


def _failed(
    notification: Notification, error: Exception, report: SendReport, now: datetime
) -> None:
    notification.failure = failure_of(error)
    notification.last_error = f"{type(error).__name__}: {error}"[:500]
    last_try = give_up_at(notification)
    if now >= last_try:
        notification.status = Notification.Status.FAILED
        report.failed += 1
        logger.error(
            "Gave up on notification %s after %d attempts: %s",
            notification.pk,
            notification.attempts,
            notification.last_error,
        )
    else:
        # The last try falls on the give-up moment itself, not a pause after it.
        notification.next_attempt_at = min(now + next_retry_in(notification.attempts), last_try)
        report.retrying += 1
        logger.warning(
            "Notification %s not sent (attempt %d), next try at %s: %s",
            notification.pk,
            notification.attempts,
            notification.next_attempt_at.isoformat(),
            notification.last_error,
        )
    notification.save(
        update_fields=[
            "attempts",
            "failure",
            "last_error",
            "status",
            "next_attempt_at",
            "updated_at",
        ]
    )


def next_attempt_due() -> datetime | None:
    """When the earliest queued message is due (None when nothing is queued)."""
    return (
        Notification.objects.filter(status=Notification.Status.QUEUED)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
