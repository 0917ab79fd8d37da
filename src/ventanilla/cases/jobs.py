"""Background work of cases: sending the outbox of notifications, the outbox check every quarter
of an hour, and the daily deadline sweep; the periodic ones schedule their own next run (as
retention does) and `ventanilla worker` makes sure each exists."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from ventanilla.cases.deadlines import deadline_sweep
from ventanilla.cases.notifications import (
    next_attempt_due,
    notifications_send,
)
from ventanilla.cases.outbox import outbox_check
from ventanilla.core.maintenance import refresh_statistics
from ventanilla.core.scheduling import task_waiting


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


def next_deadline_run_after(now: datetime | None = None) -> datetime:
    """The next time of day set by VENTANILLA_DEADLINE_HOUR, in the administration's zone."""
    local = timezone.localtime(now or timezone.now())
    at = local.replace(hour=settings.VENTANILLA_DEADLINE_HOUR, minute=0, second=0, microsecond=0)
    return at if at > local else at + timedelta(days=1)


@task()
def apply_deadlines() -> dict[str, Any]:
    """The nightly run: warn and escalate, then refresh the planner's statistics (the day's
    cases change the queues' tables the most)."""
    report = deadline_sweep()
    analysed = refresh_statistics()
    schedule_deadlines(force=True)
    return {**report.as_dict(), "statistics_s": round(analysed, 2)}


def schedule_deadlines(*, force: bool = False) -> bool:
    """Enqueue the next daily sweep unless one is already waiting. Returns whether it enqueued.

    Two workers starting at once may both enqueue; the sweep is safe to run twice."""
    if not force and task_waiting(apply_deadlines):
        return False
    apply_deadlines.using(run_after=next_deadline_run_after()).enqueue()
    return True
