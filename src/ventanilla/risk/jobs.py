"""The nightly training of the deadline-risk tree: it runs at VENTANILLA_DEADLINE_RISK_HOUR and
schedules its own next run; `ventanilla worker` makes sure one instance is waiting."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from ventanilla.core.scheduling import task_waiting
from ventanilla.risk.services import NotEnoughCases, risk_train


def next_run_after(now: datetime | None = None) -> datetime:
    """The next time of day set by VENTANILLA_DEADLINE_RISK_HOUR, in the administration's zone."""
    local = timezone.localtime(now or timezone.now())
    at = local.replace(
        hour=settings.VENTANILLA_DEADLINE_RISK_HOUR, minute=0, second=0, microsecond=0
    )
    return at if at > local else at + timedelta(days=1)


@task()
def train_deadline_risk() -> dict[str, Any]:
    try:
        model = risk_train()
        result: dict[str, Any] = {"version": model.version, "seconds": round(model.seconds, 2)}
    except NotEnoughCases as few:
        result = {"skipped": str(few)}
    schedule_deadline_risk(force=True)
    return result


def schedule_deadline_risk(*, force: bool = False) -> bool:
    """Enqueue the next nightly training unless one is already waiting. Returns whether it
    enqueued. A training adds a version and replaces the scores: it is safe to repeat."""
    if not force and task_waiting(train_deadline_risk):
        return False
    train_deadline_risk.using(run_after=next_run_after()).enqueue()
    return True
