"""A resident on a phone finds the open data from the portal's home, reads what each field
holds without the page scrolling sideways, and downloads a file by keyboard."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import fits_the_screen
from tests.web.console.test_analytics_page import a_warehouse
from ventanilla.warehouse.opendata import open_data_write

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_open_data_is_found_read_and_downloaded_on_a_phone_by_keyboard(
    phone_page: Any, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    settings.VENTANILLA_OPEN_DATA_DIR = tmp_path / "opendata"
    open_data_write(
        directory=settings.VENTANILLA_OPEN_DATA_DIR,
        path=a_warehouse(tmp_path / "warehouse.duckdb"),
    )
    page = phone_page

    page.goto(f"{live_server.url}/portal/")
    page.get_by_role("link", name="Open data").press("Enter")
    page.get_by_role("heading", level=1, name="Open data: service requests").wait_for()

    assert page.get_by_text("How many requests; empty when suppressed.").is_visible()
    assert fits_the_screen(page)
    link = page.get_by_role("link", name="Requests by district")
    link.focus()
    with page.expect_download() as started:
        page.keyboard.press("Enter")
    download = started.value
    assert download.suggested_filename == "service-requests-by-district.csv"
    saved = tmp_path / "saved.csv"
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"year,month,district,status,requests,suppressed")
