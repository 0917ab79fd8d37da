"""A supervisor reads a survey's results on a phone, in English, by keyboard: bars, the table
beside them, and the free-text answers grouped by topic with examples."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.test_console_cases import tab_until
from tests.browser.test_console_merge import sign_in_supervisor
from tests.surveys.conftest import full_answers, load, questions
from ventanilla.access.actors import Actor
from ventanilla.surveys.services import survey_respond

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = 375
TEXTS = [
    "Faltan bancos a la sombra",
    "Más bancos y sombra",
    "Bancos rotos, sin sombra",
    "Perros sueltos en el césped",
    "Perros sin correa en el césped",
    "Demasiados perros en el césped",
]


def test_a_supervisor_reads_the_results_by_keyboard_on_a_phone(
    phone_page: Any, live_server: Any, make_staff: Any, town: Any, settings: Any
) -> None:
    settings.VENTANILLA_SMALL_CELL_THRESHOLD = 2
    survey = load(anonymous=True, once_per_person=False)
    first = questions(survey)[0]
    for number, text in enumerate(TEXTS):
        answers = {**full_answers(survey, text=text), str(first.pk): str(number % 2)}
        survey_respond(actor=Actor(label="anonymous"), survey_id=survey.pk, answers=answers)
    page = phone_page
    sign_in_supervisor(page, live_server, make_staff, "Confirm your sign-in")

    tab_until(page, "el.textContent.trim() === 'Surveys'")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Surveys", exact=True).wait_for()
    tab_until(page, "el.textContent.trim() === 'Neighbourhood parks'")
    page.keyboard.press("Enter")

    page.get_by_role("heading", name="Neighbourhood parks").wait_for()
    assert page.get_by_test_id("survey-responses").inner_text() == "6 responses"
    assert page.get_by_role("table", name="Do you use the parks?").is_visible()
    assert page.get_by_test_id("topic").count() == 2
    assert page.get_by_text("Perros sin correa en el césped").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
