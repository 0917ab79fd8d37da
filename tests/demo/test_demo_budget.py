"""The demo's participatory budget: made once, open to the vote, money in every district of the
register, so that every resident of the demo has a ballot."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import make_party
from ventanilla.access.actors import Actor
from ventanilla.budgets.models import Budget, Phase, Project
from ventanilla.demo.budgets import demo_budget_ensure
from ventanilla.parties.models import ContactPoint
from ventanilla.parties.services import ContactPointInput

pytestmark = pytest.mark.django_db


def test_the_demo_budget_is_made_once_and_open_to_the_vote(town: Any, actor: Actor) -> None:
    for number, district in enumerate(["Norte", "Sur", "Sur", "Estación"]):
        where = ContactPointInput(kind="postal", value=f"Calle Real {number}", district=district)
        make_party(actor, contact_points=[where])
    first = demo_budget_ensure()
    again = demo_budget_ensure()

    assert first is not None and again is not None and first.pk == again.pk
    assert first.phase == Phase.VOTING
    assert Budget.objects.count() == 1
    assert first.districts.count() >= 1
    registered = set(
        ContactPoint.objects.filter(kind="postal")
        .exclude(district="")
        .values_list("district", flat=True)
    )
    assert set(first.districts.values_list("district", flat=True)) == registered
    assert {d.amount_cents for d in first.districts.all()} == {400_000_00}  # 1.2 million in three
    assert not Project.objects.filter(budget=first).exclude(review="feasible").exists()
