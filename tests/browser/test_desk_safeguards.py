"""At the desk, on a phone-sized screen and by keyboard: an agent records a consent the person
signed (the scanned form attached), then asks another agency for what it holds under it and reads
the answer; the person's record shows both."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import PASSWORD
from tests.factories import SIGNED_FORM_PDF, make_party
from ventanilla.access.actors import actor_for_user
from ventanilla.parties.models import ProfileAttribute

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def citizen(agent_user: Any, town: Any) -> Any:
    party = make_party(actor_for_user(agent_user), given_name="Lucía", family_name_1="Ortega")
    ProfileAttribute.objects.create(
        party=party, name="income_band", value="B", category="income", source_agency=town["salud"]
    )
    return party


def test_an_agent_records_a_consent_and_then_gets_the_health_services_data_under_it(
    phone_page: Any, live_server: Any, citizen: Any
) -> None:
    page = phone_page
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/console/parties/{citizen.pk}/")
    page.get_by_label("User name").fill("agente")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    page.get_by_role("heading", name="Lucía Ortega").wait_for()

    page.get_by_role("link", name="Record a consent").click()
    page.get_by_label("Purpose").fill("Bonificación del IBI")
    page.get_by_label("Agency that may use the data").select_option("ayto")
    page.get_by_label("Income").check()
    page.get_by_label("Document the person signed").set_input_files(
        files=[{"name": "firmado.pdf", "mimeType": "application/pdf", "buffer": SIGNED_FORM_PDF}]
    )
    page.get_by_role("button", name="Record the consent").press("Enter")
    page.get_by_text("The consent was recorded.").wait_for()
    assert "Bonificación del IBI" in page.inner_text("main")

    page.get_by_role("link", name="Ask another agency for data it holds").click()
    page.get_by_label("Agency that holds the data").select_option("salud")
    page.get_by_label("Income").check()
    page.get_by_label("Purpose").fill("Bonificación del IBI por renta")
    page.get_by_role("button", name="Send the request").press("Enter")
    answer = page.locator("#answer")
    answer.wait_for()

    assert "Income band" in answer.inner_text()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways at phone width ({width}px)"
    assert not [e for e in errors if "Content Security Policy" in e]
