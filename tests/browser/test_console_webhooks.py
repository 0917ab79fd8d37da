"""In a real browser, by keyboard, on a phone, in English: the operator opens other systems'
webhooks from the menu, subscribes an address, copies its secret from the page that shows it
once, moves it to a new address with a new secret, and ends the subscription."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import fits_the_screen
from tests.browser.test_console_cases import tab_until
from tests.browser.test_console_merge import sign_in_by_keyboard
from ventanilla.events.models import Subscription

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_the_operator_subscribes_and_ends_an_address_by_keyboard_on_a_phone(
    phone_page: Any, live_server: Any, make_staff: Any
) -> None:
    page = phone_page
    operator = make_staff("operadora", "ayto", "administrator")
    operator.is_superuser = True
    operator.save(update_fields=["is_superuser"])
    sign_in_by_keyboard(page, live_server, operator, "Confirm your sign-in")

    tab_until(page, 'el.textContent.trim() === "Other systems\' webhooks"')
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Other systems' webhooks").wait_for()
    assert fits_the_screen(page)
    tab_until(page, "el.id === 'w-url'")
    page.keyboard.type("https://registro.example.org/ventanilla/eventos")
    page.keyboard.press("Tab")
    page.keyboard.type("Town hall")  # a select answers to the first letters typed
    tab_until(page, "el.name === 'topics' && el.value === 'cases'")
    page.keyboard.press("Space")
    tab_until(page, "el.type === 'submit' && el.textContent.includes('Subscribe')")
    page.keyboard.press("Enter")

    shown = page.get_by_test_id("webhook-secret")
    shown.wait_for()
    [made] = Subscription.objects.all()
    assert made.secret in shown.inner_text() and "it is not shown again" in shown.inner_text()
    assert made.agency.code == "ayto" and made.scopes == ["cases"]
    table = page.get_by_test_id("webhooks").inner_text()
    assert "Cases · ids and codes only" in table
    assert "Nothing received yet" in table
    assert fits_the_screen(page)
    first_secret = made.secret

    tab_until(page, "el.tagName === 'A' && el.textContent.trim() === 'Change'")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Change a webhook's subscription").wait_for()
    assert fits_the_screen(page)
    tab_until(page, "el.id === 'w-url'")
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("https://nuevo.example.org/eventos")
    tab_until(page, "el.name === 'new_secret'")
    page.keyboard.press("Space")
    tab_until(page, "el.type === 'submit' && el.textContent.includes('Save')")
    page.keyboard.press("Enter")

    shown = page.get_by_test_id("webhook-secret")
    shown.wait_for()
    made.refresh_from_db()
    assert made.url == "https://nuevo.example.org/eventos" and made.secret != first_secret
    assert made.secret in shown.inner_text() and "new secret" in shown.inner_text()
    assert "https://nuevo.example.org/eventos" in page.get_by_test_id("webhooks").inner_text()

    tab_until(page, "el.type === 'submit' && el.textContent.trim() === 'End'")
    page.keyboard.press("Enter")
    page.get_by_text("hears nothing more").wait_for()
    assert "Subscription ended" in page.get_by_test_id("webhooks").inner_text()
    assert made.secret not in page.content()
    made.refresh_from_db()
    assert made.url == "https://nuevo.example.org/eventos"
    assert not made.active
