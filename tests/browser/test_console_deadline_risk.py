"""Deadline risk in a browser: a supervisor goes from the model's page to a case at risk by
keyboard alone and reads why on the case (in Spanish); an analyst reads the page at phone width
(in English). Every page passes axe."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.browser.conftest import fits_the_screen
from tests.browser.test_console_cases import tab_until
from tests.browser.test_phone_width_controls import session_cookie
from tests.conftest import sign_in
from tests.risk.conftest import case_maker, certificate_service, plant_history, today
from ventanilla.access.actors import Actor
from ventanilla.catalog.models import PublicService
from ventanilla.risk.services import risk_train

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGE = "/console/analytics/deadline-risk/"


@pytest.fixture
def history(town: Any, service: PublicService, actor: Actor) -> dict[str, Any]:
    return plant_history(service, certificate_service(town), case_maker(actor))


def test_a_supervisor_reaches_a_case_at_risk_by_keyboard_and_reads_why(
    page: Any,
    live_server: Any,
    make_staff: Any,
    history: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("ventanilla.risk.selectors.today", today)
    risk_train(depth=1, threshold=0.5, today=today())
    supervisor = make_staff("jefa", "ayto", "supervisor")
    session_cookie(page, live_server, sign_in(Client(HTTP_ACCEPT_LANGUAGE="es"), supervisor))
    page.goto(live_server.url + PAGE)
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Casos en riesgo de responderse tarde"
    )
    first = sorted(case.reference for case in history["permits"])[0]

    tab_until(page, f"el.textContent.trim() === {first!r}")
    page.keyboard.press("Enter")

    page.wait_for_url(f"**/console/cases/{first}/")
    line = page.get_by_test_id("deadline-risk").inner_text()
    assert line.startswith("en riesgo")
    assert "el 75% se respondieron tarde" in line


def test_an_analyst_reads_the_page_at_phone_width(
    phone_page: Any, live_server: Any, make_staff: Any, history: dict[str, Any]
) -> None:
    risk_train(depth=2, threshold=0.5, today=today())
    analyst = make_staff("ana", "ayto", "analyst")
    session_cookie(phone_page, live_server, sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), analyst))

    phone_page.goto(live_server.url + PAGE)

    assert phone_page.get_by_test_id("risk-rules").is_visible()
    assert "Version 1, trained on" in phone_page.get_by_test_id("risk-model").inner_text()
    assert fits_the_screen(phone_page), "the page scrolls sideways at phone width"
