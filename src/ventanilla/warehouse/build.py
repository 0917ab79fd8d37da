"""Building the warehouse: the operational tables read with the database's cursor in chunks,
turned into Arrow columns and bulk-inserted into DuckDB.

A full build writes a new file beside the old one and moves it into place, so readers never see
half a warehouse. A refresh (the default once a warehouse exists) reads only the rows changed
since the high-water mark kept in the warehouse (less a margin, for transactions that committed
late), replaces them, and then removes what the database no longer holds: rows deleted by
retention, and parties erased, whose keys leave every fact. Both end the same way, so a refresh
gives the tables a full build would (``tests/warehouse/test_build.py`` compares them).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings
from django.db import connection

from ventanilla.catalog.models import Agency, Channel, LifeEvent, PublicService
from ventanilla.warehouse.readers import rows, source_tables
from ventanilla.warehouse.schema import (
    DERIVED,
    META_TABLE,
    REPEAT_CONTACT,
    STATE_TABLE,
    TABLES,
    VIEWS,
)
from ventanilla.warehouse.segments import segments_build
from ventanilla.warehouse.sources import SOURCES, Dialect, Source

# Rows whose transaction committed after a later one's may carry an earlier updated_at: each
# refresh reads this far back before its mark (re-reading a row is harmless).
OVERLAP = timedelta(minutes=10)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

Progress = Callable[[str, int, int], None]


class WarehouseError(Exception):
    """The warehouse cannot be built or read as asked (a clear message for the command)."""


@dataclass
class BuildReport:
    full: bool
    path: Path
    seconds: float = 0.0
    rows_read: dict[str, int] = field(default_factory=dict)
    rows_held: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)

    @property
    def total_read(self) -> int:
        return sum(self.rows_read.values())


def party_key(party_id: str, secret: str | None = None) -> int:
    """The pseudonymous key of a party: the first 64 bits of the HMAC-SHA256 of its id (32 hex
    digits) under the warehouse key, as a signed number. Without the key it cannot be traced
    back to the party. A number, not text, because every published figure counts the distinct
    people behind it, several times faster on numbers. Two people sharing a key (odds of about
    one in 37 million among a million people) would count as one: fewer people, so more cells
    hidden, never fewer."""
    key = (secret or settings.VENTANILLA_WAREHOUSE_KEY).encode()
    canonical = str(party_id).replace("-", "").lower().encode()
    return _number(hmac.digest(key, canonical, hashlib.sha256))


def _number(digest: bytes) -> int:
    return int.from_bytes(digest[:8], "big", signed=True)


def _party_keys(ids: pa.ChunkedArray | pa.Array, secret: bytes) -> pa.Array:
    """Party keys for a column of party ids: one HMAC per distinct id in the chunk."""
    distinct = pc.unique(ids)
    keys = [
        None if value is None else _number(hmac.digest(secret, value.encode(), hashlib.sha256))
        for value in distinct.to_pylist()
    ]
    return pa.array(keys, pa.int64()).take(pc.index_in(ids, value_set=distinct))


# The layout of the party keys: a warehouse built with another is built again whole.
KEY_LAYOUT = b"ventanilla-warehouse:party-key-int64"


def _key_check(secret: bytes) -> str:
    # Tells a refresh whether the key (or its layout) changed since the last build (then keys
    # would not match).
    return hmac.digest(secret, KEY_LAYOUT, hashlib.sha256)[:8].hex()


def _scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> Any:
    # fetchall, not fetchone: DuckDB refuses further work while a result is left unread.
    result = con.execute(sql, params or []).fetchall()
    return result[0][0] if result else None


def _select_list(source: Source, con: duckdb.DuckDBPyConnection) -> str:
    """The staged columns as the warehouse table wants them, by name."""
    target = [row[0] for row in con.execute(f"DESCRIBE {source.table}").fetchall()]
    staged = {name for name, _ in source.columns}
    parts = []
    for column in target:
        if column in source.derived:
            parts.append(f"{source.derived[column]} AS {column}")
        elif column == "party_key" or column in staged:
            parts.append(column)
        else:
            raise WarehouseError(f"{source.table}.{column} has no source")
    return ", ".join(parts)


def _high_water(tables: tuple[str, ...]) -> datetime | None:
    marks = []
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT MAX(updated_at) FROM {table}")  # noqa: S608 - our names
            value = cursor.fetchone()[0]
            if isinstance(value, str):  # SQLite without the converters of the ORM
                value = datetime.fromisoformat(value).replace(tzinfo=UTC)
            if value is not None:
                marks.append(value if value.tzinfo else value.replace(tzinfo=UTC))
    return max(marks) if marks else None


def _load(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    dialect: Dialect,
    secret: bytes,
    *,
    since: datetime | None,
    progress: Progress | None,
) -> tuple[int, int]:
    """Stage the source's rows (all, or those changed since ``since``) and put them in place.
    Returns the rows read and those removed as no longer kept (the parties erased since)."""
    sql = source.select(dialect)
    params: list[Any] = []
    if since is None:
        sql = sql.replace("{changed}", "")
    else:
        condition = source.changed(dialect)
        sql = sql.replace("{changed}", condition)
        params = [connection.ops.adapt_datetimefield_value(since)] * condition.count("%s")
    selected = _select_list(source, con)
    read = dropped = 0
    for chunk in source_tables(sql, params, source.columns):
        if "party_id" in chunk.column_names:
            keys = _party_keys(chunk.column("party_id"), secret)
            chunk = chunk.append_column("party_key", keys).drop_columns(["party_id"])
        con.register("staged", chunk)
        try:
            if since is not None and source.keep != "TRUE":
                # Rows held until now that are no longer kept: the parties erased since.
                dropped += int(
                    _scalar(
                        con,
                        f"SELECT COUNT(*) FROM {source.table} WHERE {source.key} IN "  # noqa: S608
                        f"(SELECT {source.key} FROM staged WHERE NOT ({source.keep}))",
                    )
                )
            if since is not None:
                _touch(con, source, "staged")
                con.execute(
                    f"DELETE FROM {source.table} WHERE {source.key} IN "  # noqa: S608
                    f"(SELECT {source.key} FROM staged)"
                )
            con.execute(
                f"INSERT INTO {source.table} BY NAME "  # noqa: S608
                f"SELECT {selected} FROM staged WHERE {source.keep}"
            )
            if since is not None:
                _touch(con, source, "staged")
        finally:
            con.unregister("staged")
        read += chunk.num_rows
        if progress is not None:
            progress(source.table, chunk.num_rows, 0)
    return read, dropped


# The people whose contacts a refresh changed, added or removed: only their repeat contacts are
# worked out again (a person's contacts are a window of their own).
TOUCHED = "CREATE OR REPLACE TEMP TABLE touched_party (party_key BIGINT)"


def _touch(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    relation: str,
    *,
    column: str = "interaction_id",
    inside: bool = True,
) -> None:
    """Note the people of the contacts whose ids are (or, ``inside=False``, are not) in the
    ``column`` of ``relation``."""
    if source.table != "fact_interaction":
        return
    condition = "IN" if inside else "NOT IN"
    con.execute(
        "INSERT INTO touched_party SELECT DISTINCT party_key FROM fact_interaction "  # noqa: S608
        f"WHERE party_key IS NOT NULL AND interaction_id {condition} "
        f"(SELECT {column} FROM {relation})"
    )


def _remove_deleted(
    con: duckdb.DuckDBPyConnection, source: Source, dialect: Dialect, secret: bytes
) -> int:
    """Remove the rows the database no longer holds. Counting first keeps this cheap: only when
    the counts differ are the ids listed."""
    if source.count is None or source.ids is None:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(source.count(dialect), [])
        expected = int(cursor.fetchone()[0])
    if _scalar(con, f"SELECT COUNT(*) FROM {source.table}") == expected:  # noqa: S608
        return 0
    ids = [row[0] for chunk in rows(source.ids(dialect), []) for row in chunk]
    present = pa.array(ids, pa.string())
    if source.key == "party_key":
        present = _party_keys(present, secret)
    con.register("present", pa.table({"key": present}))
    try:
        _touch(con, source, "present", column="key", inside=False)
        removed = _scalar(
            con,
            f"DELETE FROM {source.table} WHERE {source.key} NOT IN "  # noqa: S608
            "(SELECT key FROM present)",
        )
    finally:
        con.unregister("present")
    return int(removed or 0)


def _small_dimensions(con: duckdb.DuckDBPyConnection) -> None:
    """The catalogue's dimensions, rebuilt whole: a few hundred rows, no person in them."""
    agencies = {a.pk: a for a in Agency.objects.all()}
    tables: dict[str, dict[str, list[Any]]] = {
        "dim_channel": {
            "channel_code": [],
            "name_es": [],
            "name_en": [],
            "assisted": [],
        },
        "dim_agency": {
            "agency_code": [],
            "kind": [],
            "name_es": [],
            "name_en": [],
            "parent_code": [],
            "path": [],
        },
        "dim_service": {
            "service_code": [],
            "name_es": [],
            "name_en": [],
            "agency_code": [],
            "department_code": [],
            "deadline_days": [],
            "active": [],
        },
        "dim_life_event": {"life_event_code": [], "kind": [], "name_es": [], "name_en": []},
        "bridge_service_life_event": {"service_code": [], "life_event_code": []},
    }
    for channel in Channel.objects.order_by("code"):
        row = tables["dim_channel"]
        row["channel_code"].append(channel.code)
        row["name_es"].append(channel.name_es)
        row["name_en"].append(channel.name_en)
        row["assisted"].append(channel.assisted)
    for agency in sorted(agencies.values(), key=lambda a: a.code):
        row = tables["dim_agency"]
        parent = agencies.get(agency.parent_id) if agency.parent_id else None
        row["agency_code"].append(agency.code)
        row["kind"].append(agency.kind)
        row["name_es"].append(agency.name_es)
        row["name_en"].append(agency.name_en or agency.name_es)
        row["parent_code"].append(parent.code if parent else None)
        row["path"].append(agency.path)
    for service in PublicService.objects.order_by("code").prefetch_related("life_events"):
        row = tables["dim_service"]
        row["service_code"].append(service.code)
        row["name_es"].append(service.name_es)
        row["name_en"].append(service.name_en)
        row["agency_code"].append(agencies[service.competent_agency_id].code)
        department = agencies.get(service.department_id) if service.department_id else None
        row["department_code"].append(department.code if department else None)
        row["deadline_days"].append(service.deadline_days)
        row["active"].append(service.active)
        for event in service.life_events.all():
            tables["bridge_service_life_event"]["service_code"].append(service.code)
            tables["bridge_service_life_event"]["life_event_code"].append(event.code)
    for event in LifeEvent.objects.order_by("code"):
        row = tables["dim_life_event"]
        row["life_event_code"].append(event.code)
        row["kind"].append(event.kind)
        row["name_es"].append(event.name_es)
        row["name_en"].append(event.name_en)
    from ventanilla.appointments.models import Office

    tables["dim_office"] = {"office_code": [], "agency_code": [], "name": []}
    for office in Office.objects.order_by("code"):
        tables["dim_office"]["office_code"].append(office.code)
        tables["dim_office"]["agency_code"].append(agencies[office.agency_id].code)
        tables["dim_office"]["name"].append(office.name)
    for name, columns in tables.items():
        arrow = pa.table({column: pa.array(values) for column, values in columns.items()})
        if not len(arrow):
            arrow = pa.table({column: pa.array([], pa.string()) for column in columns})
        con.register("small", arrow)
        try:
            con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM small")  # noqa: S608
        finally:
            con.unregister("small")


