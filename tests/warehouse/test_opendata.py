"""Open data of service requests: the command writes three tables (by service, district and
channel) as CSV and, together, as JSON, each field described; no count of fewer than five people
is published, nor one that would reveal it; the hidden counts are marked and the shown ones are
exact; nothing names a person; the period can be chosen."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.warehouse.conftest import OPERATOR
from tests.warehouse.shared import rows
from tests.warehouse.test_warehouse_build import _needles
from ventanilla.cases.models import Case
from ventanilla.cases.services import case_open, case_transition
from ventanilla.catalog.models import Channel, PublicService
from ventanilla.catalog.services import service_ensure
from ventanilla.parties.models import Party
from ventanilla.warehouse.build import warehouse_build
from ventanilla.warehouse.opendata import TABLES, fields_of

CUTS = {table.name: table for table in TABLES}


# A month before the demo town's history: what is planted there is all there is in it.
PLANTED = datetime(2016, 1, 15, 10, tzinfo=UTC)


def plant(person: Party, service: str, channel: str, district: str, *, closed: bool) -> None:
    case = case_open(
        actor=OPERATOR,
        party_id=person.pk,
        service_code=service,
        channel=channel,
        description=f"Aviso de {service}",
        district=district,
    )
    if closed:
        for step in ("accept", "start", "resolve", "close"):
            case_transition(actor=OPERATOR, case_id=case.pk, action=step, reason="Hecho")
    Case.objects.filter(pk=case.pk).update(opened_at=PLANTED)


@pytest.fixture
def warehouse(demo_town: dict[str, Any], db: None, tmp_path: Path) -> Path:
    """The demo town's warehouse with a month of its own: twenty requests from twenty people for
    fountains in the Ensanche through the drop box, half of them closed, enough people behind
    each count for it to be shown; and four requests from four people (benches and bins, in
    Arrabal and Ribera, by phone and at the desk, one of each open and one closed), too few,
    so each line of that month hides at least two counts and no total gives one away."""
    department = PublicService.objects.get(code="desperfectos-calzada").department
    for code, es, en in (
        ("fuentes", "Fuentes", "Fountains"),
        ("bancos", "Bancos", "Benches"),
        ("papeleras", "Papeleras", "Bins"),
    ):
        service_ensure(code=code, name_es=es, name_en=en, department=department)
    Channel.objects.create(code="buzon", name_es="Buzón", name_en="Drop box")
    people = list(Party.objects.filter(kind="person", status="active").order_by("-created_at")[:24])
    for n, person in enumerate(people[:20]):
        plant(person, "fuentes", "buzon", "Ensanche", closed=bool(n % 2))
    small = [
        ("bancos", "phone", "Arrabal"),
        ("papeleras", "desk", "Ribera"),
    ]
    for n, person in enumerate(people[20:]):
        service, channel, district = small[n % 2]
        plant(person, service, channel, district, closed=n >= 2)
    path = tmp_path / "warehouse.duckdb"
    warehouse_build(path=path, full=True)
    return path


def export(warehouse: Path, directory: Path, *extra: str) -> str:
    out = StringIO()
    call_command(
        "warehouse", "opendata", str(directory), "--path", str(warehouse), *extra, stdout=out
    )
    return out.getvalue()


def published(directory: Path) -> dict[str, Any]:
    return dict(json.loads((directory / "service-requests.json").read_text(encoding="utf-8")))


def test_each_table_is_a_csv_the_json_holds_them_all_and_every_field_is_described(
    warehouse: Path, tmp_path: Path
) -> None:
    printed = export(warehouse, tmp_path)
    document = published(tmp_path)

    assert set(document["tables"]) == {"by_service", "by_district", "by_channel"}
    assert document["small_cell_threshold"] == 5
    for name, table in document["tables"].items():
        slug = name.replace("_", "-")
        with (tmp_path / f"service-requests-{slug}.csv").open(encoding="utf-8") as file:
            lines = list(csv.DictReader(file))
        names = [field for field, *_ in fields_of(CUTS[name])]
        assert [f["name"] for f in table["fields"]] == names == list(lines[0])
        assert all(f["description"] for f in table["fields"])
        assert len(lines) == len(table["rows"]) > 5
        for line, row in zip(lines, table["rows"], strict=True):
            assert line["requests"] == ("" if row["requests"] is None else str(row["requests"]))
            assert line["suppressed"] == ("true" if row["suppressed"] else "false")
        hidden = sum(1 for row in table["rows"] if row["suppressed"])
        assert f"{len(lines):,} rows, {hidden:,} of them suppressed" in printed
    service = next(r for r in document["tables"]["by_service"]["rows"] if r["service_code"])
    assert service["service_name_es"] and service["service_name_en"]


@pytest.mark.parametrize("name", sorted(CUTS))
def test_no_small_count_is_published_and_the_shown_ones_are_exact(
    warehouse: Path, tmp_path: Path, name: str
) -> None:
    export(warehouse, tmp_path)
    table = published(tmp_path)["tables"][name]
    column = CUTS[name].column
    counted = {
        tuple(key): n
        for *key, n in rows(
            warehouse,
            f"SELECT year(date_key), month(date_key), coalesce({column}, ''), "  # noqa: S608
            "CASE WHEN is_open THEN 'open' ELSE 'closed' END, COUNT(*) FROM fact_case "
            "GROUP BY ALL",
        )
    }
    shown = [row for row in table["rows"] if not row["suppressed"]]
    hidden = [row for row in table["rows"] if row["suppressed"]]

    def key(row: dict[str, Any]) -> tuple[Any, ...]:
        return (row["year"], row["month"], row[column], row["status"])

    planted = {"by_service": "fuentes", "by_district": "Ensanche", "by_channel": "buzon"}[name]
    month = [row for row in table["rows"] if (row["year"], row["month"]) == (2016, 1)]
    assert {(r["status"], r["requests"]) for r in month if r[column] == planted} == {
        ("open", 10),
        ("closed", 10),
    }
    assert len([r for r in month if r["suppressed"]]) == 4
    assert all(row["requests"] == counted[key(row)] >= 5 for row in shown)
    assert all(row["requests"] is None for row in hidden)
    assert {key(row) for row in table["rows"]} == set(counted)


def test_a_few_requests_and_the_count_that_would_give_them_away_are_hidden(
    warehouse: Path, tmp_path: Path
) -> None:
    export(warehouse, tmp_path)
    by_service = published(tmp_path)["tables"]["by_service"]["rows"]
    today = timezone.localdate()

    # Today's street-lighting requests of the day at the office: the three still open come from
    # three people, too few; the month's closed ones beside them would give them away through
    # the month's total of that service, so they are hidden too.
    lighting = {
        row["status"]: row
        for row in by_service
        if (row["year"], row["month"], row["service_code"])
        == (today.year, today.month, "alumbrado-publico")
    }
    assert lighting["open"]["suppressed"] and lighting["open"]["requests"] is None
    assert lighting["closed"]["suppressed"]


def test_nothing_in_the_files_names_a_person(warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "opendata"
    export(warehouse, out)
    needles = _needles()

    for file in out.iterdir():
        text = file.read_text(encoding="utf-8").lower()
        assert [n for n in needles if n.lower() in text] == [], file.name


def test_a_period_keeps_only_its_months(warehouse: Path, tmp_path: Path) -> None:
    year = timezone.localdate().year
    export(warehouse, tmp_path, "--from", f"{year}-01-01", "--to", f"{year}-12-31")
    document = published(tmp_path)

    years = {row["year"] for table in document["tables"].values() for row in table["rows"]}
    assert years == {year}
    assert (document["from"], document["to"]) == (f"{year}-01-01", f"{year}-12-31")
