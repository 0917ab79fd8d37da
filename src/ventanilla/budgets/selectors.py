"""Reads of participatory budgets: those shown to the public, one budget with its districts and
projects, what a signed-in resident has done in it (supported, voted), and the budgets of a
member of staff's agencies."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.budgets.models import Budget, DistrictBudget, Project, ProjectSupport
from ventanilla.budgets.services import voted_in
from ventanilla.core.errors import NotFound
from ventanilla.parties.models import Party
from ventanilla.parties.residence import residence_of


def budgets_public() -> QuerySet[Budget]:
    """Every budget, newest year first: the public follows each one phase by phase, closed
    ones included (their results and what was built stay public)."""
    return Budget.objects.select_related("agency").order_by("-year", "title_es")


def budget_published(*, budget_id: Any) -> Budget:
    budget = Budget.objects.select_related("agency").filter(pk=budget_id).first()
    if budget is None:
        raise NotFound(_("No such participatory budget."))
    return budget


def districts_of(budget: Budget) -> list[DistrictBudget]:
    return list(budget.districts.order_by("district"))


def projects_of(
    budget: Budget, *, district: DistrictBudget | None = None, feasible_only: bool = False
) -> list[Project]:
    rows = Project.objects.filter(budget=budget).select_related("district")
    if district is not None:
        rows = rows.filter(district=district)
    if feasible_only:
        rows = rows.filter(review=Project.Review.FEASIBLE)
    return list(rows.order_by("district__district", "title", "pk"))


def district_of_citizen(actor: Actor, budget: Budget) -> DistrictBudget | None:
    """The district of the budget the register has the signed-in person living in, if any."""
    if not actor.is_citizen:
        return None
    party = Party.objects.filter(pk=str(actor.party_id)).first()
    residence = residence_of(party) if party is not None else None
    if residence is None:
        return None
    return budget.districts.filter(district__iexact=residence.district).first()


def has_voted(*, actor: Actor, budget: Budget) -> bool:
    if not actor.is_citizen:
        return False
    return voted_in(budget_id=budget.pk, party_id=actor.party_id)


def supported_by(*, actor: Actor, budget: Budget) -> set[str]:
    """The ids of the projects the signed-in person supports in the budget."""
    if not actor.is_citizen:
        return set()
    return {
        str(pk)
        for pk in ProjectSupport.objects.filter(
            project__budget=budget, party_id=str(actor.party_id)
        ).values_list("project_id", flat=True)
    }


def budgets_of_actor(*, actor: Actor) -> list[Budget]:
    """The budgets of the agencies of a member of staff who runs participation."""
    require(actor, Scope.PARTICIPATION_MANAGE)
    rows = Budget.objects.select_related("agency")
    if not actor.sees_everything:
        rows = rows.filter(agency_id__in=list(actor.agency_ids))
    return list(rows.order_by("-year", "title_es")[:200])


def budget_of_actor(*, actor: Actor, budget_id: Any) -> Budget:
    require(actor, Scope.PARTICIPATION_MANAGE)
    rows = Budget.objects.select_related("agency").filter(pk=budget_id)
    if not actor.sees_everything:
        rows = rows.filter(agency_id__in=list(actor.agency_ids))
    budget = rows.first()
    if budget is None:
        raise NotFound(_("No such participatory budget."))
    return budget
