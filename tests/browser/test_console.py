"""A member of staff signs in, finds a citizen as they type and opens the 360° view."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.conftest import PASSWORD, wait_until
from tests.factories import make_party
from ventanilla.access.actors import actor_for_user
from ventanilla.interactions.services import interaction_record
from ventanilla.parties.services import IdentifierInput

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def citizen(agent_user: Any) -> Any:
    actor = actor_for_user(agent_user)
    party = make_party(
        actor,
        given_name="María José",
        family_name_1="Núñez",
        family_name_2="Ibáñez",
        identifiers=[IdentifierInput(scheme="dni", value="12345678Z")],
    )
    now = timezone.now()
    for days, channel, summary in [
        (30, "desk", "Pide volante de empadronamiento"),
        (10, "phone", "Pregunta por la recogida de enseres"),
        (1, "web", "Queja por una farola apagada"),
    ]:
        interaction_record(
            actor=actor,
            party_id=party.pk,
            channel=channel,
            summary=summary,
            occurred_at=now - timedelta(days=days),
        )
    return party


def sign_in(page: Any, live_server: Any) -> None:
    page.goto(f"{live_server.url}/console/")
    page.get_by_label("Nombre de usuario").fill("agente")
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_label("Contraseña").press("Enter")
    page.wait_for_url(f"{live_server.url}/console/")
    # Typing before htmx has loaded would only show results on Enter; a person types later.
    wait_until(page, "typeof window.htmx !== 'undefined'")


def test_staff_signs_in_searches_as_they_type_and_opens_the_360_view(
    page: Any, live_server: Any, citizen: Any
) -> None:
    sign_in(page, live_server)

    page.get_by_label("Nombre, DNI/NIE, teléfono o correo").type("nunez iba")
    result = page.get_by_test_id("result").first
    result.wait_for()
    assert "María José Núñez Ibáñez" in result.inner_text()

    result.click()
    page.get_by_role("heading", name="María José Núñez Ibáñez").wait_for()
    rows = page.get_by_test_id("interaction")
    assert rows.count() == 3
    assert "farola" in rows.first.inner_text()  # newest first
    assert "12345678Z" in page.inner_text("main")


def test_search_and_360_work_by_keyboard_alone(page: Any, live_server: Any, citizen: Any) -> None:
    sign_in(page, live_server)

    wait_until(page, "document.activeElement && document.activeElement.id === 'q'")
    page.keyboard.type("12345678Z")  # the search box has the focus on arrival
    page.get_by_test_id("result").first.wait_for()
    page.wait_for_load_state("networkidle")  # the last keystroke's search has come back
    page.keyboard.press("Tab")  # the search button
    page.keyboard.press("Tab")  # the first result
    focused = page.evaluate("document.activeElement.dataset.testid || ''")
    assert focused == "result"
    page.keyboard.press("Enter")

    page.get_by_role("heading", name="María José Núñez Ibáñez").wait_for()


def test_the_360_view_filters_by_channel(page: Any, live_server: Any, citizen: Any) -> None:
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/console/parties/{citizen.pk}/")

    page.get_by_label("Canal", exact=True).select_option("phone")
    page.get_by_role("button", name="Filtrar").click()

    rows = page.get_by_test_id("interaction")
    rows.first.wait_for()
    assert rows.count() == 1
    assert "enseres" in rows.first.inner_text()


def test_the_console_reads_in_english_at_phone_width(
    phone_page: Any, live_server: Any, citizen: Any
) -> None:
    page = phone_page
    page.goto(f"{live_server.url}/console/")
    page.get_by_label("User name").fill("agente")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    wait_until(page, "typeof window.htmx !== 'undefined'")
    page.get_by_label("Name, DNI/NIE, phone or email").fill("maria jose")

    page.get_by_test_id("result").first.click()
    page.get_by_role("heading", name="Interactions on every channel").wait_for()
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 375, f"the page scrolls sideways at phone width ({scroll_width}px)"


def test_the_console_and_api_docs_run_under_the_content_security_policy(
    page: Any, live_server: Any, citizen: Any
) -> None:
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    sign_in(page, live_server)
    page.get_by_label("Nombre, DNI/NIE, teléfono o correo").type("nunez")
    page.get_by_test_id("result").first.click()
    page.get_by_role("heading", name="María José Núñez Ibáñez").wait_for()
    page.goto(f"{live_server.url}/api/v1/docs")
    page.locator(".swagger-ui .opblock").first.wait_for()

    assert violations == []
