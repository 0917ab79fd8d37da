"""Answering surveys in the portal at phone width, by keyboard: a visitor answers an anonymous
survey in Spanish (the question that only applies after a given answer appears when that answer
is chosen); a citizen signs in and answers an identified one in English, an error on the way."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from tests.browser.conftest import _close_checked, checked_context
from tests.factories import make_party
from tests.jobs import run_queued_jobs
from tests.surveys.conftest import load, questions
from ventanilla.access.actors import actor_for_user
from ventanilla.interactions.models import Interaction
from ventanilla.parties.services import ContactPointInput, IdentifierInput
from ventanilla.surveys.models import Answer, Response
from ventanilla.surveys.services import responses_mix

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = 375
DNI = "12345678Z"
EMAIL = "ines.soto@example.org"
LINK = re.compile(r"https?://\S+/portal/sign-in/[A-Za-z0-9_-]+/")


@pytest.fixture
def spanish_phone(browser: Any) -> Iterator[Any]:
    context, report = checked_context(
        browser,
        locale="es-ES",
        viewport={"width": PHONE, "height": 740},
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    yield page
    _close_checked(context, page, report)


def press(page: Any, selector: str, key: str) -> None:
    page.locator(selector).focus()
    page.keyboard.press(key)


def test_a_visitor_answers_a_survey_by_keyboard_in_spanish_on_a_phone(
    spanish_phone: Any, live_server: Any, town: Any
) -> None:
    survey = load(anonymous=True, once_per_person=False)
    q = [f"q-{question.pk}" for question in questions(survey)]
    page = spanish_phone
    page.goto(f"{live_server.url}/portal/surveys/")
    page.get_by_role("link", name="Parques del barrio").focus()
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Parques del barrio").wait_for()

    which = page.get_by_test_id("question-2")
    which.wait_for(state="hidden")  # "which parks?" waits for a "yes", once the script has run
    press(page, f"#{q[0]}-o1", "Space")  # No
    assert which.is_hidden()
    # The questions in sight are numbered without a gap where one is hidden.
    assert page.get_by_test_id("question-3").locator("legend").first.inner_text().startswith("2.")
    press(page, f"#{q[0]}-o0", "Space")  # Sí
    which.wait_for(state="visible")
    assert page.get_by_test_id("question-3").locator("legend").first.inner_text().startswith("3.")
    press(page, f"#{q[1]}-o2", "Space")  # Ribera
    press(page, f"#{q[2]}-s4", "Space")
    for row, place in enumerate(("2", "1", "3")):
        press(page, f"#{q[3]}-{row}", place)
    press(page, f"#{q[4]}-0-s3", "Space")
    page.locator(f"#{q[5]}").focus()
    page.keyboard.type("Más sombra en verano")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    press(page, "[data-testid=survey-send]", "Enter")

    page.get_by_test_id("survey-thanks").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    # The answer waits sealed until it can be mixed with others; mixed now, it is counted.
    assert not Response.objects.exists()
    assert responses_mix(survey_id=survey.pk, everything=True) == 1
    response = Response.objects.get(survey=survey)
    assert response.party_id is None
    kept = {a.question.position: a.value for a in Answer.objects.filter(response=response)}
    assert kept == {
        1: 0,
        2: [2],
        3: 4,
        4: [2, 1, 3],
        5: [3, None],
        6: "Más sombra en verano",
    }


def test_a_citizen_signs_in_and_answers_an_identified_survey_in_english(
    phone_page: Any, live_server: Any, town: Any, agent_user: Any, mailoutbox: Any
) -> None:
    cache.clear()  # no sign-in throttle left over from another test
    citizen = make_party(
        actor_for_user(agent_user),
        identifiers=[IdentifierInput(scheme="dni", value=DNI)],
        contact_points=[ContactPointInput(kind="email", value=EMAIL)],
    )
    survey = load()
    q = [f"q-{question.pk}" for question in questions(survey)]
    page = phone_page
    page.goto(f"{live_server.url}/portal/surveys/{survey.pk}/")
    page.get_by_label("DNI or NIE").fill(DNI)
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Email address").press("Enter")
    page.get_by_test_id("sign-in-sent").wait_for()
    run_queued_jobs()
    found = LINK.search(mailoutbox[-1].body)
    assert found, mailoutbox[-1].body
    page.goto(found.group(0))
    page.get_by_role("button", name="Sign in and see my data").press("Enter")

    page.get_by_role("heading", name="Neighbourhood parks").wait_for()
    press(page, f"#{q[0]}-o0", "Space")  # Yes, and then no park chosen
    press(page, "[data-testid=survey-send]", "Enter")
    page.get_by_test_id("survey-errors").wait_for()
    assert page.get_by_text("Please answer this question.").is_visible()
    press(page, f"#{q[1]}-o1", "Space")
    for row, place in enumerate(("1", "2", "3")):
        press(page, f"#{q[3]}-{row}", place)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    press(page, "[data-testid=survey-send]", "Enter")

    page.get_by_test_id("survey-thanks").wait_for()
    assert page.get_by_text("They are on your record").is_visible()
    assert Response.objects.get(survey=survey).party_id == citizen.pk
    assert Interaction.objects.filter(party=citizen, relationship="consultation").count() == 1