def _finish(con: duckdb.DuckDBPyConnection, *, full: bool) -> dict[str, int]:
    """What every build ends with: keys of parties no longer held leave the facts, and the
    derived tables and views are made again (a refresh works out again only the repeat contacts
    of the people it touched)."""
    released = 0
    con.execute(
        "INSERT INTO touched_party SELECT DISTINCT party_key FROM fact_interaction "
        "WHERE party_key IS NOT NULL AND party_key NOT IN (SELECT party_key FROM dim_party)"
    )
    for table in ("fact_interaction", "fact_case", "fact_appointment"):
        released += int(
            _scalar(
                con,
                f"UPDATE {table} SET party_key = NULL WHERE party_key IS NOT NULL "  # noqa: S608
                "AND party_key NOT IN (SELECT party_key FROM dim_party)",
            )
            or 0
        )
    only_touched = not full and _exists(con, "fact_repeat_contact")
    for name, sql in DERIVED.items():
        if not (only_touched and name == "fact_repeat_contact"):
            con.execute(f"CREATE OR REPLACE TABLE {name} AS {sql}")
    if only_touched:
        con.execute(
            "DELETE FROM fact_repeat_contact WHERE party_key IN "
            "(SELECT party_key FROM touched_party)"
        )
        con.execute(
            f"INSERT INTO fact_repeat_contact {REPEAT_CONTACT} "  # noqa: S608
            "AND party_key IN (SELECT party_key FROM touched_party)"
        )
    segments_build(con)
    for name, sql in VIEWS.items():
        con.execute(f"CREATE OR REPLACE VIEW {name} AS {sql}")
    return {"party_keys_released": released}


