"""Small-cell suppression: a figure counting fewer people than the threshold is hidden, and so is
the cell that would reveal it through a total."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from ventanilla.warehouse.suppression import Cell, aggregate, suppress


def cells(counts: dict[tuple[Any, ...], tuple[int, int]]) -> list[Cell]:
    return [Cell(group=g, true_count=n, people=p) for g, (n, p) in counts.items()]


def test_a_cell_of_fewer_people_than_the_threshold_is_hidden_and_one_more_with_it() -> None:
    table = suppress(
        cells({("web",): (40, 30), ("phone",): (12, 9), ("desk",): (6, 2), ("app",): (8, 7)}),
        by=("channel",),
        threshold=5,
    )

    shown = {row["channel"]: row["count"] for row in table.rows()}
    # The desk's 6 contacts come from 2 people; with the total published, the app's 8 would let
    # anyone subtract their way to it, so the smallest other cell goes too.
    assert shown == {"web": 40, "phone": 12, "desk": None, "app": None}
    assert table.total == 66


def test_nothing_is_hidden_when_every_cell_counts_enough_people() -> None:
    table = suppress(cells({("a",): (10, 5), ("b",): (7, 6)}), by=("x",), threshold=5)

    assert [row["count"] for row in table.rows()] == [10, 7]


def test_in_a_two_way_table_no_row_or_column_is_left_with_a_single_hidden_cell() -> None:
    counts = {
        (service, month): (20, 20)
        for service in ("alumbrado", "padron", "basuras")
        for month in (1, 2, 3)
    }
    counts[("padron", 2)] = (3, 3)
    table = suppress(cells(counts), by=("service", "month"), threshold=5)

    hidden = {cell.group for cell in table.cells if cell.count is None}
    assert ("padron", 2) in hidden
    for axis in (0, 1):
        lines: dict[Any, int] = {}
        for group in hidden:
            lines[group[1 - axis]] = lines.get(group[1 - axis], 0) + 1
        assert all(n != 1 for n in lines.values()), (axis, hidden)


def test_the_threshold_is_a_setting(settings: Any) -> None:
    settings.VENTANILLA_SMALL_CELL_THRESHOLD = 10

    table = suppress(cells({("a",): (50, 40), ("b",): (9, 9), ("c",): (30, 30)}), by=("x",))

    assert [row["count"] for row in table.rows()] == [50, None, None]
    assert table.threshold == 10


def test_a_total_over_too_few_people_is_hidden_too() -> None:
    table = suppress(cells({("a",): (3, 2), ("b",): (2, 1)}), by=("x",), threshold=5)

    assert table.total is None
    assert [row["count"] for row in table.rows()] == [None, None]


@pytest.fixture
def small_warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(
            "CREATE TABLE fact_interaction (party_key BIGINT, channel_code VARCHAR, date_key DATE)"
        )
        # Twelve people on the web in March; one person phoning ten times; an erased person's
        # (keyless) three contacts at the desk.
        con.execute(
            "INSERT INTO fact_interaction SELECT i, 'web', DATE '2026-03-02' FROM range(12) t(i)"
        )
        con.execute(
            "INSERT INTO fact_interaction SELECT 1, 'phone', DATE '2026-03-03' FROM range(10)"
        )
        con.execute(
            "INSERT INTO fact_interaction SELECT NULL, 'desk', DATE '2026-03-04' FROM range(3)"
        )
    return path


def test_the_aggregate_counts_people_not_rows_before_it_publishes(small_warehouse: Path) -> None:
    with duckdb.connect(str(small_warehouse), read_only=True) as con:
        table = aggregate(con, fact="fact_interaction", by=("channel_code", "month"))

    shown = {row["channel_code"]: row["count"] for row in table.rows()}
    assert shown == {"web": 12, "phone": None, "desk": None}


def test_the_aggregate_refuses_a_column_that_is_not_published(small_warehouse: Path) -> None:
    with (
        duckdb.connect(str(small_warehouse), read_only=True) as con,
        pytest.raises(ValueError, match="party_key"),
    ):
        aggregate(con, fact="fact_interaction", by=("party_key",))


def test_a_large_table_hides_exactly_the_cells_a_count_of_everyone_would(tmp_path: Path) -> None:
    # Cells from one person to thousands, some with many contacts each, a few of erased people,
    # some of no service recorded:
    # the first reading counts only a sample of people, yet what is hidden and why must be what
    # counting everyone in every cell gives.
    path = tmp_path / "large.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(
            "CREATE TABLE fact_interaction (party_key BIGINT, channel_code VARCHAR, "
            "service_code VARCHAR, date_key DATE)"
        )
        con.execute(
            "INSERT INTO fact_interaction "
            "SELECT CASE WHEN i % 97 = 0 THEN NULL "
            "ELSE hash(s, i % (1 + (s * s * 37) % 3000)) // 2 END, "
            "['web', 'phone', 'desk', 'app'][1 + (i % 4)], "
            "CASE WHEN s % 9 = 4 THEN NULL ELSE 'svc' || s END, "
            "DATE '2026-01-01' + (i % 90)::INTEGER "
            "FROM range(40) a(s), range(0, 6000) b(i) WHERE i < 3 + (s * s * 53) % 6000"
        )
        expected = suppress(
            [
                Cell(group=(service, channel), true_count=n, people=people)
                for service, channel, n, people in con.execute(
                    "SELECT service_code, channel_code, COUNT(*), COUNT(DISTINCT party_key) "
                    "+ MAX(CASE WHEN party_key IS NULL THEN 1 ELSE 0 END) FROM fact_interaction "
                    "GROUP BY ALL ORDER BY ALL"
                ).fetchall()
            ],
            by=("service_code", "channel_code"),
            threshold=5,
        )

        found = aggregate(
            con, fact="fact_interaction", by=("service_code", "channel_code"), threshold=5
        )

    assert [(c.group, c.true_count, c.suppressed) for c in found.cells] == [
        (c.group, c.true_count, c.suppressed) for c in expected.cells
    ]
    assert found.total == expected.total
    hidden = [c for c in found.cells if c.suppressed]
    assert any(c.suppressed == "small" for c in hidden)
    assert any(c.suppressed == "complementary" for c in hidden)
    # Both ways were taken: cells settled by the sample alone, and cells counted exactly.
    settled = sum(1 for c in found.cells if not c.exact)
    assert len(found.cells) / 2 < settled < len(found.cells)
