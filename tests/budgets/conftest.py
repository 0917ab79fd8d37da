"""A participatory budget of two districts with reviewed projects, and residents of each."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from tests.factories import make_party
from ventanilla.access.actors import Actor, actor_for_citizen
from ventanilla.budgets.models import Ballot, Budget, Phase, Project, SealedBallot
from ventanilla.budgets.services import district_amount_set, project_propose, project_review
from ventanilla.catalog.models import Agency
from ventanilla.parties.models import Party
from ventanilla.parties.services import ContactPointInput

OPERATOR = Actor(label="command:test", sees_everything=True)
EUR = 100


def ballots_cast(budget: Budget | None = None) -> int:
    """Every ballot cast, counted or still sealed in the box."""
    rows = {"budget": budget} if budget else {}
    return Ballot.objects.filter(**rows).count() + SealedBallot.objects.filter(**rows).count()


def resident_of(actor: Actor, district: str, **extra: Any) -> Party:
    """A registered adult living in ``district``: who passes ``participant_check``."""
    data: dict[str, Any] = {
        "contact_points": [
            ContactPointInput(kind="postal", value="Calle Mayor 3", district=district)
        ],
        "birth_date": date(1980, 1, 1),
    }
    data.update(extra)
    return make_party(actor, **data)


def build_budget(agency: Agency, **extra: Any) -> Budget:
    budget = Budget.objects.create(
        agency=agency, title_es="Presupuestos 2027", title_en="Budget 2027", year=2027, **extra
    )
    district_amount_set(
        actor=OPERATOR, budget_id=budget.pk, district="Centro", amount_cents=100_000 * EUR
    )
    district_amount_set(
        actor=OPERATOR, budget_id=budget.pk, district="Norte", amount_cents=50_000 * EUR
    )
    return budget


def staff_project(budget: Budget, district: str, title: str, cost_eur: int | None) -> Project:
    """A project put forward by staff and reviewed: feasible at ``cost_eur``, or not (None)."""
    project = project_propose(
        actor=OPERATOR, budget_id=budget.pk, district=district, title=title, description="Obra"
    )
    if cost_eur is None:
        return project_review(actor=OPERATOR, project_id=project.pk, feasible=False, reason="No")
    return project_review(
        actor=OPERATOR, project_id=project.pk, feasible=True, cost_cents=cost_eur * EUR
    )


def move_to(budget: Budget, phase: str) -> Budget:
    Budget.objects.filter(pk=budget.pk).update(phase=phase)
    budget.refresh_from_db()
    return budget


@pytest.fixture
def budget(town: dict[str, Agency]) -> Budget:
    return build_budget(town["ayto"])


@pytest.fixture
def projects(budget: Budget) -> dict[str, Project]:
    return {
        "parque": staff_project(budget, "Centro", "Parque infantil", 60_000),
        "bancos": staff_project(budget, "Centro", "Bancos nuevos", 30_000),
        "fuente": staff_project(budget, "Centro", "Fuente", 20_000),
        "piscina": staff_project(budget, "Centro", "Piscina olímpica", None),
        "carril": staff_project(budget, "Norte", "Carril bici", 40_000),
    }


@pytest.fixture
def make_resident(actor: Actor) -> Callable[..., Actor]:
    def make(district: str = "Centro", **extra: Any) -> Actor:
        return actor_for_citizen(resident_of(actor, district, **extra))

    return make


@pytest.fixture
def voting(budget: Budget, projects: dict[str, Project]) -> Budget:
    return move_to(budget, Phase.VOTING)
