"""The nightly build: scheduled once by the worker, run by the queue, publishing the open data,
and scheduling the next."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from ventanilla.core.scheduling import task_waiting
from ventanilla.warehouse.jobs import build_warehouse, next_run_after, schedule_warehouse
from ventanilla.warehouse.opendata import file_names, published

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
    settings.VENTANILLA_OPEN_DATA_DIR = tmp_path / "opendata"

    result = build_warehouse.call()

    assert result["full"] is True
    assert settings.VENTANILLA_WAREHOUSE_PATH.exists()
    # The open data is published from it for the portal, every file of it.
    assert published(settings.VENTANILLA_OPEN_DATA_DIR) is not None
    assert {p.name for p in settings.VENTANILLA_OPEN_DATA_DIR.iterdir()} == set(file_names())
    assert task_waiting(build_warehouse)
    assert build_warehouse.call()["full"] is False
