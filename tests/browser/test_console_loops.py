"""A supervisor, on a phone and by keyboard, goes from an emerging problem to a consultation:
the complaints counted, everyone behind them invited, and later told the outcome."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from tests.browser.test_console_cases import tab_until
from tests.browser.test_console_merge import sign_in_supervisor
from tests.factories import make_party
from tests.surveys.conftest import load
from ventanilla.analytics.models import Alert
from ventanilla.cases.services import case_open
from ventanilla.loops.models import Loop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = 375


def test_a_supervisor_invites_the_people_who_complained_by_keyboard_on_a_phone(
    phone_page: Any, live_server: Any, make_staff: Any, actor: Any, service: Any
) -> None:
    load()
    for district in ("Ensanche", "Ensanche", "Centro"):
        case_open(
            actor=actor,
            party_id=make_party(actor).pk,
            service_code=service.code,
            channel="web",
            description="Farola apagada",
            district=district,
        )
    Alert.objects.create(
        day=timezone.localdate(),
        service=service,
        district="Ensanche",
        observed=2,
        expected=0.2,
        p_value=0.001,
    )
    page = phone_page
    sign_in_supervisor(page, live_server, make_staff, "Confirm your sign-in")

    page.goto(f"{live_server.url}/console/analytics/alerts/")
    tab_until(page, "el.textContent.trim() === 'Ask the people who complained'")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Invite the people who complained").wait_for()
    assert "2 cases, from 2 people." in page.get_by_test_id("preview").inner_text()

    tab_until(page, "el.id === 'l-survey'")
    page.keyboard.press("ArrowDown")
    assert page.eval_on_selector("#l-survey", "el => el.value") != ""
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.get_by_text("2 of the 2 people who complained have been told.").wait_for()
    assert "Waiting to be looked at: 2" in page.get_by_test_id("progress").inner_text()

    tab_until(page, "el.id === 'o-es'")
    page.keyboard.type("Se cambiarán las farolas del Ensanche en marzo.")
    tab_until(page, "el.textContent.trim() === 'Tell everyone the outcome'")
    page.keyboard.press("Enter")
    page.get_by_text("The outcome has been told to 2 people.").wait_for()
    assert "en marzo" in page.get_by_test_id("outcome").inner_text()
    assert Loop.objects.get().outcome_told == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
