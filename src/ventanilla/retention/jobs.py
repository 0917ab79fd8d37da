"""The daily retention task. It schedules its own next run, so one enqueued instance keeps the
rules applied every day; `ventanilla worker` makes sure that instance exists."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from ventanilla.core.scheduling import task_waiting
from ventanilla.retention.services import retention_apply


def next_run_after(now: datetime | None = None) -> datetime:
    """The next time of day set by VENTANILLA_RETENTION_HOUR, in the administration's zone."""
    local = timezone.localtime(now or timezone.now())
    at = local.replace(hour=settings.VENTANILLA_RETENTION_HOUR, minute=0, second=0, microsecond=0)
    return at if at > local else at + timedelta(days=1)


@task()
def apply_retention_rules() -> dict[str, Any]:
    run = retention_apply(dry_run=False)
    schedule_retention(force=True)
    return {"run": str(run.pk), "rows": run.rows_done}


@task()
def run_retention(*, dry_run: bool, triggered_by: str) -> dict[str, Any]:
    """A run asked for from the console; its progress shows on the retention page."""
    run = retention_apply(dry_run=dry_run, triggered_by=triggered_by)
    return {"run": str(run.pk), "rows": run.rows_done}


def schedule_retention(*, force: bool = False) -> bool:
    """Enqueue the next daily run unless one is already waiting. Returns whether it enqueued.

    Two workers starting at once may both enqueue; the task is safe to run twice."""
    if not force and task_waiting(apply_retention_rules):
        return False
    apply_retention_rules.using(run_after=next_run_after()).enqueue()
    return True
