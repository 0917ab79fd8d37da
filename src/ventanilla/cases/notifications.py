"""What the citizen is told about their case. ``notify_case`` writes the messages to the outbox
(Notification) inside the transaction of the change that causes them, and queues the sending
task once that transaction commits; ``notifications_send`` (run by the worker) sends what is
queued, retrying with a growing pause when the mail server or SMS gateway fails: minutes at
first, then every few hours, for VENTANILLA_NOTIFICATION_GIVE_UP_DAYS days. Whatever the
backend raises is one failed try, recorded on the message; nothing is left queued unaccounted."""

from __future__ import annotations

import contextlib
import importlib
import logging
import re
import smtplib
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import phonenumbers
from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_record
from ventanilla.cases.models import (
    Case,
    CaseStatus,
    Medium,
    Notification,
    NotificationEvent,
    NotificationTemplate,
)
from ventanilla.core.errors import NotFound, ValidationFailed
from ventanilla.core.sms import SmsError, send_sms
from ventanilla.parties.models import ContactPoint, Party

logger = logging.getLogger("ventanilla.cases.notifications")

LANGUAGES = ("es", "en")
FALLBACK_LANGUAGE = "es"
# The pause before the next try, after 1, 2, 3 and 4 failed attempts; after that, RETRY_EVERY
# until the message is VENTANILLA_NOTIFICATION_GIVE_UP_DAYS old (about 45 tries in 7 days).
RETRY_AFTER = {
    1: timedelta(minutes=1),
    2: timedelta(minutes=5),
    3: timedelta(minutes=30),
    4: timedelta(hours=2),
}
RETRY_EVERY = timedelta(hours=4)
# A message being sent is put this far ahead, so a second sending run (SQLite has no row locks
# to skip) leaves it alone, and one whose run died mid-way is tried again after it.
CLAIM_FOR = timedelta(minutes=10)
BATCH = 50
SYSTEM = Actor(label="system:notifications", sees_everything=True)

# ``{name}`` is filled in, ``{{`` and ``}}`` are literal braces; anything else between braces
# ({0}, {reference.__class__}, {text!r}) is not a placeholder and is left as written. Templates
# are edited by staff, so they must never reach attributes or indexes of the values.
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")


def render(template: str, values: Mapping[str, str]) -> str:
    """Fill ``{name}`` placeholders from ``values``; unknown ones stay visible, nothing raises."""

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        name = match.group(1)
        return str(values[name]) if name in values else token

    return _PLACEHOLDER.sub(replace, template)


def case_link(reference: str, *, satisfaction: bool = False) -> str:
    """The portal page of a case (or of its satisfaction question) for the citizen."""
    base = settings.VENTANILLA_PUBLIC_URL.rstrip("/")
    suffix = "satisfaction/" if satisfaction else ""
    return f"{base}/portal/me/cases/{reference}/{suffix}"


def _language(party: Party) -> str:
    language = (party.preferred_language or "").split("-")[0].lower()
    return language if language in LANGUAGES else FALLBACK_LANGUAGE


def _is_mobile(e164: str) -> bool:
    try:
        number = phonenumbers.parse(e164, "ES")
    except phonenumbers.NumberParseException:
        return False
    kind = phonenumbers.number_type(number)
    return kind in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


