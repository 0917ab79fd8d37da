"""Background work of cases: the daily deadline sweep, which schedules its own next run (as
retention does); `ventanilla worker` makes sure it exists. Sending messages is in
``notifications.jobs``."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from ventanilla.cases.deadlines import deadline_sweep
from ventanilla.core.maintenance import refresh_statistics
from ventanilla.core.scheduling import task_waiting


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
