"""The emails waiting for a person, in a real browser by keyboard: the agent reaches the list
from the menu, reads who wrote and why it waits, and takes one off the list — in Spanish at desk
width, in English on a phone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_console_desk import no_sideways_scroll, sign_in_by_keyboard, tab_until
from ventanilla.mail.models import InboundMessage
from ventanilla.mail.services import mail_receive

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

MESSAGES = Path(__file__).parents[1] / "mail" / "messages"


@pytest.fixture
def waiting(agent_user: Any, town: Any, settings: Any) -> InboundMessage:
    """María wrote about a street lamp; no routing rule places a new email, so it waits."""
    settings.VENTANILLA_TRIAGE_DEPARTMENT = "ayto"
    settings.VENTANILLA_MAIL_SERVICE = ""
    raw = (MESSAGES / "multipart_alternative.eml").read_bytes()
    return mail_receive(raw=raw, source="imap")


def open_list_from_the_menu(page: Any, live_server: Any) -> None:
    sign_in_by_keyboard(page, live_server)
    tab_until(page, "el.getAttribute('href') === '/console/mail/'")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/console/mail/")


def test_an_agent_takes_an_email_off_the_list_in_spanish(
    page: Any, live_server: Any, waiting: InboundMessage
) -> None:
    open_list_from_the_menu(page, live_server)

    listed = page.get_by_test_id("mail-waiting").inner_text()
    assert "María García López" in listed and "maria.garcia@example.es" in listed
    tab_until(page, "el.type === 'submit' && el.textContent.trim() === 'Atendido'")
    page.keyboard.press("Enter")

    page.get_by_text("El correo salió de la lista.").wait_for()
    page.get_by_test_id("no-mail-waiting").wait_for()
    waiting.refresh_from_db()
    assert waiting.state == InboundMessage.State.DEALT_WITH


def test_the_list_fits_a_phone_in_english(
    phone_page: Any, live_server: Any, waiting: InboundMessage
) -> None:
    open_list_from_the_menu(phone_page, live_server)

    assert "1 email to deal with" in phone_page.get_by_test_id("mail-waiting").inner_text()
    no_sideways_scroll(phone_page)
    tab_until(phone_page, "el.textContent.trim() === 'Open as received'")
    tab_until(phone_page, "el.type === 'submit' && el.textContent.trim() === 'Dealt with'")
    phone_page.keyboard.press("Enter")
    phone_page.get_by_text("The email left the list.").wait_for()
