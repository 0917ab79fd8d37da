"""Routing: every new case gets an owner, and the case says which rule chose it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from tests.factories import make_party
from ventanilla.access.actors import Actor
from ventanilla.cases.models import RoutingRule
from ventanilla.cases.services import case_open
from ventanilla.catalog.models import PublicService
from ventanilla.catalog.services import agency_ensure, service_ensure

pytestmark = pytest.mark.django_db


@pytest.fixture
def triage(town: dict[str, Any]) -> Any:
    return agency_ensure(
        code="atencion-ciudadana",
        kind="department",
        name_es="Atención Ciudadana",
        parent=town["ayto"],
    )


def open_case(actor: Actor, service: PublicService, **fields: Any) -> Any:
    party = fields.pop("party", None) or make_party(actor)
    return case_open(
        actor=actor,
        party_id=party.pk,
        service_code=service.code,
        channel=fields.pop("channel", "web"),
        **fields,
    )


def test_without_rules_the_service_department_takes_the_case(
    actor: Actor, service: PublicService
) -> None:
    case = open_case(actor, service)

    assert case.department.code == "urbanismo"
    assert (case.routed_by, case.routing_rule, case.triage) == ("service", None, False)


def test_the_first_matching_rule_wins_and_is_recorded(
    actor: Actor, service: PublicService, town: dict[str, Any]
) -> None:
    RoutingRule.objects.create(
        name="Obras en el casco histórico",
        position=10,
        service=service,
        district="Casco Histórico",
        department=town["padron"],
        priority="high",
    )
    RoutingRule.objects.create(
        name="Todo lo de obras", position=20, service=service, department=town["ayto"]
    )

    near = open_case(actor, service, district="casco historico")
    elsewhere = open_case(actor, service, district="Ensanche")

    assert (near.department.code, near.priority, near.routing_rule.name) == (
        "padron",
        "high",
        "Obras en el casco histórico",
    )
    assert (elsewhere.department.code, elsewhere.routing_rule.name) == ("ayto", "Todo lo de obras")


def test_keywords_channel_and_party_conditions(
    actor: Actor, service: PublicService, town: dict[str, Any]
) -> None:
    RoutingRule.objects.create(
        name="Urgencias por teléfono",
        position=1,
        channel_id="phone",
        keywords="derrumbe, peligro",
        department=town["urbanismo"],
        priority="urgent",
    )
    RoutingRule.objects.create(
        name="Mayores", position=2, party_condition="senior", department=town["padron"]
    )
    senior = make_party(actor, birth_date=date(1940, 1, 1))

    danger = open_case(actor, service, channel="phone", description="Hay PELIGRO de derrumbe")
    young = make_party(actor, birth_date=date(1995, 5, 5))
    calm = open_case(actor, service, channel="phone", description="Una consulta", party=young)
    old = open_case(actor, service, party=senior)

    assert danger.priority == "urgent"
    assert calm.routing_rule is None
    assert old.department.code == "padron"


def test_an_inactive_rule_is_ignored(
    actor: Actor, service: PublicService, town: dict[str, Any]
) -> None:
    RoutingRule.objects.create(name="Apagada", active=False, department=town["padron"])

    assert open_case(actor, service).department.code == "urbanismo"


def test_what_no_rule_places_lands_in_triage_never_nowhere(
    actor: Actor, town: dict[str, Any], triage: Any
) -> None:
    orphan = service_ensure(
        code="sugerencia", name_es="Sugerencia", name_en="Suggestion", department=None,
        competent_agency=town["ayto"],
    )  # fmt: skip

    case = open_case(actor, orphan)

    assert (case.department, case.triage, case.routed_by) == (triage, True, "triage")


def test_the_demo_town_routes_a_night_noise_complaint_by_its_rule(db: None) -> None:
    from ventanilla.access.actors import actor_for_user
    from ventanilla.demo.catalogue import ensure_catalogue

    ensure_catalogue()
    ensure_catalogue()  # safe to run again: the rules are not doubled
    agent = actor_for_user(get_user_model().objects.get(username="agente"))
    noise = PublicService.objects.get(code="denuncia-ruidos")

    case = open_case(
        agent,
        noise,
        description="Fiesta en el bajo hasta la madrugada",
        form_data={"place": "Calle Real 4, bajo", "source": "local"},
    )

    assert (case.department.code, case.priority) == ("medio-ambiente", "high")
    assert case.routing_rule.name == "Ruido de madrugada: prioridad alta"
    assert RoutingRule.objects.filter(name=case.routing_rule.name).count() == 1
