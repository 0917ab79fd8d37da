"""The daily emerging-problem check: early each morning it looks at the day that just ended and
schedules its own next run; `ventanilla worker` makes sure one instance is waiting."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from ventanilla.analytics.services import alerts_detect
from ventanilla.core.scheduling import task_waiting


def next_run_after(now: datetime | None = None) -> datetime:
    """The next time of day set by VENTANILLA_ALERT_HOUR, in the administration's zone."""
    local = timezone.localtime(now or timezone.now())
    at = local.replace(hour=settings.VENTANILLA_ALERT_HOUR, minute=0, second=0, microsecond=0)
    return at if at > local else at + timedelta(days=1)


@task()
def detect_alerts() -> dict[str, Any]:
    day = timezone.localdate() - timedelta(days=1)
    found = alerts_detect(today=day)
    schedule_alerts(force=True)
    return {"day": day.isoformat(), "tested": found.tested, "alerts": len(found.alerts)}


def schedule_alerts(*, force: bool = False) -> bool:
    """Enqueue the next daily check unless one is already waiting. Returns whether it enqueued.

    A check run twice for the same day updates that day's alerts: it is safe to repeat."""
    if not force and task_waiting(detect_alerts):
        return False
    detect_alerts.using(run_after=next_run_after()).enqueue()
    return True