def _exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(
        _scalar(con, "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = ?", [table])
    )


def _open(path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    # DuckDB draws its own progress bar on long statements; the command draws ours.
    con.execute("SET enable_progress_bar = false")
    con.execute(STATE_TABLE)
    con.execute(META_TABLE)
    for name, columns in TABLES.items():
        con.execute(f"CREATE TABLE IF NOT EXISTS {name} ({columns})")
    return con


def warehouse_build(
    *, path: Path | None = None, full: bool = False, progress: Progress | None = None
) -> BuildReport:
    """Build the warehouse at ``path`` (default VENTANILLA_WAREHOUSE_PATH): refresh it from its
    high-water marks, or build it whole with ``full`` (or when there is none yet, or the key
    changed)."""
    path = Path(path or settings.VENTANILLA_WAREHOUSE_PATH)
    if len(settings.VENTANILLA_WAREHOUSE_KEY) < 20:
        raise WarehouseError(
            "VENTANILLA_WAREHOUSE_KEY is unset or shorter than 20 characters: without a key kept "
            "apart from the warehouse its party keys could be traced back to people. Generate "
            "one with: python -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    secret = settings.VENTANILLA_WAREHOUSE_KEY.encode()
    started = time.perf_counter()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not full and path.exists():
        con = _open(path)
        check = _scalar(con, "SELECT value FROM warehouse_meta WHERE name = 'key_check'")
        if check != _key_check(secret):
            con.close()
            full = True
    else:
        full = True
    target = path
    if full:
        target = path.with_name(f".{path.name}.building")
        target.unlink(missing_ok=True)
        con = _open(target)
    report = BuildReport(full=full, path=path)
    dialect = Dialect(connection.vendor)
    try:
        con.execute("BEGIN TRANSACTION")
        con.execute(TOUCHED)
        _small_dimensions(con)
        marks = dict(con.execute("SELECT source, high_water FROM warehouse_state").fetchall())
        for source in SOURCES:
            mark = _high_water(source.watermark_tables)
            since = None
            if not full and source.table in marks:
                held = marks[source.table]
                since = held.replace(tzinfo=UTC) - OVERLAP if held is not None else EPOCH - OVERLAP
            if progress is not None:
                progress(source.table, 0, _count(source, dialect) if since is None else 0)
            report.rows_read[source.table], dropped = _load(
                con, source, dialect, secret, since=since, progress=progress
            )
            if dropped and since is not None:
                report.removed["erased_parties"] = dropped
            if since is not None:
                report.removed[source.table] = _remove_deleted(con, source, dialect, secret)
            con.execute(
                "INSERT OR REPLACE INTO warehouse_state VALUES (?, ?, ?)",
                [source.table, mark.replace(tzinfo=None) if mark else None, 0],
            )
        report.removed.update(_finish(con, full=full))
        con.execute(
            "INSERT OR REPLACE INTO warehouse_meta VALUES ('key_check', ?), ('built_at', ?), "
            "('edition', ?)",
            [
                _key_check(secret),
                datetime.now(UTC).isoformat(timespec="seconds"),
                uuid.uuid4().hex,
            ],
        )
        for name in TABLES:
            report.rows_held[name] = int(_scalar(con, f"SELECT COUNT(*) FROM {name}"))  # noqa: S608
            con.execute(
                "UPDATE warehouse_state SET rows = ? WHERE source = ?",
                [report.rows_held[name], name],
            )
        con.execute("COMMIT")
        con.execute("CHECKPOINT")
    except BaseException:
        con.close()
        if full:
            target.unlink(missing_ok=True)
        raise
    con.close()
    if full:
        os.replace(target, path)
        Path(f"{target}.wal").unlink(missing_ok=True)
    elif any(
        report.removed.get(name) for name in ("erased_parties", "dim_party", "party_keys_released")
    ):
        _compact(path)
    report.seconds = time.perf_counter() - started
    return report


def _compact(path: Path) -> None:
    """Copy the live rows into a new file and put it in place of the old one. DuckDB reuses the
    blocks of deleted rows but does not wipe them: an erased person's key would stay readable in
    the file's bytes until overwritten. Erasure is not done until it is gone from the disk too."""
    fresh = path.with_name(f".{path.name}.compact")
    fresh.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    try:
        con.execute("SET enable_progress_bar = false")
        database = _scalar(con, "SELECT current_database()")
        con.execute(f"ATTACH '{str(fresh).replace(chr(39), chr(39) * 2)}' AS fresh")
        con.execute(f'COPY FROM DATABASE "{database}" TO fresh')
        con.execute("DETACH fresh")
    except BaseException:
        fresh.unlink(missing_ok=True)
        raise
    finally:
        con.close()
    os.replace(fresh, path)


def _count(source: Source, dialect: Dialect) -> int:
    """Rows a full read will go through (for the progress bar)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {source.watermark_tables[0]}", [])  # noqa: S608
        return int(cursor.fetchone()[0])


def connect(path: Path | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the built warehouse."""
    path = Path(path or settings.VENTANILLA_WAREHOUSE_PATH)
    if not path.exists():
        raise WarehouseError(f"No warehouse at {path}: run `ventanilla warehouse build` first.")
    con = duckdb.connect(str(path), read_only=True)
    con.execute("SET enable_progress_bar = false")
    return con


def edition(con: duckdb.DuckDBPyConnection) -> str | None:
    """What tells this build's figures from every other build's: a new value at each build
    (None for a warehouse built before builds had one), so figures read from the warehouse may be
    kept until the next build."""
    try:
        value = _scalar(con, "SELECT value FROM warehouse_meta WHERE name = 'edition'")
    except duckdb.CatalogException:
        return None
    return str(value) if value else None
