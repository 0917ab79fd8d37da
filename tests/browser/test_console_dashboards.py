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
from ventanilla.demo.boundaries import write_town_boundaries
from ventanilla.demo.names import DISTRICTS
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
            "satisfaction_at, updated_at) SELECT 'r' || i, 100 + i, 'padron', 'video', 'ayto', "
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


def test_the_charts_and_the_map_are_drawn_under_the_strict_policy_in_spanish(
    page: Any, live_server: Any, make_staff: Any, settings: Any, tmp_path: Path
) -> None:
    path = a_warehouse(tmp_path / "warehouse.duckdb")
    centre, north = DISTRICTS[0], DISTRICTS[1]
    with duckdb.connect(str(path)) as con:
        for n in range(1, 12):  # six cases in the centre, two in the north (too few to show)
            where = centre.name if n <= 6 else north.name if n <= 8 else None
            con.execute("UPDATE fact_case SET district = ? WHERE case_id = ?", [where, f"c{n}"])
    settings.VENTANILLA_WAREHOUSE_PATH = path
    settings.VENTANILLA_DISTRICTS_GEOJSON = tmp_path / "districts.geojson"
    write_town_boundaries(settings.VENTANILLA_DISTRICTS_GEOJSON)
    make_staff("analista", "ayto", "analyst")
    refused: list[str] = []
    failures: list[str] = []
    page.on("pageerror", lambda error: failures.append(str(error)))
    page.expose_function("__cspRefused", lambda what: refused.append(what))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', "
        "e => window.__cspRefused(e.violatedDirective + ' ' + e.blockedURI))"
    )

    page.goto(f"{live_server.url}/accounts/login/?next=/console/analytics/")
    page.get_by_label("Nombre de usuario").fill("analista")
    page.get_by_label("Contraseña", exact=True).fill(PASSWORD)
    page.get_by_label("Contraseña", exact=True).press("Enter")
    page.wait_for_url(f"{live_server.url}/console/analytics/")
    page.locator("[data-map][data-drawn='true']").wait_for()

    # Every figure's chart is drawn on a canvas, named for what it shows, above its table.
    charts = page.locator("[data-chart]")
    assert charts.count() == 3  # the others hide every cell: their tables say so
    for n in range(charts.count()):
        assert charts.nth(n).locator("canvas").count() == 1
    assert page.get_by_role("img", name="Gráfico de «Contactos por canal»").is_visible()
    # The map: each district of the town with its cases, the hidden one drawn as no figure.
    areas = page.evaluate(
        "() => echarts.getInstanceByDom(document.querySelector('[data-map]'))"
        ".getOption().series[0].data"
    )
    drawn = {area["name"]: area["value"] for area in areas}
    assert len(drawn) == len(DISTRICTS)
    assert drawn[centre.name] == 6 and drawn[north.name] is None

    # Pointing at the centre of the town names the district and its figure, in Spanish.
    page.locator("[data-map]").scroll_into_view_if_needed()
    x, y = page.evaluate(
        "([lon, lat]) => echarts.getInstanceByDom(document.querySelector('[data-map]'))"
        ".convertToPixel({seriesIndex: 0}, [lon, lat])",
        [centre.longitude, centre.latitude],
    )
    box = page.locator("[data-map]").bounding_box()
    page.mouse.move(box["x"] + x, box["y"] + y)
    page.get_by_text(f"{centre.name}: 6").wait_for()
    x, y = page.evaluate(
        "([lon, lat]) => echarts.getInstanceByDom(document.querySelector('[data-map]'))"
        ".convertToPixel({seriesIndex: 0}, [lon, lat])",
        [north.longitude, north.latitude],
    )
    page.mouse.move(box["x"] + x, box["y"] + y)
    page.get_by_text(f"{north.name}: menos de 5").wait_for()

    # The charts' script is built with only the parts of ECharts they use: each part they ask
    # for is there (a part left out of the build would be dropped without an error).
    parts = page.evaluate(
        "() => [...document.querySelectorAll('[data-chart], [data-map]')].map(el => {"
        " const model = echarts.getInstanceByDom(el).getModel();"
        " return ['grid', 'tooltip', 'legend', 'visualMap']"
        ".filter(t => model.getComponent(t)); })"
    )
    assert parts == [["grid", "tooltip", "legend"]] * 3 + [["tooltip", "visualMap"]]
    assert not refused, refused
    assert not failures, failures
