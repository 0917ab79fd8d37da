"""A full build of committed data reads through the database's Arrow-native driver; inside a
transaction the Django connection reads. Both must give the warehouse the same tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from tests.warehouse.conftest import a_day_at_the_office
from tests.warehouse.shared import tables
from ventanilla.demo.catalogue import ensure_catalogue
from ventanilla.demo.synthetic import seed_municipality
from ventanilla.warehouse import readers
from ventanilla.warehouse.build import warehouse_build

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
def test_a_build_through_the_native_driver_gives_the_tables_of_one_through_the_cursor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ensure_catalogue()
    seed_municipality(citizens=60, seed=11, progress=False, workers=0)
    a_day_at_the_office()
    used: list[str] = []
    native = readers._native

    def spy(*args: Any) -> Any:
        used.append(args[0])
        return native(*args)

    monkeypatch.setattr(readers, "_native", spy)
    warehouse_build(path=tmp_path / "native.duckdb", full=True)
    vendor = readers.connection.vendor
    assert used and set(used) == {"postgresql" if vendor == "postgresql" else "sqlite"}
    native_reads = len(used)

    with transaction.atomic():
        assert readers.native_uri() is None
        warehouse_build(path=tmp_path / "cursor.duckdb", full=True)

    assert len(used) == native_reads
    native_tables = tables(tmp_path / "native.duckdb")
    cursor_tables = tables(tmp_path / "cursor.duckdb")
    assert native_tables == cursor_tables
    assert len(native_tables["fact_interaction"]) > 100 and len(native_tables["fact_case"]) > 8


@pytest.mark.django_db(transaction=True)
def test_a_column_empty_in_the_first_batch_still_takes_the_text_that_comes_later(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(readers, "CHUNK_ROWS", 2)

    assert readers.native_uri() is not None
    read = [table.to_pylist() for table in readers.source_tables(LATE_TEXT, [], COLUMNS)]

    assert [row["id"] for chunk in read for row in chunk] == ["a", "b", "c", "d"]
    assert read[-1][-1]["note"] == "escrito a mano"
    assert str(read[-1][-1]["at"]) == "1970-01-02 00:00:00"
    assert str(read[-1][-1]["day"]) == "1971-01-01"


@pytest.mark.django_db
def test_inside_a_transaction_the_rows_are_read_by_the_connection_that_wrote_them() -> None:
    assert readers.native_uri() is None
    read = [table.to_pylist() for table in readers.source_tables(LATE_TEXT, [], COLUMNS)]

    assert [row["note"] for chunk in read for row in chunk] == [None, None, None, "escrito a mano"]
