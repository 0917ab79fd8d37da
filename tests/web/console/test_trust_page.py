"""The console page of the order of trust in the agencies' registers: the agencies in order with
their steps, the others below, in both languages; each step changes the order as shown, and a
page that is out of date changes nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tests.conftest import sign_in
from tests.factories import make_party
from tests.merging.test_golden import day, register
from ventanilla.access.actors import actor_for_user
from ventanilla.merging.models import SourceTrust
from ventanilla.parties.services import ContactPointInput

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor(make_staff: Any) -> Any:
    return make_staff("jefa", "ayto", "supervisor")


def ranked() -> list[str]:
    return list(SourceTrust.objects.order_by("rank").values_list("agency__code", flat=True))


def step(client: Client, agency: str, move: str, seen: str) -> Any:
    return client.post("/console/trust/", {"agency": agency, "move": move, "seen": seen})


def words(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", page).split())


def test_the_page_lists_the_order_and_the_agencies_not_in_it_in_english(
    supervisor: Any, town: Any
) -> None:
    SourceTrust.objects.create(agency=town["salud"], rank=1)
    SourceTrust.objects.create(agency=town["padron"], rank=2)
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), supervisor)

    text = words(client.get("/console/trust/").content.decode())

    assert "checked on the same day, the agency higher in this list wins" in text
    ranked_part, unranked_part = text.split("Not in the order")
    assert ranked_part.index("1. Health") < ranked_part.index("2. Register")
    assert "Move up: Register" in ranked_part and "Move up: Health" not in ranked_part
    assert "Move down: Health" in ranked_part and "Move down: Register" not in ranked_part
    assert "Add to the order: Town hall" in unranked_part
    assert "Health" not in unranked_part


def test_the_page_speaks_spanish_and_is_in_the_menu(supervisor: Any, town: Any) -> None:
    client = sign_in(Client(), supervisor)

    text = words(client.get("/console/trust/").content.decode())

    assert "Qué registro prevalece" in text
    assert "Añadir al orden: Padrón" in text
    assert 'href="/console/trust/"' in client.get("/console/home/").content.decode()


def test_moving_up_adding_and_taking_out_change_the_order(supervisor: Any, town: Any) -> None:
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), supervisor)

    step(client, "padron", "add", "")
    step(client, "salud", "add", "padron")
    moved = step(client, "salud", "up", "padron,salud")

    assert moved.status_code == 302
    assert ranked() == ["salud", "padron"]
    step(client, "salud", "down", "salud,padron")
    assert ranked() == ["padron", "salud"]
    saved = step(client, "padron", "remove", "padron,salud")
    assert ranked() == ["salud"]
    assert "The order was saved." in client.get(saved["Location"]).content.decode()


def test_a_step_on_an_order_changed_meanwhile_changes_nothing(supervisor: Any, town: Any) -> None:
    SourceTrust.objects.create(agency=town["salud"], rank=1)
    SourceTrust.objects.create(agency=town["padron"], rank=2)
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), supervisor)

    refused = step(client, "padron", "up", "salud")

    assert ranked() == ["salud", "padron"]
    assert "Someone changed the order meanwhile" in client.get(refused["Location"]).content.decode()


def test_an_agent_is_neither_shown_nor_let_in(agent_user: Any, town: Any) -> None:
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), agent_user)

    assert "/console/trust/" not in client.get("/console/home/").content.decode()
    assert client.get("/console/trust/").status_code == 403
    assert step(client, "padron", "add", "").status_code == 403
    assert ranked() == []


def test_the_360_view_says_which_register_each_email_came_from_as_the_order_decides(
    supervisor: Any, town: Any
) -> None:
    actor = actor_for_user(supervisor)
    party = make_party(
        actor,
        contact_points=[
            ContactPointInput(kind="email", value="ana@padron.example"),
            ContactPointInput(kind="email", value="ana@salud.example"),
        ],
    )
    register(party, town["padron"], day("2025-03-12"), email="ana@padron.example")
    register(party, town["salud"], day("2025-03-12"), email="ana@salud.example")
    SourceTrust.objects.create(agency=town["padron"], rank=1)
    SourceTrust.objects.create(agency=town["salud"], rank=2)
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), supervisor)
    before = words(client.get(f"/console/parties/{party.pk}/").content.decode())

    step(client, "salud", "up", "padron,salud")

    after = words(client.get(f"/console/parties/{party.pk}/").content.decode())
    assert "ana@padron.example from: Register, verified 12/03/2025" in before
    assert "ana@salud.example from:" not in before
    assert "ana@salud.example from: Health, verified 12/03/2025" in after
    assert "ana@padron.example from:" not in after
