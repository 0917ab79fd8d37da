"""The demo town plants services that follow each other (a birth, then the register and the
health card; a small building work, then the pavement; a death, then the cemetery): mining the
town as the demo seeds it finds every one of them, and nothing it did not plant."""

from __future__ import annotations

import pytest

from ventanilla.associations.models import ServiceAssociation
from ventanilla.associations.services import associations_mine
from ventanilla.demo.catalogue import ensure_catalogue
from ventanilla.demo.synthetic import REFERENCE_NOW, seed_municipality
from ventanilla.demo.synthetic.demand import FOLLOW_ON

pytestmark = pytest.mark.django_db

PLANTED = {(first, then) for first, follows in FOLLOW_ON.items() for then, _chance in follows}


def test_mining_the_demo_town_finds_the_planted_sequences() -> None:
    ensure_catalogue()
    seed_municipality(citizens=10_000, seed=1, progress=False, workers=0)

    run = associations_mine(now=REFERENCE_NOW)

    found = {
        (rule.antecedent.code, rule.consequent.code): rule
        for rule in ServiceAssociation.objects.select_related("antecedent", "consequent")
    }
    assert set(found) == PLANTED
    assert all(rule.with_both >= run.min_people and rule.lift > 1 for rule in found.values())
