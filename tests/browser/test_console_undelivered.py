"""In a real browser at phone width, by keyboard alone: a supervisor finds a message to a citizen
that could not be delivered, reads what went wrong and sends it again."""

from __future__ import annotations

from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser.test_console_cases import tab_until
from tests.conftest import PASSWORD, type_second_factor_code
from tests.factories import make_party
from ventanilla.access.actors import actor_for_user
from ventanilla.cases.services import case_open
from ventanilla.notifications.models import Notification
from ventanilla.parties.services import ContactPointInput

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_a_supervisor_sends_an_undelivered_message_again_by_keyboard_at_phone_width(
    phone_page: Any, live_server: Any, make_staff: Any, service: Any
) -> None:
    page = phone_page
    supervisor = make_staff("jefa", "urbanismo", "supervisor")
    device = TOTPDevice.objects.create(user=supervisor, name="Ventanilla", confirmed=True)
    opener = actor_for_user(make_staff("ventanilla", "ayto", "agent"))
    party = make_party(opener, contact_points=[ContactPointInput("email", "lucia@example.es")])
    case = case_open(actor=opener, party_id=party.pk, service_code=service.code, channel="web")
    Notification.objects.filter(case=case).update(
        status="failed", attempts=45, failure="recipient_refused", last_error="550 No such user"
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
    page.goto(f"{live_server.url}/console/messages/")
    tab_until(page, "el.tagName === 'A' && el.textContent.trim() === 'Messages not delivered'")
    page.keyboard.press("Enter")

    page.get_by_role("heading", name="Messages not delivered").wait_for()
    main = page.inner_text("main")
    assert case.reference in main
    assert "The address or number was refused" in main
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 375, f"the list scrolls sideways ({scroll_width}px)"
    tab_until(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Send again'")
    page.keyboard.press("Enter")

    page.get_by_text("The message is queued to be sent again.").wait_for()
    assert Notification.objects.get(case=case).status == "queued"
