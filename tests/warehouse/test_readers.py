"""A full build of committed data reads on connections of its own, a chunk ahead; inside a
transaction the Django connection reads. Both must give the warehouse the same tables, and the
application's own connection must go on working on the same database file."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction

from tests.warehouse.conftest import OPERATOR, a_day_at_the_office
from tests.warehouse.shared import tables
from ventanilla.cases.models import Case
from ventanilla.cases.services import case_open
from ventanilla.demo.catalogue import ensure_catalogue
from ventanilla.demo.synthetic import seed_municipality
from ventanilla.parties.models import Party
from ventanilla.warehouse import readers
from ventanilla.warehouse.build import warehouse_build
from ventanilla.warehouse.sources import Dialect

COLUMNS = [("id", "text"), ("note", "text"), ("at", "micros"), ("day", "days")]
# Three rows whose note is empty, then one with a note: read two rows a batch, the first batch
# holds no text to take the column's type from.
LATE_TEXT = """
    SELECT 'a' AS id, CAST(NULL AS TEXT) AS note, CAST(NULL AS BIGINT) AS at,
           CAST(NULL AS INTEGER) AS day
    UNION ALL SELECT 'b', NULL, NULL, NULL
    UNION ALL SELECT 'c', NULL, 1000000, 1
    UNION ALL SELECT 'd', 'escrito a mano', 86400000000, 365
"""


@pytest.mark.django_db(transaction=True)
def test_a_build_on_connections_of_its_own_gives_the_tables_of_one_on_the_application_s(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ensure_catalogue()
    seed_municipality(citizens=60, seed=11, progress=False, workers=0)
    a_day_at_the_office()
    used: list[str] = []
    apart = readers._apart

    def spy(*args: Any) -> Any:
        used.append(args[0])
        return apart(*args)

    monkeypatch.setattr(readers, "_apart", spy)
    warehouse_build(path=tmp_path / "apart.duckdb", full=True)
    vendor = readers.connection.vendor
    assert used and set(used) == {"postgresql" if vendor == "postgresql" else "sqlite"}
    apart_reads = len(used)

    with transaction.atomic():
        assert readers.own_address() is None
        warehouse_build(path=tmp_path / "cursor.duckdb", full=True)

    assert len(used) == apart_reads
    apart_tables = tables(tmp_path / "apart.duckdb")
    cursor_tables = tables(tmp_path / "cursor.duckdb")
    assert apart_tables == cursor_tables
    assert len(apart_tables["fact_interaction"]) > 100 and len(apart_tables["fact_case"]) > 8


@pytest.mark.django_db(transaction=True)
def test_a_column_empty_in_the_first_batch_still_takes_the_text_that_comes_later(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(readers, "CHUNK_ROWS", 2)

    assert readers.own_address() is not None
    read = [table.to_pylist() for table in readers.source_tables(LATE_TEXT, [], COLUMNS)]

    assert [row["id"] for chunk in read for row in chunk] == ["a", "b", "c", "d"]
    assert read[-1][-1]["note"] == "escrito a mano"
    assert str(read[-1][-1]["at"]) == "1970-01-02 00:00:00"
    assert str(read[-1][-1]["day"]) == "1971-01-01"


@pytest.mark.django_db
def test_inside_a_transaction_the_rows_are_read_by_the_connection_that_wrote_them() -> None:
    assert readers.own_address() is None
    read = [table.to_pylist() for table in readers.source_tables(LATE_TEXT, [], COLUMNS)]

    assert [row["note"] for chunk in read for row in chunk] == [None, None, None, "escrito a mano"]


@pytest.mark.django_db(transaction=True)
def test_after_a_build_the_application_and_another_process_go_on_writing_to_the_database(
    tmp_path: Path,
) -> None:
    """A reader with a SQLite of its own would drop the application's file locks on closing:
    another process (the web server beside the worker) would then take the database for
    unused, fold its journal in and delete it under the application's open connection."""
    ensure_catalogue()
    seed_municipality(citizens=20, seed=5, progress=False, workers=0)
    person = Party.objects.filter(kind="person", status="active").order_by("id").first()
    assert person is not None
    warehouse_build(path=tmp_path / "before.duckdb", full=True)
    before = len(tables(tmp_path / "before.duckdb")["fact_case"])

    for round_ in range(3):
        case_open(
            actor=OPERATOR,
            party_id=person.pk,
            service_code="alumbrado-publico",
            description=f"Farola apagada, aviso {round_}",
            channel="phone",
            form_data={"place": "Calle Mayor 3", "lamp_number": "F-2", "lamps_out": 1},
        )
        warehouse_build(path=tmp_path / f"round-{round_}.duckdb", full=True)
        if readers.connection.vendor == "sqlite":
            _another_process_writes(str(readers.connection.settings_dict["NAME"]))

    assert len(tables(tmp_path / "round-2.duckdb")["fact_case"]) == before + 3
    assert Case.objects.count() >= 3


def _another_process_writes(path: str) -> None:
    script = (
        "import sqlite3, sys\n"
        "link = sqlite3.connect(sys.argv[1])\n"
        "link.execute('PRAGMA journal_mode=WAL')\n"
        "link.execute('CREATE TABLE IF NOT EXISTS another_process (n INTEGER)')\n"
        "link.execute('INSERT INTO another_process VALUES (1)')\n"
        "link.commit()\n"
        "link.close()\n"
    )
    subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [sys.executable, "-c", script, path], check=True, timeout=60
    )


@pytest.mark.django_db
def test_a_time_a_moment_before_the_next_second_keeps_its_second() -> None:
    """SQLite before 3.42 rounds a time to the millisecond when it reads its seconds: the
    warehouse read 21:53:34.999712 as 21:53:35.999712 on the application's connection, and
    right on a reader process with a newer SQLite."""
    dialect = Dialect(connection.vendor)
    written = "2026-12-06 21:53:34.999712"
    value = f"TIMESTAMPTZ '{written}+00'" if dialect.postgres else f"'{written}'"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {dialect.micros(value)}", [])  # noqa: S608 - a literal
        (micros,) = cursor.fetchone()
    assert datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=micros) == datetime(
        2026, 12, 6, 21, 53, 34, 999712, tzinfo=UTC
    )
