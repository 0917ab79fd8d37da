"""The nightly build: scheduled once by the worker, run by the queue, and scheduling the next."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from ventanilla.core.scheduling import task_waiting
from ventanilla.warehouse.jobs import build_warehouse, next_run_after, schedule_warehouse

pytestmark = pytest.mark.django_db


def test_the_nightly_build_is_scheduled_once_at_the_hour_set(settings: Any) -> None:
    settings.VENTANILLA_WAREHOUSE_HOUR = 2

    assert schedule_warehouse() is True
    assert schedule_warehouse() is False
    assert timezone.localtime(next_run_after()).hour == 2


def test_the_nightly_task_builds_the_warehouse_and_schedules_the_next_night(
    settings: Any, tmp_path: Path
) -> None:
    settings.VENTANILLA_WAREHOUSE_PATH = tmp_path / "warehouse.duckdb"

    result = build_warehouse.call()

    assert result["full"] is True
    assert settings.VENTANILLA_WAREHOUSE_PATH.exists()
    assert task_waiting(build_warehouse)
    assert build_warehouse.call()["full"] is False
