"""The nightly warehouse refresh, and the open data published from it. It schedules its own next
run, so one enqueued instance keeps the warehouse a day fresh at most; `ventanilla worker` makes
sure that instance exists."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from ventanilla.core.scheduling import task_waiting
from ventanilla.warehouse.build import warehouse_build
from ventanilla.warehouse.opendata import open_data_write


def next_run_after(now: datetime | None = None) -> datetime:
    """The next time of day set by VENTANILLA_WAREHOUSE_HOUR, in the administration's zone."""
    local = timezone.localtime(now or timezone.now())
    at = local.replace(hour=settings.VENTANILLA_WAREHOUSE_HOUR, minute=0, second=0, microsecond=0)
    return at if at > local else at + timedelta(days=1)


@task()
def build_warehouse() -> dict[str, Any]:
    """Refresh the warehouse, then publish the open data of service requests from it (the
    portal's /open-data/), and schedule the next night."""
    report = warehouse_build()
    published = open_data_write(directory=Path(settings.VENTANILLA_OPEN_DATA_DIR))
    schedule_warehouse(force=True)
    return {
        "full": report.full,
        "rows": report.total_read,
        "seconds": round(report.seconds, 1),
        "open_data_rows": sum(published.rows.values()),
    }


def schedule_warehouse(*, force: bool = False) -> bool:
    """Enqueue the next nightly build unless one is already waiting. Returns whether it enqueued.

    A refresh run twice reads the same rows twice and ends the same: the task is safe to repeat."""
    if not force and task_waiting(build_warehouse):
        return False
    build_warehouse.using(run_after=next_run_after()).enqueue()
    return True
