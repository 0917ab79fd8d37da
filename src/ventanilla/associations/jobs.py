"""The nightly mining of services that follow each other: it runs at VENTANILLA_ASSOCIATION_HOUR
and schedules its own next run; `ventanilla worker` makes sure one instance is waiting."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from ventanilla.associations.services import associations_mine
from ventanilla.core.scheduling import task_waiting


def next_run_after(now: datetime | None = None) -> datetime:
    """The next time of day set by VENTANILLA_ASSOCIATION_HOUR, in the administration's zone."""
    local = timezone.localtime(now or timezone.now())
    at = local.replace(hour=settings.VENTANILLA_ASSOCIATION_HOUR, minute=0, second=0, microsecond=0)
    return at if at > local else at + timedelta(days=1)


@task()
def mine_associations() -> dict[str, Any]:
    run = associations_mine()
    schedule_associations(force=True)
    return {"run": run.number, "rules": run.rules, "seconds": round(run.seconds, 2)}


def schedule_associations(*, force: bool = False) -> bool:
    """Enqueue the next nightly run unless one is already waiting. Returns whether it enqueued.

    A run replaces the rules of the one before: it is safe to repeat."""
    if not force and task_waiting(mine_associations):
        return False
    mine_associations.using(run_after=next_run_after()).enqueue()
    return True
