"""The nightly training: scheduled once by the worker at the hour set, run by the queue, saying
so when the cases are too few, and scheduling the next night either way."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from ventanilla.core.scheduling import task_waiting
from ventanilla.risk.jobs import next_run_after, schedule_deadline_risk, train_deadline_risk
from ventanilla.risk.models import CaseRisk, RiskModel

pytestmark = pytest.mark.django_db


def test_the_nightly_training_is_scheduled_once_at_the_hour_set(settings: Any) -> None:
    settings.VENTANILLA_DEADLINE_RISK_HOUR = 5

    assert schedule_deadline_risk() is True
    assert schedule_deadline_risk() is False
    assert timezone.localtime(next_run_after()).hour == 5


def test_with_too_few_cases_the_night_is_skipped_and_the_next_one_scheduled(town: Any) -> None:
    result = train_deadline_risk.call()

    assert result["skipped"].startswith("0 cases have a known outcome")
    assert not RiskModel.objects.exists()
    assert task_waiting(train_deadline_risk)


def test_the_nightly_task_trains_a_version_and_scores_the_open_cases(
    history: dict[str, Any],
) -> None:
    result = train_deadline_risk.call()

    assert result["version"] == 1
    assert RiskModel.objects.get().version == 1
    # Today the test cases are all past their due date: known, none left to score.
    assert not CaseRisk.objects.exists()
    assert task_waiting(train_deadline_risk)
