"""Background work of the outbox: sending what it holds (and coming back for retries), and the
check every quarter of an hour that it drains; `ventanilla worker` makes sure both exist."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django_tasks import task

from ventanilla.core.scheduling import task_waiting
from ventanilla.notifications.sending import next_attempt_due, notifications_send
from ventanilla.notifications.undelivered import outbox_check


@task()
def send_notifications() -> dict[str, int]:
    """Send what the outbox holds; while messages wait for a retry, come back when the first is
    due (the outbox check catches up should this scheduled run be lost)."""
    report = notifications_send()
    due = next_attempt_due()
    if due is not None and not task_waiting(send_notifications):
        send_notifications.using(run_after=max(due, timezone.now())).enqueue()
    return report.as_dict()


def catch_up_notifications() -> bool:
    """Queue a sending run when the outbox holds messages and no run will come for them (a task
    may have been lost): one due now for messages due now, one at all for later retries."""
    due = next_attempt_due()
    if due is None:
        return False
    due_now = due <= timezone.now()
    if task_waiting(send_notifications, due_now=due_now):
        return False
    if due_now:
        send_notifications.enqueue()
    else:
        send_notifications.using(run_after=due).enqueue()
    return True


OUTBOX_CHECK_EVERY = timedelta(minutes=15)


@task()
def check_outbox() -> dict[str, Any]:
    """Raise the alarm when the outbox does not drain, and queue a sending run should the one
    that was scheduled have been lost; then come back in a quarter of an hour."""
    health = outbox_check()
    catch_up_notifications()
    schedule_outbox_check(force=True)
    return {
        "queued": health.queued,
        "oldest_minutes": health.waited_minutes,
        "failed_recently": health.failed_recently,
        "alarming": health.alarming,
    }


def schedule_outbox_check(*, force: bool = False) -> bool:
    """Enqueue the next outbox check unless one is already waiting. Returns whether it did."""
    if not force and task_waiting(check_outbox):
        return False
    check_outbox.using(run_after=timezone.now() + OUTBOX_CHECK_EVERY).enqueue()
    return True
