"""Reading a built warehouse back, for the tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb


def tables(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, sorted: what two builds are compared by."""
    with duckdb.connect(str(path), read_only=True) as con:
        names = [
            row[0]
            for row in con.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_type = 'BASE TABLE' AND table_name NOT LIKE 'warehouse_%' "
                "ORDER BY table_name"
            ).fetchall()
        ]
        return {
            name: sorted(
                con.execute(f"SELECT * FROM {name}").fetchall(),  # noqa: S608
                key=repr,
            )
            for name in names
        }


def rows(path: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()
