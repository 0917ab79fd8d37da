"""A debate of the town hall, a moderator, and citizens: one living in the Centro district."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.factories import make_party
from ventanilla.access.actors import Actor, actor_for_citizen, actor_for_user
from ventanilla.debates.models import Debate
from ventanilla.debates.services import debate_open
from ventanilla.parties.models import Party
from ventanilla.parties.services import ContactPointInput


def resident_of(actor: Actor, district: str = "Centro", **extra: Any) -> Party:
    """A registered adult living in ``district``: passes ``participant_check``."""
    home = ContactPointInput(kind="postal", value="Calle Mayor 3", district=district)
    email = ContactPointInput(
        kind="email", value=f"{district.lower()}-{extra.pop('tag', 'a')}@example.org"
    )
    return make_party(actor, birth_date=date(1980, 1, 1), contact_points=[home, email], **extra)


@pytest.fixture
def moderator(make_staff: Any) -> Actor:
    return actor_for_user(make_staff("moderadora", "ayto", "supervisor"))


@pytest.fixture
def agent(make_staff: Any) -> Actor:
    return actor_for_user(make_staff("alta", "ayto", "agent"))


@pytest.fixture
def debate(moderator: Actor, town: dict[str, Any]) -> Debate:
    return debate_open(
        actor=moderator,
        agency_id=town["ayto"].pk,
        title="Peatonalizar la calle Mayor",
        body="¿Debe cerrarse al tráfico la calle Mayor los fines de semana?",
    )


@pytest.fixture
def author(agent: Actor) -> Party:
    return make_party(agent, given_name="Lucía", family_name_1="Pérez")


@pytest.fixture
def other(agent: Actor) -> Party:
    return make_party(agent, given_name="Tomás", family_name_1="Gil")


def citizen(party: Party) -> Actor:
    return actor_for_citizen(party)