def _addresses(party_ids: list[Any], today: date) -> dict[Any, dict[str, str]]:
    """Each party's email and mobile number (preferred first), in one query."""
    found: dict[Any, dict[str, str]] = {}
    points = (
        ContactPoint.objects.filter(
            party_id__in=party_ids, kind__in=[ContactPoint.Kind.EMAIL, ContactPoint.Kind.PHONE]
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .order_by("-preferred", "created_at")
        .values_list("party_id", "kind", "normalized")
    )
    for party_id, kind, value in points:
        mine = found.setdefault(party_id, {})
        if kind == ContactPoint.Kind.EMAIL:
            mine.setdefault(Medium.EMAIL, value)
        elif _is_mobile(value):
            mine.setdefault(Medium.SMS, value)
    return found


def _values(
    case: Case, reporter_case: Case, event: str, text: str, language: str
) -> dict[str, str]:
    with translation.override(language):
        return {
            # A reporter of a duplicate knows their own reference; the news is the main case's.
            "reference": reporter_case.reference,
            "service": case.service.name,
            "status": str(CaseStatus(case.status).label),
            "text": text,
            "due_date": formats.date_format(case.due_date, "SHORT_DATE_FORMAT"),
            "link": case_link(
                reporter_case.reference, satisfaction=event == NotificationEvent.CLOSED
            ),
        }


TEMPLATES_TTL = 30.0
_template_cache: dict[str, tuple[float, dict[tuple[str, str], NotificationTemplate]]] = {}


def _templates(event: str) -> dict[tuple[str, str], NotificationTemplate]:
    """The active templates of ``event`` by (language, medium); each process keeps them for
    ``TEMPLATES_TTL`` seconds (and forgets them at once when it saves one)."""
    cached = _template_cache.get(event)
    if cached is not None and time.monotonic() - cached[0] < TEMPLATES_TTL:
        return cached[1]
    templates = {
        (t.language, t.medium): t
        for t in NotificationTemplate.objects.filter(event=event, active=True)
    }
    _template_cache[event] = (time.monotonic(), templates)
    return templates


@receiver(post_save, sender=NotificationTemplate)
@receiver(post_delete, sender=NotificationTemplate)
def forget_templates(**_kwargs: object) -> None:
    _template_cache.clear()


def notify_case(*, case: Case, event: str, text: str = "") -> list[Notification]:
    """Write the messages about ``case`` for its party and for the reporters of its duplicates,
    in each one's language, by email and (where a template exists) SMS to their mobile. Call it
    inside the transaction of the change; sending is queued for when that commits.

    A missing template or address is logged and skipped: the change itself must not fail."""
    if event not in NotificationEvent.values:
        raise ValueError(f"Unknown notification event {event!r}")
    reporters: list[Case] = [case]
    if event != NotificationEvent.OPENED:  # a case just opened has no duplicates yet
        reporters += list(
            Case.objects.filter(duplicate_of=case).exclude(pk=case.pk).select_related("party")
        )
    templates = _templates(event)
    addresses = _addresses([c.party_id for c in reporters], timezone.localdate())
    rows: list[Notification] = []
    told: set[tuple[Any, str, str]] = set()
    for reporter_case in reporters:
        party = reporter_case.party
        language = _language(party)
        for medium, recipient in addresses.get(party.pk, {}).items():
            if (party.pk, medium, recipient) in told:
                continue  # the same person reported twice: one message is enough
            template = templates.get((language, medium)) or templates.get(
                (FALLBACK_LANGUAGE, medium)
            )
            if template is None:
                logger.info("No %s template for %s (%s): not sent", medium, event, language)
                continue
            values = _values(case, reporter_case, event, text, template.language)
            told.add((party.pk, medium, recipient))
            rows.append(
                Notification(
                    party=party,
                    case=reporter_case,
                    event=event,
                    medium=medium,
                    recipient=recipient[:254],
                    language=template.language,
                    subject=render(template.subject, values)[:200],
                    body=render(template.body, values)[:8000],
                )
            )
        if party.pk not in addresses:
            logger.info("Party %s has no email or mobile: case %s not notified", party.pk, case)
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    transaction.on_commit(enqueue_sending)
    return created


def my_data_link() -> str:
    """The portal page where the person sees and withdraws their consents."""
    return f"{settings.VENTANILLA_PUBLIC_URL.rstrip('/')}/portal/me/"


def notify_party(*, party_id: Any, event: str, text: str) -> list[Notification]:
    """Write the messages about something done in the person's name that is not a case (a
    consent recorded or withdrawn), by email and SMS, in their language; inside the
    transaction of the change, like ``notify_case``."""
    if event not in NotificationEvent.values:
        raise ValueError(f"Unknown notification event {event!r}")
    party = Party.objects.get(pk=party_id)
    language = _language(party)
    templates = _templates(event)
    rows: list[Notification] = []
    for medium, recipient in _addresses([party.pk], timezone.localdate()).get(party.pk, {}).items():
        template = templates.get((language, medium)) or templates.get((FALLBACK_LANGUAGE, medium))
        if template is None:
            logger.info("No %s template for %s (%s): not sent", medium, event, language)
            continue
        values = {name: "" for name in PLACEHOLDERS} | {"text": text, "link": my_data_link()}
        rows.append(
            Notification(
                party=party,
                event=event,
                medium=medium,
                recipient=recipient[:254],
                language=template.language,
                subject=render(template.subject, values)[:200],
                body=render(template.body, values)[:8000],
            )
        )
    if not rows:
        logger.info("Party %s has no email or mobile: %s not notified", party.pk, event)
        return []
    created = Notification.objects.bulk_create(rows)
    transaction.on_commit(enqueue_sending)
    return created


DEFAULT_TEMPLATE_MIGRATIONS = ("0003_default_notification_templates", "0008_consent_messages")


def templates_ensure() -> int:
    """Create any default message template that is missing (after a flush, say), leaving the
    ones staff have edited alone; the defaults are those of migrations 0003 and 0008. Returns
    how many were created."""
    rows = [
        row
        for name in DEFAULT_TEMPLATE_MIGRATIONS
        for row in importlib.import_module(f"ventanilla.cases.migrations.{name}").rows()
    ]
    created = 0
    for row in rows:
        _template, made = NotificationTemplate.objects.get_or_create(
            event=row["event"],
            language=row["language"],
            medium=row["medium"],
            defaults={"subject": row["subject"], "body": row["body"]},
        )
        created += int(made)
    return created


def enqueue_sending() -> None:
    """Queue a sending run unless one is already waiting to start: that one will send this
    message too (it reads every queued message when it starts), and a busy counter opening
    hundreds of cases a minute does not fill the queue with runs."""
    from ventanilla.cases.jobs import send_notifications
    from ventanilla.core.scheduling import task_waiting

    if not task_waiting(send_notifications, due_now=True):
        send_notifications.enqueue()


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


def next_retry_in(attempts: int) -> timedelta:
    return RETRY_AFTER.get(attempts, RETRY_EVERY)


def give_up_at(notification: Notification) -> datetime:
    """When retrying stops: the give-up age after the message was written, or sent again."""
    start = notification.resent_at or notification.created_at
    return start + timedelta(days=settings.NOTIFICATION_GIVE_UP_DAYS)


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
        send_mail(
            notification.subject,
            notification.body,
            None,
            [notification.recipient],
            fail_silently=False,
        )


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


# -- Editing the templates (supervisors and administrators) -----------------------------------

PLACEHOLDERS = ("reference", "service", "status", "text", "due_date", "link")
MAX_SMS = 320


def templates_list(*, actor: Actor) -> list[NotificationTemplate]:
    require(actor, Scope.CATALOG_MANAGE)
    return list(NotificationTemplate.objects.order_by("event", "language", "medium"))


def template_update(
    *, actor: Actor, template_id: Any, subject: str, body: str, active: bool
) -> NotificationTemplate:
    """Change what citizens are told at one moment. Only the known placeholders may be used, so
    a typo shows here rather than as ``{refrence}`` in a citizen's inbox."""
    require(actor, Scope.CATALOG_MANAGE)
    template = NotificationTemplate.objects.filter(pk=template_id).first()
    if template is None:
        raise NotFound(_("No such message."))
    subject, body = subject.strip(), body.strip()
    errors: dict[str, str] = {}
    for field, text in (("subject", subject), ("body", body)):
        unknown = sorted(
            {m.group(1) for m in _PLACEHOLDER.finditer(text) if m.group(1)} - set(PLACEHOLDERS)
        )
        if unknown:
            errors[field] = _("Unknown placeholder: %(names)s. Use %(known)s.") % {
                "names": ", ".join(f"{{{name}}}" for name in unknown),
                "known": ", ".join(f"{{{name}}}" for name in PLACEHOLDERS),
            }
    if not body:
        errors["body"] = _("Write the message.")
    elif template.medium == Medium.SMS and len(body) > MAX_SMS:
        errors["body"] = _("An SMS holds at most %d characters.") % MAX_SMS
    elif len(body) > 4000:
        errors["body"] = _("Write at most %d characters.") % 4000
    if template.medium == Medium.EMAIL and not subject:
        errors["subject"] = _("An email needs a subject.")
    if len(subject) > 200:
        errors["subject"] = _("Write at most %d characters.") % 200
    if errors:
        raise ValidationFailed(errors)
    template.subject, template.body, template.active = subject, body, active
    template.save(update_fields=["subject", "body", "active", "updated_at"])
    logger.info("%s changed the %s message %s", actor.label, template.medium, template)
    return template


def template_preview(template: NotificationTemplate, subject: str, body: str) -> dict[str, str]:
    """The message as a citizen would read it, with example values."""
    values = {
        "reference": f"{settings.VENTANILLA_CASE_PREFIX}-2026-000123",
        "service": _("Certificate of residence"),
        "status": _("Resolved"),
        "text": _("The certificate is ready to download."),
        "due_date": formats.date_format(timezone.localdate(), "SHORT_DATE_FORMAT"),
        "link": case_link(f"{settings.VENTANILLA_CASE_PREFIX}-2026-000123"),
    }
    with translation.override(template.language):
        return {"subject": render(subject, values), "body": render(body, values)}
