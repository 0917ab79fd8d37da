"""The desk and phone journey in a real browser, by keyboard: a front-line agent signs in, finds
the caller (by the search, or by the matches the new-person form shows as they type), records a
phone call with its duration and outcome, answers from the knowledge base and opens a case for a
service filling in that service's own form — in Spanish at desk width, in English on a phone."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from tests.conftest import PASSWORD, wait_until
from tests.factories import make_party
from ventanilla.access.actors import actor_for_user
from ventanilla.cases.models import Case
from ventanilla.catalog.services import knowledge_article_ensure, service_ensure
from ventanilla.interactions.models import Interaction
from ventanilla.parties.models import Party

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def caller(agent_user: Any, town: Any) -> Party:
    """Ana calls about putting up scaffolding; the town knows her, and has an answer ready."""
    service = service_ensure(
        code="ocupacion-via",
        name_es="Ocupación de la vía pública",
        name_en="Street occupation",
        department=town["urbanismo"],
        channels=["web", "desk", "phone"],
        input_schema={
            "type": "object",
            "properties": {
                "metros": {
                    "type": "integer",
                    "title": "Metros ocupados",
                    "x-title-en": "Square metres",
                    "minimum": 1,
                    "maximum": 50,
                    "x-order": 1,
                },
                "motivo": {
                    "type": "string",
                    "title": "Motivo",
                    "x-title-en": "Reason",
                    "x-order": 2,
                },
            },
            "required": ["metros", "motivo"],
        },
    )
    knowledge_article_ensure(
        code="andamios",
        title_es="Andamios en la acera",
        title_en="Scaffolding on the pavement",
        body_es="Hace falta permiso de ocupación de la vía pública; se resuelve en diez días.",
        body_en="A street occupation permit is needed; it is decided within ten days.",
        keywords="andamio acera scaffolding",
        service_codes=[service.code],
    )
    return make_party(
        actor_for_user(agent_user),
        given_name="Ana",
        family_name_1="Ruiz",
        family_name_2="Sanz",
        birth_date=date(1984, 5, 2),
    )


def tab_until(page: Any, condition: str, limit: int = 150) -> None:
    """Press Tab until the JavaScript ``condition`` holds for the focused element."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => {condition})(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached an element where {condition}")


def wait_for_focus(page: Any, element_id: str) -> None:
    """Wait until the element ``element_id`` has the focus (polled from here: the page's
    Content-Security-Policy forbids the evaluated strings Playwright's own polling uses)."""
    for _ in range(100):
        if page.evaluate("document.activeElement ? document.activeElement.id : ''") == element_id:
            return
        page.wait_for_timeout(50)
    focused = page.evaluate("document.activeElement ? document.activeElement.outerHTML : ''")
    raise AssertionError(f"{element_id} never had the focus; {focused[:200]} has it")


def focus_is_visible(page: Any) -> bool:
    return bool(page.evaluate("getComputedStyle(document.activeElement).outlineStyle !== 'none'"))


def sign_in_by_keyboard(page: Any, live_server: Any) -> None:
    page.goto(f"{live_server.url}/console/")
    tab_until(page, "el.name === 'username'")
    page.keyboard.type("agente")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/console/")
    wait_until(page, "typeof window.htmx !== 'undefined'")


def no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways at phone width ({width}px)"


def record_a_call(page: Any, *, minutes: str, seconds: str, summary: str, outcome: str) -> None:
    """From the 360° page: the channel is the phone already; the summary, duration and outcome
    are typed, the outcome chosen by typing its first letters, as in any select."""
    page.evaluate("window.stillTheSamePage = true")
    tab_until(page, "el.id === 'contact-channel'")
    assert focus_is_visible(page)
    tab_until(page, "el.id === 'contact-summary'")
    page.keyboard.type(summary)
    page.keyboard.press("Tab")
    page.keyboard.type(minutes)
    page.keyboard.press("Tab")
    page.keyboard.type(seconds)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "contact-outcome"
    page.keyboard.type(outcome)
    tab_until(page, "el.type === 'submit' && el.closest('#contact-panel') !== null")
    page.keyboard.press("Enter")
    page.get_by_test_id("contact-recorded").wait_for()
    assert page.evaluate("window.stillTheSamePage === true"), "the page was reloaded"


