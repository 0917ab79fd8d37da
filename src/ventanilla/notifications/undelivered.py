"""Watching the outbox of messages to citizens: whether it drains (the worker's periodic check,
which logs an error and mails the administrators), the messages given up that staff may read
and send again, and the sending again itself. Kept apart from ``outbox`` (writing) and
``sending`` because this is the operator's and the supervisor's side of the same table."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Membership, Role, Scope
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_record
from ventanilla.core.errors import NotFound
from ventanilla.notifications.models import Notification
from ventanilla.notifications.outbox import enqueue_sending

logger = logging.getLogger("ventanilla.notifications.undelivered")

# A failed message counts towards the alert for this long after it was given up.
FAILED_RECENTLY = timedelta(days=1)
ALERT_EVERY = timedelta(hours=1)
ALERT_CACHE_KEY = "ventanilla:outbox-alert"
LISTED = 200


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
        return self.waited > timedelta(minutes=settings.VENTANILLA_OUTBOX_ALERT_MINUTES)

    @property
    def failing(self) -> bool:
        return self.failed_recently >= max(settings.VENTANILLA_OUTBOX_ALERT_FAILED, 1)

    @property
    def alarming(self) -> bool:
        return self.stalled or self.failing

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


def _may_alert(now: datetime) -> bool:
    """At most one alert an hour by the worker's own clock. The cache keeps when the last one
    went (shared by every worker with Redis; a local cache holds it for its own process): add()
    makes the first claim atomic, later ones compare times. Two workers both past the hour may
    both mail; a repeated alert is harmless, a missing one is not. The cache's own expiry is
    not used for the hour, since it follows the cache server's clock, not the worker's."""
    stamp = now.timestamp()
    keep = int(ALERT_EVERY.total_seconds()) * 24
    if cache.add(ALERT_CACHE_KEY, stamp, timeout=keep):
        return True
    last = cache.get(ALERT_CACHE_KEY)
    if last is not None and stamp - float(last) < ALERT_EVERY.total_seconds():
        return False
    cache.set(ALERT_CACHE_KEY, stamp, timeout=keep)
    return True


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
    if not _may_alert(now or timezone.now()):
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


# -- Messages not delivered (supervisors and administrators) ----------------------------------


def _reachable(actor: Actor) -> Q:
    """The messages about cases of the actor's departments (every one for those who see all);
    administrators also see those about no case (a consent recorded in the person's name),
    which belong to no department's queue."""
    if actor.sees_everything:
        return Q()
    reachable = Q(case__department_id__in=list(actor.agency_ids))
    if Role.ADMINISTRATOR in actor.roles:
        reachable |= Q(case__isnull=True)
    return reachable


def notifications_failed(*, actor: Actor, limit: int = LISTED) -> list[Notification]:
    """The messages given up, newest first, of the actor's departments. Who they went to is
    personal data: the read is audited, naming what was shown."""
    require(actor, Scope.CASES_MANAGE)
    rows = list(
        Notification.objects.filter(_reachable(actor), status=Notification.Status.FAILED)
        .select_related("party", "case")
        .order_by("-updated_at", "-id")[:limit]
    )
    audit_record(
        actor=actor,
        action=Action.NOTIFICATION_LIST,
        object_type="notification",
        detail={"status": "failed", "shown": [str(row.pk) for row in rows]},
    )
    return rows


def _requeue(notification: Notification, now: datetime) -> None:
    notification.status = Notification.Status.QUEUED
    notification.attempts = 0
    notification.next_attempt_at = now
    notification.resent_at = now
    notification.save(
        update_fields=["status", "attempts", "next_attempt_at", "resent_at", "updated_at"]
    )


def notification_resend(*, actor: Actor, notification_id: Any) -> Notification:
    """Queue a message given up for sending again, with fresh days of retrying. The last error
    stays on it until a try succeeds."""
    require(actor, Scope.CASES_MANAGE)
    now = timezone.now()
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .filter(_reachable(actor), pk=notification_id, status=Notification.Status.FAILED)
            .first()
        )
        if notification is None:
            raise NotFound(_("No such message, or it is not waiting to be sent again."))
        attempts = notification.attempts
        _requeue(notification, now)
        audit_record(
            actor=actor,
            action=Action.NOTIFICATION_RESEND,
            party_id=notification.party_id,
            object_type="notification",
            object_id=notification.pk,
            detail={
                "event": notification.event,
                "medium": notification.medium,
                "attempts_before": attempts,
            },
        )
        transaction.on_commit(enqueue_sending)
    return notification


def notifications_resend_failed(*, actor: Actor, since: date | None = None) -> int:
    """Send again every message given up (written on or after ``since``): the operator's way
    after a long outage. One audit entry per message, as from the console."""
    require(actor, Scope.CASES_MANAGE)
    failed = Notification.objects.filter(_reachable(actor), status=Notification.Status.FAILED)
    if since is not None:
        failed = failed.filter(created_at__date__gte=since)
    count = 0
    for notification_id in failed.order_by("created_at").values_list("pk", flat=True):
        try:
            notification_resend(actor=actor, notification_id=notification_id)
        except NotFound:
            continue  # sent again by someone else meanwhile
        count += 1
    return count
