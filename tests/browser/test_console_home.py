"""Each member of staff signs in to a home page of their own: the analyst, who may not open the
console's records, reads what their role offers instead of a refusal and goes on to the
dashboards, on a phone too."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import fits_the_screen
from tests.conftest import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_the_analyst_signs_in_to_a_home_page_in_english_and_spanish_on_a_phone(
    phone_page: Any, live_server: Any, make_staff: Any
) -> None:
    make_staff("analista", "ayto", "analyst")
    page = phone_page  # 375 px wide, in English

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("User name").fill("analista")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password", exact=True).press("Enter")
    page.wait_for_url(f"{live_server.url}/console/home/")

    assert page.get_by_role("heading", level=1).inner_text() == "Home"
    assert "Your role: Analyst." in page.inner_text("main")
    assert "Dashboards" in page.get_by_role("link", name="Dashboards").first.inner_text()
    assert page.get_by_role("button", name="Sign out").is_visible()
    # Nothing on the page is wider than the phone.
    assert fits_the_screen(page)

    page.get_by_label("Language").select_option("es")
    page.get_by_role("button", name="Change").press("Enter")
    page.wait_for_url(f"{live_server.url}/console/home/")
    assert page.get_by_role("heading", level=1).inner_text() == "Inicio"
    assert "Su función: Analista." in page.inner_text("main")

    # From home, the analyst's work: the dashboards (no warehouse built yet in this town).
    page.get_by_role("main").get_by_role("link", name="Cuadros de mando").first.press("Enter")
    page.wait_for_url(f"{live_server.url}/console/analytics/")
    assert page.get_by_role("heading", level=1).inner_text() == "Cuadros de mando"
    assert fits_the_screen(page)

    # ... and from the dashboards, by keyboard, the emerging problems (none yet in this town).
    page.get_by_role("link", name="0 problemas emergentes en los últimos 7 días").press("Enter")
    page.wait_for_url(f"{live_server.url}/console/analytics/alerts/")
    assert page.get_by_role("heading", level=1).inner_text() == "Problemas emergentes"
    assert "Ningún problema emergente en los últimos 30 días." in page.inner_text("main")
    assert fits_the_screen(page)
