"""Services and people for the mining tests: a birth registered, then the baby put on the
register; each case dated as the test needs, with the contact that opened it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.factories import make_party
from ventanilla.access.actors import Actor
from ventanilla.cases.models import Case
from ventanilla.cases.services import case_open
from ventanilla.catalog.models import Agency, PublicService
from ventanilla.catalog.services import service_ensure
from ventanilla.interactions.models import Interaction


@pytest.fixture
def births(town: dict[str, Agency], service: PublicService) -> dict[str, PublicService]:
    common = {"department": town["padron"], "deadline_days": 10, "channels": ["web", "desk"]}
    return {
        "birth": service_ensure(
            code="inscripcion-nacimiento",
            name_es="Inscripción de nacimiento",
            name_en="Birth registration",
            **common,
        ),
        "register": service_ensure(
            code="empadronamiento",
            name_es="Alta en el padrón",
            name_en="Registration on the register",
            **common,
        ),
        "works": service,
    }


@pytest.fixture
def asks(actor: Actor) -> Callable[..., Any]:
    """``asks(party, code, days_ago)``: the party opened a case for the service that long ago."""

    def ask(party: Any, code: str, days_ago: int) -> Case:
        case = case_open(actor=actor, party_id=party.pk, service_code=code, channel="web")
        when = timezone.now() - timedelta(days=days_ago)
        Case.objects.filter(pk=case.pk).update(opened_at=when)
        Interaction.objects.filter(case=case).update(occurred_at=when)
        return case

    return ask


@pytest.fixture
def people(actor: Actor) -> Callable[[int], list[Any]]:
    def make(n: int) -> list[Any]:
        return [make_party(actor) for _ in range(n)]

    return make
