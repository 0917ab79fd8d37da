"""Watching the outbox of messages to citizens: whether it drains (the worker's periodic check,
which logs an error and mails the administrators). Kept apart from ``notifications`` (writing
and sending) because this is the operator's side of the same table."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ventanilla.access.models import Membership, Role
from ventanilla.cases.models import Notification

logger = logging.getLogger("ventanilla.cases.outbox")

# A failed message counts towards the alert for this long after it was given up.
FAILED_RECENTLY = timedelta(days=1)
ALERT_EVERY = timedelta(hours=1)
ALERT_CACHE_KEY = "ventanilla:outbox-alert"


@dataclass(frozen=True)
class OutboxHealth:
    queued: int
    oldest_queued_at: datetime | None
    failed_recently: int
    now: datetime

    @property
    def waited(self) -> timedelta:
        """How long the oldest queued message has waited."""
        if self.oldest_queued_at is None:
            return timedelta(0)
        return max(self.now - self.oldest_queued_at, timedelta(0))

    @property
    def stalled(self) -> bool:
        return self.waited > timedelta(minutes=settings.OUTBOX_ALERT_MINUTES)

    @property
    def failing(self) -> bool:
        return self.failed_recently >= max(settings.OUTBOX_ALERT_FAILED, 1)

    @property
    def alarming(self) -> bool:
        return self.stalled or self.failing

    @property
    def waited_hours(self) -> int:
        return int(self.waited.total_seconds() // 3600)

    @property
    def waited_minutes(self) -> int:
        return int(self.waited.total_seconds() // 60)


def outbox_health(*, now: datetime | None = None) -> OutboxHealth:
    """Counts only, no personal data: three queries on the outbox's indexes."""
    now = now or timezone.now()
    queued = Notification.objects.filter(status=Notification.Status.QUEUED)
    oldest = queued.order_by("created_at").values_list("created_at", flat=True).first()
    failed = Notification.objects.filter(
        status=Notification.Status.FAILED, updated_at__gte=now - FAILED_RECENTLY
    ).count()
    return OutboxHealth(
        queued=queued.count(), oldest_queued_at=oldest, failed_recently=failed, now=now
    )


def _administrator_emails() -> list[str]:
    found = set(
        Membership.objects.filter(role=Role.ADMINISTRATOR, user__is_active=True)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    found |= {email for _name, email in getattr(settings, "ADMINS", [])}
    return sorted(found)


def _alert_text(health: OutboxHealth) -> tuple[str, str]:
    subject = _("Messages to citizens are not being delivered")
    lines = [
        _("%(queued)d messages to citizens are waiting; the oldest has waited %(minutes)d minutes.")
        % {"queued": health.queued, "minutes": health.waited_minutes},
        _("%(failed)d messages were given up in the last day.")
        % {"failed": health.failed_recently},
        "",
        _(
            "Check the mail server, the SMS gateway and that the worker is running. Messages "
            "given up can be sent again from the console, under Messages not delivered."
        ),
    ]
    return subject, "\n".join(lines)


def outbox_check(*, now: datetime | None = None) -> OutboxHealth:
    """The worker's periodic look at the outbox: when it does not drain, log an error every
    time and mail the administrators at most once an hour (a mail server that is down may not
    carry this mail either; the log does not depend on it)."""
    health = outbox_health(now=now)
    if not health.alarming:
        return health
    logger.error(
        "The outbox is not draining: %d queued, the oldest for %d minutes; %d given up in the "
        "last day",
        health.queued,
        health.waited_minutes,
        health.failed_recently,
    )
    # add() writes only when the key is absent: one alert an hour, even with two workers
    # sharing a cache (Redis); a local cache holds it for its own process.
    if not cache.add(ALERT_CACHE_KEY, 1, timeout=int(ALERT_EVERY.total_seconds())):
        return health
    recipients = _administrator_emails()
    if not recipients:
        logger.error("No administrator has an email address: the outbox alert was not mailed")
        return health
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = _alert_text(health)
    try:
        send_mail(subject, body, None, recipients, fail_silently=False)
    except Exception as error:  # any mail backend may raise anything; the log above stands
        logger.error("The outbox alert could not be mailed: %s: %s", type(error).__name__, error)
    return health
