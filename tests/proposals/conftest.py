"""Residents who may take part, and a proposal published by one of them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from faker import Faker

from tests.factories import make_party
from ventanilla.access.actors import Actor, actor_for_citizen, actor_for_user
from ventanilla.catalog.models import Agency
from ventanilla.parties.models import Party
from ventanilla.parties.services import ContactPointInput
from ventanilla.proposals.models import Proposal
from ventanilla.proposals.services import proposal_create

fake = Faker("es_ES")


def resident_of(
    registrar: Actor, *, district: str = "Centro", birth_date: date | None = None, **extra: Any
) -> Party:
    """A person the register has living in ``district``, of age, with an email address."""
    return make_party(
        registrar,
        birth_date=birth_date or date(1980, 5, 1),
        contact_points=[
            ContactPointInput(kind="email", value=fake.unique.email()),
            ContactPointInput(kind="postal", value="Calle Mayor 3", district=district),
        ],
        **extra,
    )


@pytest.fixture
def registrar(make_staff: Callable[..., Any]) -> Actor:
    return actor_for_user(make_staff("alta", "ayto", "agent"))


@pytest.fixture
def make_resident(registrar: Actor) -> Callable[..., Actor]:
    def make(**options: Any) -> Actor:
        return actor_for_citizen(resident_of(registrar, **options))

    return make


@pytest.fixture
def author(make_resident: Callable[..., Actor]) -> Actor:
    return make_resident()


@pytest.fixture
def supervisor(make_staff: Callable[..., Any]) -> Actor:
    return actor_for_user(make_staff("jefa", "ayto", "supervisor"))


def publish(author: Actor, town: dict[str, Agency], **overrides: Any) -> Proposal:
    data: dict[str, Any] = {
        "agency_id": town["ayto"].pk,
        "title": "Más sombra en la plaza",
        "summary": "Plantar árboles en la plaza del mercado.",
        "body": "En verano la plaza no se puede usar a mediodía.",
        "district": "Centro",
    }
    data.update(overrides)
    return proposal_create(actor=author, **data)


@pytest.fixture
def proposal(author: Actor, town: dict[str, Agency]) -> Proposal:
    return publish(author, town)
