"""The analysts' dashboard reads the warehouse: names, not codes; small cells hidden on the page
and in the CSV; front-line staff refused; a clear word when the warehouse is not built yet."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import sign_in
from tests.web.test_no_raw_keys import raw_keys
from ventanilla.warehouse.schema import DERIVED, TABLES


def a_warehouse(path: Path) -> Path:
    """A small warehouse in the build's own schema: 40 web contacts from 20 people, 20 in person
    from 10, 3 phone contacts from 2 people (a small cell), cases of two services, one open for
    months."""
    today = timezone.localdate()
    with duckdb.connect(str(path)) as con:
        for name, columns in TABLES.items():
            con.execute(f"CREATE TABLE {name} ({columns})")
        con.execute(
            "CREATE TABLE dim_channel AS SELECT * FROM (VALUES "
            "('web', 'Sede electrónica', 'Website', false), "
            "('telefono', 'Teléfono 010', 'Phone 010', true), "
            "('presencial', 'Presencial', 'In person', true)) "
            "t(channel_code, name_es, name_en, assisted)"
        )
        con.execute(
            "CREATE TABLE dim_agency AS SELECT * FROM (VALUES "
            "('ayto', 'municipality', 'Ayuntamiento', 'Town hall', NULL, 'ayto')) "
            "t(agency_code, kind, name_es, name_en, parent_code, path)"
        )
        con.execute(
            "CREATE TABLE dim_service AS SELECT * FROM (VALUES "
            "('alumbrado-publico', 'Alumbrado público', 'Street lighting', 'ayto', 'ayto', 10, "
            "true), ('padron', 'Empadronamiento', 'Registration', 'ayto', 'ayto', 5, true)) "
            "t(service_code, name_es, name_en, agency_code, department_code, deadline_days, active)"
        )
        now = datetime.combine(today, datetime.min.time())
        for n in range(40):
            con.execute(
                "INSERT INTO fact_interaction (interaction_id, party_key, occurred_at, date_key, "
                "channel_code, agency_code, updated_at) VALUES (?, ?, ?, ?, 'web', 'ayto', ?)",
                [f"w{n}", n % 20, now, today, now],
            )
        for n in range(20):
            con.execute(
                "INSERT INTO fact_interaction (interaction_id, party_key, occurred_at, date_key, "
                "channel_code, agency_code, updated_at) "
                "VALUES (?, ?, ?, ?, 'presencial', 'ayto', ?)",
                [f"d{n}", n % 10, now, today, now],
            )
        for n in range(3):
            con.execute(
                "INSERT INTO fact_interaction (interaction_id, party_key, occurred_at, date_key, "
                "channel_code, agency_code, updated_at) VALUES (?, ?, ?, ?, 'telefono', 'ayto', ?)",
                [f"t{n}", n % 2, now, today, now],
            )
        for n in range(12):
            service = "alumbrado-publico" if n < 8 else "padron"
            opened = today - timedelta(days=200 if n == 0 else 2)
            con.execute(
                "INSERT INTO fact_case (case_id, party_key, service_code, channel_code, "
                "department_code, status, is_open, opened_at, date_key, closed_late, satisfaction, "
                "updated_at) VALUES (?, ?, ?, 'web', 'ayto', 'open', ?, ?, ?, ?, ?, ?)",
                [
                    f"c{n}",
                    n,
                    service,
                    n < 9,
                    opened,
                    opened,
                    None if n < 9 else False,
                    None if n < 9 else 4,
                    now,
                ],
            )
        con.execute(
            "CREATE TABLE dim_life_event AS SELECT * FROM (VALUES "
            "('mudanza', 'personal', 'Cambio de domicilio', 'Moving house')) "
            "t(life_event_code, kind, name_es, name_en)"
        )
        con.execute(
            "CREATE TABLE bridge_service_life_event AS SELECT * FROM (VALUES "
            "('padron', 'mudanza')) t(service_code, life_event_code)"
        )
        for name, sql in DERIVED.items():
            con.execute(f"CREATE TABLE {name} AS {sql}")
    return path


@pytest.fixture
def built(tmp_path: Path, settings: Any) -> Path:
    settings.VENTANILLA_WAREHOUSE_PATH = a_warehouse(tmp_path / "warehouse.duckdb")
    return settings.VENTANILLA_WAREHOUSE_PATH


def test_an_analyst_sees_the_figures_by_name_with_the_small_cells_hidden(
    built: Path, make_staff: Any
) -> None:
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), make_staff("ana", "ayto", "analyst"))

    page = client.get("/console/analytics/").content.decode()

    assert "Contacts by channel" in page
    assert "Website" in page and "Street lighting" in page
    assert "alumbrado-publico</" not in page and ">web<" not in page
    # 40 web contacts shown; the phone's 3 contacts from 2 people are not, nor the 20 in person
    # (the total, 63, would give the phone's away).
    assert "<td>40</td>" in page and "<td>63</td>" in page
    assert "Phone 010" in page and "fewer than 5" in page
    assert "<td>3</td>" not in page and "<td>20</td>" not in page
    # The case open for 200 days sits in its age band (one case: hidden).
    assert "90 to 364 days" in page
    assert 'href="?format=csv&amp;figure=channels"' in page
    assert not raw_keys(page)


def test_the_csv_hides_the_small_cell_too(built: Path, make_staff: Any) -> None:
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="es"), make_staff("ana", "ayto", "analyst"))

    response = client.get("/console/analytics/?days=90&format=csv&figure=channels")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = response.content.decode().splitlines()
    assert any(r.startswith("Sede electrónica,40,") for r in rows)
    phone = next(r for r in rows if r.startswith("Teléfono 010"))
    assert ",3," not in phone and "5" in phone


def test_figures_are_kept_until_the_next_build_and_read_again_after_it(
    built: Path, make_staff: Any, settings: Any
) -> None:
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="es"), make_staff("ana", "ayto", "analyst"))
    with duckdb.connect(str(built)) as con:
        con.execute("CREATE TABLE warehouse_meta (name VARCHAR PRIMARY KEY, value VARCHAR)")
        con.execute("INSERT INTO warehouse_meta VALUES ('edition', 'first build')")

    def web_contacts() -> str:
        csv = client.get("/console/analytics/?format=csv&figure=channels").content.decode()
        return next(row for row in csv.splitlines() if row.startswith("Sede electrónica,"))

    assert web_contacts().startswith("Sede electrónica,40,")
    now = datetime.combine(timezone.localdate(), datetime.min.time())
    with duckdb.connect(str(built)) as con:
        con.execute(
            "INSERT INTO fact_interaction (interaction_id, party_key, occurred_at, date_key, "
            "channel_code, agency_code, updated_at) SELECT 'n' || i, 900 + i, ?, ?, 'web', "
            "'ayto', ? FROM range(10) t(i)",
            [now, now.date(), now],
        )
    # The page a moment later, the same filters: the figures as they were read.
    assert web_contacts().startswith("Sede electrónica,40,")

    with duckdb.connect(str(built)) as con:
        con.execute("UPDATE warehouse_meta SET value = 'next build' WHERE name = 'edition'")
    assert web_contacts().startswith("Sede electrónica,50,")
    # A threshold changed since is applied at once, not after the next build: the phone's three
    # contacts from two people, hidden at 5, are shown at 2.
    settings.VENTANILLA_SMALL_CELL_THRESHOLD = 2
    phone = client.get("/console/analytics/?format=csv&figure=channels").content.decode()
    assert any(row.startswith("Teléfono 010,3,") for row in phone.splitlines())


def test_a_filter_by_channel_keeps_only_that_channel(built: Path, make_staff: Any) -> None:
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), make_staff("ana", "ayto", "analyst"))

    rows = client.get("/console/analytics/?channel=web&format=csv&figure=channels")
    assert "Phone 010" not in rows.content.decode()


def test_a_front_line_agent_is_refused(built: Path, make_staff: Any) -> None:
    client = sign_in(Client(), make_staff("agente", "ayto", "agent"))

    assert client.get("/console/analytics/").status_code == 403


def test_before_the_first_build_the_page_says_how_the_warehouse_is_built(
    tmp_path: Path, settings: Any, make_staff: Any
) -> None:
    settings.VENTANILLA_WAREHOUSE_PATH = tmp_path / "none.duckdb"
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), make_staff("ana", "ayto", "analyst"))

    page = client.get("/console/analytics/").content.decode()

    assert "has not been built yet" in page
    assert "ventanilla warehouse build" in page


def test_the_analysts_home_leads_to_the_dashboards(make_staff: Any) -> None:
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), make_staff("ana", "ayto", "analyst"))

    page = client.get("/console/home/").content.decode()

    assert 'href="/console/analytics/"' in page
    assert "not available yet" not in page


def test_how_contacts_ended_gives_the_first_contact_resolution(
    built: Path, make_staff: Any
) -> None:
    today = timezone.localdate()
    now = datetime.combine(today, datetime.min.time())
    with duckdb.connect(str(built)) as con:
        # 30 calls from 10 people: 24 answered there and then, 6 ending in an appointment.
        for n in range(30):
            con.execute(
                "INSERT INTO fact_interaction (interaction_id, party_key, occurred_at, date_key, "
                "channel_code, agency_code, direction, outcome, updated_at) "
                "VALUES (?, ?, ?, ?, 'telefono', 'ayto', 'inbound', ?, ?)",
                [f"o{n}", 200 + n % 10, now, today, "answered" if n < 24 else "appointment", now],
            )
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), make_staff("ana", "ayto", "analyst"))

    page = client.get("/console/analytics/").content.decode()

    assert "How contacts ended" in page
    assert "80% of the contacts whose outcome was recorded were answered there and then" in page
    assert "Answered" in page and "Appointment given" in page
    assert "Cases opened by district" in page
    assert not raw_keys(page)


def boundaries(path: Path, *names: str) -> Path:
    """A boundaries file with one small square for each district named."""
    square = [[[-3.70, 40.41], [-3.69, 40.41], [-3.69, 40.42], [-3.70, 40.42], [-3.70, 40.41]]]
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"name": name},
                        "geometry": {"type": "Polygon", "coordinates": square},
                    }
                    for name in names
                ],
            }
        ),
        encoding="utf-8",
    )
    return path


def in_districts(warehouse: Path, **cases: str) -> None:
    with duckdb.connect(str(warehouse)) as con:
        for case, district in cases.items():
            con.execute("UPDATE fact_case SET district = ? WHERE case_id = ?", [district, case])


def script_data(page: str, element_id: str) -> Any:
    found = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', page)
    assert found, f"no {element_id} on the page"
    return json.loads(found.group(1))


def test_each_figure_carries_its_chart_with_the_small_cells_drawn_as_none(
    built: Path, make_staff: Any
) -> None:
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), make_staff("ana", "ayto", "analyst"))

    page = client.get("/console/analytics/").content.decode()

    chart = script_data(page, "chart-channels")
    drawn = dict(zip(chart["labels"], chart["now"], strict=True))
    assert drawn["Website"] == 40
    assert drawn["Phone 010 (fewer than 5)"] is None
    assert chart["names"] == ["This period", "Previous period"]
    assert 'id="chart-backlog"' not in page  # both its cells hidden: the table alone says it
    # A chart for each figure with a cell to show; one whose every cell is hidden has its table.
    assert set(re.findall(r'data-chart="([\w-]+)"', page)) == {
        "chart-trend",
        "chart-channels",
        "chart-districts",
    }
    assert "vendor/echarts.min" in page and "js/dashboard" in page


def test_the_map_draws_cases_by_district_with_the_small_cells_hidden(
    built: Path, make_staff: Any, settings: Any, tmp_path: Path
) -> None:
    in_districts(built, **{f"c{n}": "Centro" for n in range(1, 7)}, c7="Norte", c8="Norte")
    in_districts(built, c9="Polígono", c10="Polígono", c11="Polígono")
    opened = datetime.combine(timezone.localdate() - timedelta(days=3), datetime.min.time())
    with duckdb.connect(str(built)) as con:  # eight cases in a district the file lacks
        for n in range(8):
            con.execute(
                "INSERT INTO fact_case (case_id, party_key, service_code, channel_code, "
                "department_code, status, is_open, opened_at, date_key, district, updated_at) "
                "VALUES (?, ?, 'padron', 'web', 'ayto', 'open', true, ?, ?, 'Ensanche', ?)",
                [f"e{n}", 400 + n, opened, opened.date(), opened],
            )
    settings.VENTANILLA_DISTRICTS_GEOJSON = boundaries(
        tmp_path / "districts.geojson", "Centro", "Norte", "Sur"
    )
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), make_staff("ana", "ayto", "analyst"))

    page = client.get("/console/analytics/").content.decode()

    drawn = script_data(page, "district-map")
    # Six cases from six people in the centre; two in the north are too few to show; none in
    # the south. A district the file does not know is named under the map.
    assert drawn["areas"] == [
        {"name": "Centro", "value": 6},
        {"name": "Norte", "value": None},
        {"name": "Sur", "value": 0},
    ]
    assert "Not on the map: Ensanche, Polígono." in page
    assert drawn["top"] == 6  # the colours run to the busiest district drawn, not Ensanche
    shapes = client.get(drawn["url"])
    assert shapes.status_code == 200
    assert shapes["Content-Type"] == "application/geo+json"
    assert [f["properties"]["name"] for f in json.loads(shapes.content)["features"]] == [
        "Centro",
        "Norte",
        "Sur",
    ]


def test_the_boundaries_are_for_those_who_read_the_dashboards(
    built: Path, make_staff: Any, settings: Any, tmp_path: Path
) -> None:
    settings.VENTANILLA_DISTRICTS_GEOJSON = boundaries(tmp_path / "districts.geojson", "Centro")
    client = sign_in(Client(), make_staff("agente", "ayto", "agent"))

    assert client.get("/console/analytics/districts.geojson").status_code == 403


def test_without_boundaries_the_page_says_how_to_have_a_map(
    built: Path, make_staff: Any, settings: Any, tmp_path: Path
) -> None:
    settings.VENTANILLA_DISTRICTS_GEOJSON = tmp_path / "none.geojson"
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), make_staff("ana", "ayto", "analyst"))

    page = client.get("/console/analytics/").content.decode()

    assert 'data-testid="map-missing"' in page and "VENTANILLA_DISTRICTS_GEOJSON" in page
    assert 'id="district-map"' not in page
    assert client.get("/console/analytics/districts.geojson").status_code == 404


def test_boundaries_that_cannot_be_drawn_are_named_with_the_reason(
    built: Path, make_staff: Any, settings: Any, tmp_path: Path
) -> None:
    settings.VENTANILLA_DISTRICTS_GEOJSON = tmp_path / "districts.geojson"
    settings.VENTANILLA_DISTRICTS_GEOJSON.write_text("<kml/>", encoding="utf-8")
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), make_staff("ana", "ayto", "analyst"))

    page = client.get("/console/analytics/").content.decode()

    assert "The map of the districts cannot be drawn:" in page
    assert "The file of district boundaries is not JSON." in page
    assert client.get("/console/analytics/districts.geojson").status_code == 404


def rebuild_derived(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse)) as con:
        for name, sql in DERIVED.items():
            con.execute(f"CREATE OR REPLACE TABLE {name} AS {sql}")


def test_repeat_contacts_are_the_same_person_about_the_same_service_within_30_days(
    built: Path, make_staff: Any
) -> None:
    today = timezone.localdate()
    with duckdb.connect(str(built)) as con:
        # Twelve people ask about street lighting; six of them ask again ten days later, and
        # four more ask about it again after 40 days (not a repeat: a new matter).
        for n in range(12):
            for k, ago in enumerate((25, 15) if n < 6 else (55, 15) if n < 10 else (15,)):
                day = today - timedelta(days=ago)
                con.execute(
                    "INSERT INTO fact_interaction (interaction_id, party_key, occurred_at, "
                    "date_key, channel_code, agency_code, service_code, direction, updated_at) "
                    "VALUES (?, ?, ?, ?, 'telefono', 'ayto', 'alumbrado-publico', 'inbound', ?)",
                    [f"r{n}-{k}", 500 + n, day, day, day],
                )
    rebuild_derived(built)
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), make_staff("ana", "ayto", "analyst"))

    page = client.get("/console/analytics/").content.decode()
    rows = client.get("/console/analytics/?format=csv&figure=repeats").content.decode()

    # In the last 30 days: 6 + 6 + 4 + 2 = 18 contacts, of which the six second ones repeat.
    assert "33% of the public's contacts about a service came from someone" in page
    assert "Again about the same service within 30 days,6," in rows
    assert "The first about that service in 30 days,12," in rows


def test_time_to_resolve_is_the_median_in_days_and_satisfaction_is_by_service_too(
    built: Path, make_staff: Any
) -> None:
    today = timezone.localdate()
    opened = datetime.combine(today - timedelta(days=10), datetime.min.time())
    with duckdb.connect(str(built)) as con:
        for n, days in enumerate((1, 2, 3, 4, 8)):  # five people's cases: the median is 3 days
            con.execute(
                "INSERT INTO fact_case (case_id, party_key, service_code, channel_code, "
                "department_code, status, is_open, opened_at, date_key, closed_at, "
                "hours_to_close, satisfaction, updated_at) VALUES (?, ?, 'alumbrado-publico', "
                "'web', 'ayto', 'closed', false, ?, ?, ?, ?, ?, ?)",
                [
                    f"z{n}",
                    300 + n,
                    opened,
                    opened.date(),
                    opened + timedelta(days=days),
                    24.0 * days,
                    2 + n % 3,
                    opened,
                ],
            )
    rebuild_derived(built)
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), make_staff("ana", "ayto", "analyst"))

    # For street lighting alone: the three registrations closed would otherwise be one hidden
    # cell beside it, and it would be hidden too, lest the total give them away.
    only = "/console/analytics/?service=alumbrado-publico&format=csv"
    resolution = client.get(f"{only}&figure=resolution").content.decode()
    rated = client.get(f"{only}&figure=satisfaction_services").content.decode()

    assert resolution.splitlines()[0] == "Service,This period,Previous period,Median days to close"
    assert "Street lighting,5,fewer than 5 people,3.00" in resolution.splitlines()
    # Scores 2, 3, 4, 2, 3: a mean of 2.8.
    assert "Street lighting,5,fewer than 5 people,2.80" in rated.splitlines()


def test_the_service_filter_keeps_that_services_cases_and_life_events_count_them(
    built: Path, make_staff: Any
) -> None:
    today = timezone.localdate()
    opened = datetime.combine(today - timedelta(days=3), datetime.min.time())
    with duckdb.connect(str(built)) as con:
        for n in range(6):  # six more registrations: a life event of moving house
            con.execute(
                "INSERT INTO fact_case (case_id, party_key, service_code, channel_code, "
                "department_code, status, is_open, opened_at, date_key, updated_at) "
                "VALUES (?, ?, 'padron', 'web', 'ayto', 'open', true, ?, ?, ?)",
                [f"m{n}", 600 + n, opened, opened.date(), opened],
            )
    rebuild_derived(built)
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), make_staff("ana", "ayto", "analyst"))

    everything = client.get("/console/analytics/?format=csv&figure=services").content.decode()
    registration = client.get(
        "/console/analytics/?service=padron&format=csv&figure=services"
    ).content.decode()
    moving = client.get("/console/analytics/?format=csv&figure=life_events").content.decode()

    assert "Street lighting" in everything
    assert "Street lighting" not in registration and "Registration,10," in registration
    assert "Moving house,10," in moving


def test_the_contacts_by_channel_week_by_week_hide_the_small_cells(
    built: Path, make_staff: Any
) -> None:
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), make_staff("ana", "ayto", "analyst"))

    page = client.get("/console/analytics/").content.decode()

    chart = script_data(page, "chart-trend")
    # Every week is named by its Monday but the first, which began before the period.
    assert chart["labels"][0].startswith(("Week of ", "From "))
    assert all(label.startswith("Week of ") for label in chart["labels"][1:])
    drawn = {line["name"]: line["values"] for line in chart["lines"]}
    assert drawn["Website"][-1] == 40
    assert drawn["Phone 010"][-1] is None  # three contacts from two people
    assert "Contacts by channel, week by week" in page
    year = script_data(client.get("/console/analytics/?days=365").content.decode(), "chart-trend")
    assert len(year["labels"]) == 1 and "Week" not in year["labels"][0]
    # Contacts from the period's first day: its week began before, and says from when.
    with duckdb.connect(str(built)) as con:
        first = timezone.localdate() - timedelta(days=89)
        con.execute(
            "INSERT INTO fact_interaction (interaction_id, party_key, occurred_at, date_key, "
            "channel_code, agency_code, updated_at) SELECT 'f' || i, 700 + i, ?, ?, 'web', "
            "'ayto', ? FROM range(5) t(i)",
            [first, first, first],
        )
    quarter = client.get("/console/analytics/?days=90").content.decode()
    labels = script_data(quarter, "chart-trend")["labels"]
    if first.weekday():  # a period that starts on a Monday has no partial week
        assert labels[0] == f"From {first.day} {first:%b}"
