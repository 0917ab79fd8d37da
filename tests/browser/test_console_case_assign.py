"""In a real browser, by keyboard: a case worker takes a case for themself; the case page then
says it is theirs and no longer offers to assign it to them, and shows the place the citizen
gave."""

from __future__ import annotations

from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser.test_console_cases import tab_until
from tests.conftest import PASSWORD, type_second_factor_code
from tests.factories import make_party
from ventanilla.access.actors import actor_for_user
from ventanilla.cases.models import Case
from ventanilla.cases.services import case_open

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_a_case_worker_takes_a_case_and_is_not_offered_it_again_by_keyboard(
    page: Any, live_server: Any, make_staff: Any, service: Any
) -> None:
    worker = make_staff("trabajadora", "urbanismo", "case_worker")
    device = TOTPDevice.objects.create(user=worker, name="Ventanilla", confirmed=True)
    actor = actor_for_user(worker)
    case = case_open(
        actor=actor,
        party_id=make_party(actor).pk,
        service_code=service.code,
        channel="web",
        location_text="Plaza Mayor 1",
    )
    page.goto(f"{live_server.url}/console/")
    tab_until(page, "el.name === 'username'")
    page.keyboard.type("trabajadora")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Confirme su acceso").wait_for()
    type_second_factor_code(page, device)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/console/")
    page.goto(f"{live_server.url}/console/cases/{case.reference}/")
    assert "Lugar\nPlaza Mayor 1" in page.locator("#summary-h + dl").inner_text()

    tab_until(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Asignármelo'")
    page.keyboard.press("Enter")

    page.get_by_test_id("assigned-to-me").wait_for()
    assert page.get_by_test_id("assignee").inner_text() == "trabajadora"
    assert page.get_by_role("button", name="Asignármelo").count() == 0
    assert Case.objects.get(pk=case.pk).assignee_id == worker.pk
