"""The demo's participatory budget, in its voting phase, so the portal shows one to vote in:
money for every district the town's register names (so every resident of the demo, the one it
signs in as among them, has a ballot), 1.2 million euros shared out among them, and three
reviewed projects in each, made through the same services staff use."""

from __future__ import annotations

from django.db.models import Count

from ventanilla.access.actors import Actor
from ventanilla.budgets.models import Budget, Phase
from ventanilla.budgets.services import (
    budget_phase_advance,
    district_amount_set,
    project_propose,
    project_review,
)
from ventanilla.catalog.models import Agency
from ventanilla.parties.models import ContactPoint

TITLE_ES = "Presupuestos participativos 2027"
TOTAL_EUROS = 1_200_000
PROJECTS = (
    ("Sombra y bancos en la plaza de {district}", 45_000),
    ("Carril bici seguro en {district}", 120_000),
    ("Huerto urbano vecinal en {district}", 30_000),
)


def demo_budget_ensure() -> Budget | None:
    """The demo's budget, made the first time (None when the town has no agency "ayto")."""
    found = Budget.objects.filter(title_es=TITLE_ES).first()
    if found is not None:
        return found
    agency = Agency.objects.filter(code="ayto").first()
    if agency is None:
        return None
    actor = Actor(label="command:demo", sees_everything=True)
    districts = [
        row["district"]
        for row in ContactPoint.objects.filter(kind=ContactPoint.Kind.POSTAL)
        .exclude(district="")
        .values("district")
        .annotate(n=Count("id"))
        .order_by("-n", "district")
    ] or ["Centro"]
    # The whole sum shared out, in thousands of euros.
    each = TOTAL_EUROS // len(districts) // 1000 * 1000
    budget = Budget.objects.create(
        agency=agency,
        title_es=TITLE_ES,
        title_en="Participatory budget 2027",
        description_es="Los vecinos deciden en qué se invierten 1,2 millones de euros.",
        description_en="Residents decide how 1.2 million euros are invested.",
        year=2027,
    )
    for district in districts:
        district_amount_set(
            actor=actor, budget_id=budget.pk, district=district, amount_cents=each * 100
        )
        for title, euros in PROJECTS:
            project = project_propose(
                actor=actor,
                budget_id=budget.pk,
                district=district,
                title=title.format(district=district),
                description="Propuesta de la junta de distrito.",
            )
            project_review(
                actor=actor, project_id=project.pk, feasible=True, cost_cents=euros * 100
            )
    for phase in (Phase.REVIEW, Phase.SUPPORTS, Phase.VOTING):
        budget = budget_phase_advance(actor=actor, budget_id=budget.pk, to_phase=phase)
    return budget
