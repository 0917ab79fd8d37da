"""In a real browser, by keyboard: a supervisor moves an agency up the order of trust in the
registers, and the person's 360° view then says the email shown as verified came from that
agency's register — in Spanish at desk width, and in English on a phone."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.test_console_cases import tab_until
from tests.browser.test_console_merge import sign_in_supervisor
from tests.factories import make_party
from tests.merging.test_golden import day, register
from ventanilla.access.actors import Actor
from ventanilla.catalog.models import Agency
from ventanilla.merging.models import SourceTrust
from ventanilla.parties.models import Party
from ventanilla.parties.services import ContactPointInput

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def person_in_two_registers(actor: Actor) -> Party:
    """Ana, whose town register and health service, checked the same day, give other emails;
    the town register is trusted more."""
    party = make_party(
        actor,
        contact_points=[
            ContactPointInput(kind="email", value="ana@padron.example"),
            ContactPointInput(kind="email", value="ana@salud.example"),
        ],
    )
    padron, salud = Agency.objects.get(code="padron"), Agency.objects.get(code="salud")
    register(party, padron, day("2025-03-12"), email="ana@padron.example")
    register(party, salud, day("2025-03-12"), email="ana@salud.example")
    SourceTrust.objects.create(agency=padron, rank=1)
    SourceTrust.objects.create(agency=salud, rank=2)
    return party


def source_of(page: Any, email: str) -> str:
    return str(page.locator("li", has_text=email).last.inner_text())


def move_health_up(page: Any, live_server: Any, party: Party, words: dict[str, str]) -> None:
    page.goto(f"{live_server.url}/console/parties/{party.pk}/")
    assert words["from_register"] in source_of(page, "ana@padron.example")
    assert words["from"] not in source_of(page, "ana@salud.example")
    tab_until(page, f"el.textContent.trim() === '{words['menu']}'")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=words["menu"]).wait_for()
    tab_until(page, f"el.dataset.move === 'up' && el.textContent.includes('{words['health']}')")
    page.keyboard.press("Enter")
    page.get_by_text(words["saved"]).wait_for()
    first = page.get_by_test_id("trust-agency").first.inner_text()
    assert words["health"] in first

    page.goto(f"{live_server.url}/console/parties/{party.pk}/")

    assert words["from_health"] in source_of(page, "ana@salud.example")
    assert words["from"] not in source_of(page, "ana@padron.example")
    assert list(SourceTrust.objects.order_by("rank").values_list("agency__code", flat=True)) == [
        "salud",
        "padron",
    ]


def test_a_supervisor_moves_an_agency_up_by_keyboard_in_spanish(
    page: Any, live_server: Any, make_staff: Any
) -> None:
    actor = sign_in_supervisor(page, live_server, make_staff, "Confirme su acceso")
    party = person_in_two_registers(actor)

    move_health_up(
        page,
        live_server,
        party,
        {
            "menu": "Qué registro prevalece",
            "health": "Servicio de Salud",
            "saved": "Se guardó el orden.",
            "from": "de:",
            "from_register": "de: Padrón, verificado el 12/03/2025",
            "from_health": "de: Servicio de Salud, verificado el 12/03/2025",
        },
    )


def test_a_supervisor_moves_an_agency_up_on_a_phone_in_english(
    phone_page: Any, live_server: Any, make_staff: Any
) -> None:
    page = phone_page
    actor = sign_in_supervisor(page, live_server, make_staff, "Confirm your sign-in")
    party = person_in_two_registers(actor)

    move_health_up(
        page,
        live_server,
        party,
        {
            "menu": "Which register wins",
            "health": "Health",
            "saved": "The order was saved.",
            "from": "from:",
            "from_register": "from: Register, verified 12/03/2025",
            "from_health": "from: Health, verified 12/03/2025",
        },
    )

    page.goto(f"{live_server.url}/console/trust/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
