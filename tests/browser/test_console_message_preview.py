"""In a real browser, by keyboard: a supervisor mistypes a placeholder in a message to citizens,
the preview names it and lists the allowed ones, and saving it anyway is refused."""

from __future__ import annotations

from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser.test_console_cases import tab_until
from tests.conftest import PASSWORD, type_second_factor_code
from ventanilla.notifications.models import NotificationTemplate

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_a_supervisor_sees_an_unknown_placeholder_flagged_in_the_preview_by_keyboard(
    page: Any, live_server: Any, make_staff: Any
) -> None:
    supervisor = make_staff("jefa", "ayto", "supervisor")
    device = TOTPDevice.objects.create(user=supervisor, name="Ventanilla", confirmed=True)
    template = NotificationTemplate.objects.get(event="accepted", language="es", medium="sms")
    before = template.body
    page.goto(f"{live_server.url}/console/")
    tab_until(page, "el.name === 'username'")
    page.keyboard.type("jefa")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Confirme su acceso").wait_for()
    type_second_factor_code(page, device)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/console/")
    page.goto(f"{live_server.url}/console/messages/{template.pk}/")

    tab_until(page, "el.id === 'msg-body'")
    page.keyboard.press("Control+A")
    page.keyboard.type("Su solicitud {refrence} avanza")
    tab_until(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Vista previa'")
    page.keyboard.press("Enter")

    error = page.locator("#msg-body-error")
    error.wait_for()
    assert error.inner_text() == (
        "Marcador desconocido: {refrence}. "
        "Use {reference}, {service}, {status}, {text}, {due_date}, {link}."
    )
    assert page.get_by_test_id("preview").inner_text() == "Su solicitud {refrence} avanza"
    tab_until(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Guardar'")
    page.keyboard.press("Enter")
    page.locator("#msg-body-error").wait_for()
    assert "Marcador desconocido: {refrence}." in page.locator("#msg-body-error").inner_text()
    assert NotificationTemplate.objects.get(pk=template.pk).body == before