def test_an_agent_takes_a_call_answers_it_and_opens_a_case_by_keyboard_in_spanish(
    page: Any, live_server: Any, caller: Party
) -> None:
    sign_in_by_keyboard(page, live_server)

    page.keyboard.type("ana ruiz")  # the search box has the focus on arrival
    page.get_by_test_id("result").first.wait_for()
    page.wait_for_load_state("networkidle")
    tab_until(page, "el.dataset.testid === 'result'")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Ana Ruiz Sanz").wait_for()

    record_a_call(
        page,
        minutes="4",
        seconds="30",
        summary="Pregunta si necesita permiso para un andamio",
        outcome="Pendiente",
    )
    newest = page.get_by_test_id("interaction").first
    assert "Pregunta si necesita permiso para un andamio" in newest.inner_text()
    assert "Pendiente de devolver la llamada" in newest.inner_text()
    call = Interaction.objects.get(party=caller)
    assert (call.channel_id, call.duration_seconds, call.outcome) == ("phone", 270, "call_back")

    tab_until(page, "el.id === 'kb-q'")
    page.keyboard.type("andamio")
    page.get_by_test_id("article").first.wait_for()
    page.wait_for_load_state("networkidle")
    tab_until(page, "el.dataset.testid === 'answered-from'")
    page.keyboard.press("Enter")
    wait_for_focus(page, "contact-summary")
    assert "Andamios en la acera" in page.input_value("#contact-summary")
    assert page.input_value("#contact-outcome") == "answered"
    assert page.input_value("#contact-service") == "ocupacion-via"
    tab_until(page, "el.type === 'submit' && el.closest('#contact-panel') !== null")
    page.keyboard.press("Enter")
    page.get_by_test_id("contact-recorded").wait_for()
    assert "Respondida" in page.get_by_test_id("interaction").first.inner_text()

    tab_until(page, "el.tagName === 'A' && el.textContent.trim() === 'Abrir un expediente'")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Abrir un expediente para Ana Ruiz Sanz").wait_for()
    wait_for_focus(page, "id_service")
    page.keyboard.type("Ocupa")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.get_by_label("Metros ocupados").wait_for()
    tab_until(page, "el.id === 'id_form_metros'")
    page.keyboard.type("6")
    page.keyboard.press("Tab")
    page.keyboard.type("Andamio para pintar la fachada")
    tab_until(page, "el.type === 'submit' && el.textContent.trim() === 'Abrir el expediente'")
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/console/cases/[A-Z]+-\d{4}-\d{6}/$"))
    case = Case.objects.get(party=caller)
    assert case.reference in page.inner_text("main")
    assert case.form_data == {"metros": 6, "motivo": "Andamio para pintar la fachada"}
    assert case.interactions.get().outcome == "case_opened"


def test_an_agent_finds_the_caller_among_the_matches_and_opens_a_case_on_a_phone_in_english(
    phone_page: Any, live_server: Any, caller: Party
) -> None:
    page = phone_page
    sign_in_by_keyboard(page, live_server)

    tab_until(page, "el.textContent.trim() === 'Not registered yet? Register a new person'")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Register a person").wait_for()
    wait_until(page, "typeof window.htmx !== 'undefined'")
    wait_for_focus(page, "given_name")
    page.keyboard.type("Ana")
    page.keyboard.press("Tab")
    page.keyboard.type("Ruiz")
    candidate = page.get_by_test_id("candidate").first
    candidate.wait_for()
    assert "Ana Ruiz Sanz" in candidate.inner_text() and "born 1984" in candidate.inner_text()
    no_sideways_scroll(page)
    tab_until(page, "el.dataset.testid === 'candidate'")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Ana Ruiz Sanz").wait_for()
    assert Party.objects.count() == 1  # opened, not registered twice
    no_sideways_scroll(page)

    record_a_call(page, minutes="2", seconds="5", summary="Asks about scaffolding", outcome="Tr")
    assert "Transferred" in page.get_by_test_id("interaction").first.inner_text()
    assert Interaction.objects.get(party=caller).duration_seconds == 125

    tab_until(page, "el.id === 'kb-q'")
    page.keyboard.type("scaffolding")
    page.get_by_test_id("article").first.wait_for()
    page.wait_for_load_state("networkidle")
    tab_until(page, "el.dataset.testid === 'answered-from'")
    page.keyboard.press("Enter")
    wait_for_focus(page, "contact-summary")
    assert "Scaffolding on the pavement" in page.input_value("#contact-summary")
    no_sideways_scroll(page)

    tab_until(page, "el.tagName === 'A' && el.textContent.trim() === 'Open a case'")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Open a case for Ana Ruiz Sanz").wait_for()
    # As a person waits for the cursor: keys typed before autofocus lands are lost.
    wait_for_focus(page, "id_service")
    page.keyboard.type("Street")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.get_by_label("Square metres").wait_for()
    no_sideways_scroll(page)
    tab_until(page, "el.id === 'id_form_metros'")
    page.keyboard.type("80")  # more than the form allows
    page.keyboard.press("Tab")
    page.keyboard.type("Scaffolding")
    tab_until(page, "el.type === 'submit' && el.textContent.trim() === 'Open the case'")
    page.keyboard.press("Enter")
    page.locator("#id_form_metros_error").wait_for()
    assert "not greater than 50" in page.inner_text("#id_form_metros_error")
    assert not Case.objects.exists()
    no_sideways_scroll(page)

    tab_until(page, "el.id === 'id_form_metros'")
    page.keyboard.press("Control+A")
    page.keyboard.type("8")
    tab_until(page, "el.type === 'submit' && el.textContent.trim() === 'Open the case'")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/console/cases/[A-Z]+-\d{4}-\d{6}/$"))
    assert Case.objects.get(party=caller).form_data["metros"] == 8
