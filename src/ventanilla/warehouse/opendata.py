"""Open data: the service requests (cases) as an anonymous aggregate anyone may download, like the
311 open data of the big cities, in CSV and JSON with every field described.

Three tables count the requests of each month and state (open or closed): by service, by
district and by channel. A single table by all three at once would be mostly hidden in a town of
a few thousand people (most of its cells count one or two requests), so each is cut on its own.
Counts go through ``suppression.aggregate`` like every published figure: a row counting fewer
people than the threshold is hidden, and so is the smallest row that would reveal it through a
total, so every month's total hides at least two rows. A hidden row is published with no count
and ``suppressed`` true, so a reader knows something is there. Nothing about a person is in it:
no id, text, address or date finer than the month."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
from django.utils import timezone

from ventanilla.warehouse.build import connect
from ventanilla.warehouse.suppression import aggregate

DATASET = "service-requests"
_PERIOD: tuple[tuple[str, str, str], ...] = (
    ("year", "integer", "Year the requests were made (Europe/Madrid)."),
    ("month", "integer", "Month the requests were made, 1 to 12."),
)
_COUNT: tuple[tuple[str, str, str], ...] = (
    ("status", "string", "open, or closed (resolved, rejected or cancelled), at the export."),
    ("requests", "integer", "How many requests; empty when suppressed."),
    ("suppressed", "boolean", "true when the count is hidden to protect the few people behind it."),
)


@dataclass(frozen=True)
class Table:
    name: str
    column: str  # the fact's column it is cut by
    fields: tuple[tuple[str, str, str], ...]  # the fields of the cut, between period and count
    names_from: str | None  # the dimension that names its codes


TABLES = (
    Table(
        "by_service",
        "service_code",
        (
            ("service_code", "string", "Code of the service asked for (CPSV-AP catalogue)."),
            ("service_name_es", "string", "Name of the service in Spanish."),
            ("service_name_en", "string", "Name of the service in English."),
        ),
        "dim_service",
    ),
    Table(
        "by_district",
        "district",
        (("district", "string", "District the request is about; empty when it named none."),),
        None,
    ),
    Table(
        "by_channel",
        "channel_code",
        (
            ("channel_code", "string", "Door it came through: web, phone, desk, email, open311…"),
            ("channel_name_es", "string", "Name of the door in Spanish."),
            ("channel_name_en", "string", "Name of the door in English."),
        ),
        "dim_channel",
    ),
)


def fields_of(table: Table) -> tuple[tuple[str, str, str], ...]:
    return (*_PERIOD, *table.fields, *_COUNT)


@dataclass(frozen=True)
class OpenDataReport:
    rows: dict[str, int]
    suppressed: dict[str, int]
    files: tuple[Path, ...]


def _names(con: duckdb.DuckDBPyConnection, table: Table) -> dict[str, tuple[str, str]]:
    if table.names_from is None:
        return {}
    sql = f"SELECT {table.column}, name_es, name_en FROM {table.names_from}"  # noqa: S608 - fixed
    return {code: (es or "", en or es or "") for code, es, en in con.execute(sql).fetchall()}


def service_requests(
    *, path: Path | None = None, start: date | None = None, end: date | None = None
) -> tuple[dict[str, list[dict[str, Any]]], int]:
    """Each table's rows between ``start`` and ``end`` (inclusive), and the threshold used."""
    tables: dict[str, list[dict[str, Any]]] = {}
    threshold = 0
    with connect(path) as con:
        for table in TABLES:
            by = ("year_month", table.column, "is_open")
            counted = aggregate(con, fact="fact_case", by=by, start=start, end=end)
            threshold = counted.threshold
            names = _names(con, table)
            rows = []
            for cell in counted.cells:
                year_month, code, is_open = cell.group
                year, month = str(year_month).split("-")
                row: dict[str, Any] = {"year": int(year), "month": int(month)}
                row[table.column] = code or ""
                if table.names_from is not None:
                    stem = table.column.removesuffix("_code")
                    es, en = names.get(code, ("", ""))
                    row[f"{stem}_name_es"], row[f"{stem}_name_en"] = es, en
                row["status"] = "open" if is_open else "closed"
                row["requests"] = cell.count
                row["suppressed"] = bool(cell.suppressed)
                rows.append(row)
            tables[table.name] = rows
    return tables, threshold


def _replace(target: Path, content: str) -> None:
    """Write ``content`` to ``target`` whole: a reader downloading it meanwhile gets the old file
    or the new one, never half of one."""
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(content)
        os.chmod(name, 0o644)
        os.replace(name, target)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


JSON_NAME = f"{DATASET}.json"


def csv_name(table: Table) -> str:
    """The file one table is published as: service-requests-by-service.csv…"""
    return f"{DATASET}-{table.name.replace('_', '-')}.csv"


def file_names() -> tuple[str, ...]:
    """The files a publication is made of: the JSON document and one CSV per table."""
    return (JSON_NAME, *(csv_name(table) for table in TABLES))


# The last publication read, by folder, with the file's stamp: the portal's page asks on every
# view, and the JSON holds every row.
_read: dict[Path, tuple[tuple[int, int], dict[str, Any]]] = {}


def published(directory: Path) -> dict[str, Any] | None:
    """What the last publication in ``directory`` holds (the JSON document without its rows,
    with each table's row count), or None when nothing was published there yet. Read again only
    when the file changes."""
    path = directory / JSON_NAME
    try:
        stat = path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        known = _read.get(directory)
        if known and known[0] == stamp:
            return dict(known[1])
        document = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    tables = document.get("tables", {})
    document["tables"] = {name: len(table.get("rows", [])) for name, table in tables.items()}
    _read[directory] = (stamp, document)
    return dict(document)


def open_data_write(
    *,
    directory: Path,
    path: Path | None = None,
    start: date | None = None,
    end: date | None = None,
) -> OpenDataReport:
    """Write ``service-requests-by-{service,district,channel}.csv`` and one
    ``service-requests.json`` holding the three tables, under ``directory``."""
    tables, threshold = service_requests(path=path, start=start, end=end)
    directory.mkdir(parents=True, exist_ok=True)
    files = []
    for table in TABLES:
        target = directory / csv_name(table)
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=[name for name, *_ in fields_of(table)])
        writer.writeheader()
        for row in tables[table.name]:
            writer.writerow(
                row
                | {
                    "requests": "" if row["requests"] is None else row["requests"],
                    "suppressed": "true" if row["suppressed"] else "false",
                }
            )
        _replace(target, out.getvalue())
        files.append(target)
    document = {
        "dataset": DATASET,
        "description": "Service requests made to the administration, counted by month and "
        "state, by service, by district and by channel. Counts of fewer than "
        f"{threshold} people are suppressed.",
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "from": start.isoformat() if start else None,
        "to": end.isoformat() if end else None,
        "small_cell_threshold": threshold,
        "tables": {
            table.name: {
                "fields": [
                    {"name": n, "type": t, "description": d} for n, t, d in fields_of(table)
                ],
                "rows": tables[table.name],
            }
            for table in TABLES
        },
    }
    as_json = directory / JSON_NAME
    # The JSON last: its date is the publication's, once every CSV is in place.
    _replace(as_json, json.dumps(document, ensure_ascii=False, indent=1))
    files.append(as_json)
    return OpenDataReport(
        rows={name: len(rows) for name, rows in tables.items()},
        suppressed={name: sum(1 for r in rows if r["suppressed"]) for name, rows in tables.items()},
        files=tuple(files),
    )
