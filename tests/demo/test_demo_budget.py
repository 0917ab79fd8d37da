"""The demo's participatory budget: made once, open to the vote, money in each district."""

from __future__ import annotations

from typing import Any

import pytest

from ventanilla.budgets.models import Budget, Phase, Project
from ventanilla.demo.budgets import demo_budget_ensure

pytestmark = pytest.mark.django_db


def test_the_demo_budget_is_made_once_and_open_to_the_vote(town: Any) -> None:
    first = demo_budget_ensure()
    again = demo_budget_ensure()

    assert first is not None and again is not None and first.pk == again.pk
    assert first.phase == Phase.VOTING
    assert Budget.objects.count() == 1
    assert first.districts.count() >= 1
    assert not Project.objects.filter(budget=first).exclude(review="feasible").exists()
