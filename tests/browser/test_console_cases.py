"""In a real browser at phone width, by keyboard alone: a supervisor works the case queue, gives
two cases to a case worker at once, opens one and takes a step with a reason."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD, type_second_factor_code
from tests.factories import make_party
from ventanilla.access.actors import actor_for_user
from ventanilla.cases.models import Case
from ventanilla.cases.services import case_open

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def tab_until(page: Any, condition: str, limit: int = 120) -> None:
    """Press Tab until the JavaScript ``condition`` holds for the focused element."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => {condition})(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached an element where {condition}")


def test_a_supervisor_bulk_assigns_and_moves_a_case_on_by_keyboard_at_phone_width(
    phone_page: Any, live_server: Any, make_staff: Any, service: Any
) -> None:
    page = phone_page
    supervisor = make_staff("jefa", "urbanismo", "supervisor")
    device = TOTPDevice.objects.create(user=supervisor, name="Ventanilla", confirmed=True)
    worker = make_staff("trabajadora", "urbanismo", "case_worker")
    opener = actor_for_user(make_staff("ventanilla", "ayto", "agent"))
    first, second = (
        case_open(
            actor=opener, party_id=make_party(opener).pk, service_code=service.code, channel="web"
        )
        for _ in range(2)
    )

    page.goto(f"{live_server.url}/console/")
    tab_until(page, "el.name === 'username'")
    page.keyboard.type("jefa")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Confirm your sign-in").wait_for()
    type_second_factor_code(page, device)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/console/")

    tab_until(page, "el.tagName === 'A' && el.textContent.trim() === 'Cases'")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Cases").wait_for()
    tab_until(page, "el.textContent.trim().startsWith('My department')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/console/cases/\?tab=department"))
    rows = page.get_by_test_id("case-row")
    assert rows.count() == 2
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 375, f"the queue scrolls sideways ({scroll_width}px)"
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.queue thead')).position")
        == "absolute"
    ), "the table is not stacked into cards at phone width"

    for case in (first, second):
        tab_until(page, f"el.id === 'pick-{case.pk}'")
        assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
        page.keyboard.press("Space")
    assert page.get_by_label(f"Select {first.reference}").is_checked()
    assert page.get_by_label(f"Select {second.reference}").is_checked()
    tab_until(page, "el.id === 'bulk-assignee'")
    page.keyboard.type("trab")
    tab_until(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Assign'")
    page.keyboard.press("Enter")

    page.get_by_text("2 cases assigned.").wait_for()
    assert Case.objects.filter(assignee=worker).count() == 2
    tab_until(page, f"el.tagName === 'A' && el.textContent.trim() === '{first.reference}'")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=first.reference).wait_for()
    tab_until(page, "el.tagName === 'SUMMARY' && el.textContent.trim().startsWith('Reject')")
    page.keyboard.press("Enter")
    tab_until(page, "el.id === 'reason-reject'")
    page.keyboard.type("Not a minor work: it needs a full permit")
    tab_until(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Reject'")
    page.keyboard.press("Enter")

    page.get_by_text("The case moved on.").wait_for()
    newest = page.get_by_test_id("event").last
    assert "Not a minor work: it needs a full permit" in newest.inner_text()
    assert "Rejected" in newest.inner_text()
    assert page.get_by_test_id("status").inner_text() == "Rejected"
