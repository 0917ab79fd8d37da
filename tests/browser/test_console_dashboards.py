"""The analyst reads the dashboards on a phone, in Spanish, by keyboard: every figure's table
fits the screen, a filter is applied, and the segments and emerging problems are a link away."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from django.utils import timezone

from tests.browser.conftest import fits_the_screen
from tests.conftest import PASSWORD
from tests.web.console.test_analytics_page import a_warehouse
from ventanilla.warehouse.schema import DERIVED

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_the_dashboards_fit_a_phone_in_spanish_and_lead_on_by_keyboard(
    phone_page: Any, live_server: Any, make_staff: Any, settings: Any, tmp_path: Path
) -> None:
    yesterday = (timezone.now() - timedelta(days=1)).replace(tzinfo=None)
    path = a_warehouse(tmp_path / "warehouse.duckdb")
    with duckdb.connect(str(path)) as con:
        # Five rated cases closed yesterday by five people, by a channel with a long word in
        # its name: the satisfaction table, with its fourth column (the mean score), is shown.
        con.execute(
            "INSERT INTO dim_channel VALUES ('video', 'Videointerpretación en lengua de signos', "
            "'Sign language video interpreting', true)"
        )
        con.execute(
            "INSERT INTO fact_case (case_id, party_key, service_code, channel_code, "
            "department_code, status, is_open, opened_at, date_key, closed_at, satisfaction, "
            "satisfaction_at, updated_at) SELECT 'r' || i, 'q' || i, 'padron', 'video', 'ayto', "
            "'closed', false, ?, ?, ?, 4, ?, ? FROM range(5) t(i)",
            [yesterday, yesterday.date(), yesterday, yesterday, yesterday],
        )
        con.execute(f"CREATE OR REPLACE TABLE fact_satisfaction AS {DERIVED['fact_satisfaction']}")
    settings.VENTANILLA_WAREHOUSE_PATH = path
    make_staff("analista", "ayto", "analyst")
    page = phone_page
    page.goto(f"{live_server.url}/accounts/login/?next=/console/analytics/")
    page.get_by_label("User name").fill("analista")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password", exact=True).press("Enter")
    page.wait_for_url(f"{live_server.url}/console/analytics/")
    page.get_by_label("Language").select_option("es")
    page.get_by_role("button", name="Change").press("Enter")
    page.get_by_role("heading", level=1, name="Cuadros de mando").wait_for()

    assert page.get_by_role("heading", level=1).inner_text() == "Cuadros de mando"
    # Four columns of Spanish headings (satisfaction's mean score too) within 375 px.
    assert page.get_by_role("table", name="Satisfacción por canal").is_visible()
    assert fits_the_screen(page)

    page.get_by_label("Canal", exact=True).select_option(label="Presencial")
    page.get_by_role("button", name="Mostrar").press("Enter")
    page.wait_for_url("**channel=presencial**")
    assert "Sede electrónica" not in page.get_by_role("table").first.inner_text()

    page.get_by_role("link", name="Qué es cada segmento").press("Enter")
    page.wait_for_url(f"{live_server.url}/console/analytics/segments/")
    assert page.get_by_role("heading", level=1).inner_text() == "Segmentos de la población"
    assert fits_the_screen(page)
