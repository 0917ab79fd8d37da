"""Who acted, as a person reads it: the staff member's name, the citizen, the system, the
application, the agency; roles and agencies by name."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from ventanilla.access.actor_names import ActorNames, role_names
from ventanilla.access.services import staff_member_ensure

pytestmark = pytest.mark.django_db


def test_each_kind_of_actor_is_named_as_people_say_it(town: dict[str, Any]) -> None:
    staff_member_ensure(
        username="lperez",
        password="x-long-password-1",
        agency_code="ayto",
        role="agent",
        first_name="Lucía",
    )
    names = ActorNames()

    with translation.override("en"):
        assert names.actor("lperez") == "Lucía"
        assert names.actor("citizen:f3000100") == "The citizen"
        assert names.actor("system:deadlines") == "The system"
        assert names.actor("api:sede-electronica") == "The application “sede-electronica”"
        assert names.actor("agency:salud") == "The agency Health"
        assert names.agency_list("ayto,urbanismo") == "Town hall, Planning"


def test_the_names_of_a_page_cost_one_query_however_many_actors(
    town: dict[str, Any], django_assert_num_queries: Any
) -> None:
    names = ActorNames()

    with django_assert_num_queries(1):
        for label in ("agente", "tramitador", "supervisora", "agente", "citizen:ab12cd34"):
            names.actor(label)


def test_roles_are_named_in_the_readers_language() -> None:
    with translation.override("es"):
        assert role_names("agent,case_worker") == "Agente de primera línea, Tramitador"
