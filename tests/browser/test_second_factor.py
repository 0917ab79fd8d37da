"""In a real browser: a supervisor signs in, sets up an authenticator app from the page, is shown
the recovery codes and reaches the console; the code page reads in English at phone width and
works by keyboard."""

from __future__ import annotations

from base64 import b32decode
from typing import Any

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD, totp_code
from ventanilla.access.second_factor import recovery_codes_issue

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_a_supervisor_enrols_an_authenticator_app_and_reaches_the_console(
    page: Any, live_server: Any, make_staff: Any
) -> None:
    make_staff("supervisora", "ayto", "supervisor")
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    page.goto(f"{live_server.url}/console/")
    page.get_by_label("Nombre de usuario").fill("supervisora")
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.get_by_role("heading", name="Configure su aplicación de autenticación").wait_for()
    qr = page.get_by_role("img", name="Código QR para añadir Ventanilla a su aplicación")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    secret = page.get_by_test_id("secret").inner_text().replace(" ", "")
    page.get_by_label("Código de 6 cifras").fill(f"{totp(b32decode(secret)):06d}")
    page.get_by_role("button", name="Confirmar y continuar").click()
    # Then the recovery codes, once, before the console.
    page.get_by_role("heading", name="Códigos de recuperación").wait_for()
    assert page.get_by_test_id("recovery-codes").locator("li").count() == 10
    page.get_by_role("button", name="Ya los he guardado, continuar").click()

    page.wait_for_url(f"{live_server.url}/console/")
    page.get_by_label("Nombre, DNI/NIE, teléfono o correo").wait_for()
    assert TOTPDevice.objects.get(user__username="supervisora").confirmed
    assert violations == []


def test_the_code_page_reads_in_english_at_phone_width_and_works_by_keyboard(
    phone_page: Any, live_server: Any, make_staff: Any
) -> None:
    page = phone_page
    user = make_staff("supervisora", "ayto", "supervisor")
    device = TOTPDevice.objects.create(user=user, name="Ventanilla", confirmed=True)

    page.goto(f"{live_server.url}/console/")
    page.get_by_label("User name").fill("supervisora")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    page.get_by_role("heading", name="Confirm your sign-in").wait_for()
    field = page.get_by_label("6-digit code")
    assert field.get_attribute("autocomplete") == "one-time-code"
    assert field.get_attribute("inputmode") == "numeric"
    # The field has the focus (autofocus is applied once the page has rendered, a moment after
    # the heading shows): waited for, and the test fails if it never comes.
    page.wait_for_function("document.activeElement && document.activeElement.id === 'id_code'")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 375, f"the code page scrolls sideways ({scroll_width}px)"

    page.keyboard.type("000000")
    page.keyboard.press("Enter")
    page.get_by_role("alert").filter(has_text="That code is not right").wait_for()
    page.wait_for_timeout(1100)  # a wrong code makes the next one wait a second
    page.get_by_label("6-digit code").fill(totp_code(device))
    page.keyboard.press("Enter")

    page.wait_for_url(f"{live_server.url}/console/")
    page.get_by_label("Name, DNI/NIE, phone or email").wait_for()


def test_a_recovery_code_opens_the_console_by_keyboard_at_phone_width(
    phone_page: Any, live_server: Any, make_staff: Any
) -> None:
    page = phone_page
    user = make_staff("supervisora", "ayto", "supervisor")
    TOTPDevice.objects.create(user=user, name="Ventanilla", confirmed=True)
    codes = recovery_codes_issue(user=user)

    page.goto(f"{live_server.url}/console/")
    page.get_by_label("User name").fill("supervisora")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    page.get_by_role("heading", name="Confirm your sign-in").wait_for()
    summary = page.get_by_text("No phone at hand? Use a recovery code")
    summary.focus()
    page.keyboard.press("Enter")  # opens the details
    page.get_by_label("Recovery code").wait_for()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_recovery_code"
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 375, f"the code page scrolls sideways ({scroll_width}px)"
    page.keyboard.type(codes[0])
    page.keyboard.press("Enter")

    page.wait_for_url(f"{live_server.url}/console/")
    page.goto(f"{live_server.url}/accounts/second-factor/recovery-codes/")
    page.get_by_text("You have 9 unused recovery codes.").wait_for()
    page.get_by_role("button", name="Make new recovery codes").press("Enter")
    page.get_by_test_id("recovery-codes").wait_for()
    assert page.get_by_test_id("recovery-codes").locator("li").count() == 10
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
