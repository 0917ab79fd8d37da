"""In a real browser, by keyboard: the data-protection officer narrows the audit log to one kind
of action over a range of days, downloads what it shows as CSV, and is told beside the field
when a date cannot be one; in Spanish, and in English at phone width."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from freezegun import freeze_time

from tests.browser.test_console_cases import tab_until
from tests.conftest import PASSWORD, type_second_factor_code
from tests.factories import make_party
from ventanilla.access.actors import actor_for_user
from ventanilla.audit.models import AuditEntry

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]
MADRID = ZoneInfo("Europe/Madrid")


def sign_in_as_dpo(page: Any, live_server: Any, make_staff: Any, confirm: str) -> None:
    dpo = make_staff("dpd", "villanueva", "dpo")
    device = TOTPDevice.objects.create(user=dpo, name="Ventanilla", confirmed=True)
    page.goto(f"{live_server.url}/console/")
    tab_until(page, "el.name === 'username'")
    page.keyboard.type("dpd")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=confirm).wait_for()
    type_second_factor_code(page, device)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/console/")


def test_the_dpo_filters_the_log_by_action_and_days_and_downloads_it_by_keyboard(
    page: Any, live_server: Any, make_staff: Any
) -> None:
    agent = actor_for_user(make_staff("agente", "ayto", "agent"))
    for day, name in (("2026-03-01", "Antes"), ("2026-03-10", "Dentro")):
        with freeze_time(datetime.fromisoformat(f"{day}T10:00").replace(tzinfo=MADRID)):
            make_party(agent, given_name=name)
    sign_in_as_dpo(page, live_server, make_staff, "Confirme su acceso")
    page.goto(f"{live_server.url}/console/audit/")

    tab_until(page, "el.id === 'a-action'")
    page.select_option("#a-action", label="Registró una persona")
    # A date field's order of day and month follows the browser's own language, not the
    # page's: the test gives the value the field sends.
    tab_until(page, "el.id === 'a-since'")
    page.fill("#a-since", "2026-03-05")
    tab_until(page, "el.id === 'a-until'")
    page.fill("#a-until", "2026-03-31")
    tab_until(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Mostrar'")
    page.keyboard.press("Enter")

    page.wait_for_url("**/console/audit/?*")
    rows = page.get_by_test_id("audit-entry")
    assert rows.count() == 1
    assert "Registró una persona" in rows.first.inner_text()
    tab_until(page, "el.dataset.testid === 'audit-export'")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    content = open(download.value.path(), encoding="utf-8").read()
    lines = list(csv.reader(io.StringIO(content)))
    assert lines[0][:5] == ["Cuándo", "Quién", "Funciones", "Organismos", "Qué"]
    assert [line[4] for line in lines[1:]] == ["Registró una persona"]
    assert AuditEntry.objects.filter(actor="dpd", detail__format="csv").count() == 1


def test_a_date_that_cannot_be_one_is_flagged_beside_its_field_at_phone_width(
    phone_page: Any, live_server: Any, make_staff: Any
) -> None:
    page = phone_page
    sign_in_as_dpo(page, live_server, make_staff, "Confirm your sign-in")

    page.goto(f"{live_server.url}/console/audit/?until=31/02/2026")

    error = page.locator("#a-until-error")
    error.wait_for()
    assert "This is not a date" in error.inner_text()
    assert page.locator("#a-until").get_attribute("aria-invalid") == "true"
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 375, f"the filters scroll sideways ({scroll_width}px)"
