"""Reading a source's rows as Arrow tables.

- A full build of committed data reads each source on a connection of its own, in a thread of
  its own, a chunk or two ahead of the build: the database fills the next chunk while DuckDB
  stores this one. On SQLite that connection is in a process of its own too
  (``sqlite_reader``: Apache Arrow's ADBC driver, which fills Arrow columns in C), streaming the
  rows back over a pipe; in this process only Django's own SQLite (Python's sqlite3) ever opens
  the file, because two SQLite libraries in one process release each other's file locks, and a
  database written while its lock is lost is corrupt. On PostgreSQL it is psycopg's.
- Inside a transaction (a build called from one, or the tests) a second connection would not see
  the uncommitted rows, and an in-memory SQLite database is not reachable from one: there, and
  for a refresh (a few rows, read since a time), the Django connection reads them.

PostgreSQL hands the rows over through COPY as CSV that Arrow parses, the Django connection on
SQLite through a cursor in chunks; every reader gives the columns the types of ``ARROW_TYPES``,
so the tables a build writes do not depend on the reader (``tests/warehouse/test_readers.py``
compares them).
"""

from __future__ import annotations

import io
import json
import queue
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from typing import IO, Any, cast
from urllib.parse import quote

import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv
from django.db import connection
from psycopg.conninfo import make_conninfo

from ventanilla.warehouse.sources import ARROW_TYPES, Columns, table_of

CHUNK_ROWS = 50_000
COPY_BYTES = 32 * 1024 * 1024


class ReaderError(RuntimeError):
    """The process reading the database failed; what it said last."""


# libpq settings a Django connection may carry that a connection of the reader's own needs.
_LIBPQ_KEYS = (
    "host",
    "port",
    "dbname",
    "user",
    "password",
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "options",
    "application_name",
    "connect_timeout",
)


def rows(sql: str, params: list[Any]) -> Iterator[list[tuple[Any, ...]]]:
    """The rows of ``sql`` from the Django connection, in chunks. A server-side cursor on
    PostgreSQL, so a 10-million-row table streams."""
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(CHUNK_ROWS):
            yield chunk


def _from_rows(chunk: list[tuple[Any, ...]], columns: Columns) -> pa.Table:
    return table_of(
        [
            pa.array(values, ARROW_TYPES[kind])
            for (_name, kind), values in zip(columns, zip(*chunk, strict=True), strict=True)
        ],
        columns,
    )


def _from_csv(data: bytes, columns: Columns) -> pa.Table:
    table = pacsv.read_csv(
        io.BytesIO(data),
        read_options=pacsv.ReadOptions(column_names=[name for name, _ in columns]),
        convert_options=pacsv.ConvertOptions(
            column_types={name: ARROW_TYPES[kind] for name, kind in columns},
            # PostgreSQL's CSV writes NULL bare and an empty text quoted: keep them apart.
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
        ),
    )
    return table_of([table.column(name) for name, _ in columns], columns)


def own_address() -> tuple[str, str] | None:
    """The database's vendor and the address a connection of its own reaches it at, or None
    when a second connection would not see what this one sees."""
    if connection.in_atomic_block:
        return None
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(settings["NAME"] or "")
        if not name or name == ":memory:" or "mode=memory" in name:
            return None
        return "sqlite", f"file:{quote(name)}?mode=ro"
    if connection.vendor == "postgresql":
        params = connection.get_connection_params()
        if "conninfo" in params:  # a service file or a whole conninfo string: leave it be
            return None
        return "postgresql", make_conninfo(
            **{key: str(params[key]) for key in _LIBPQ_KEYS if params.get(key) not in (None, "")}
        )
    return None


def _ahead(produce: Callable[[], Iterator[pa.Table]]) -> Iterator[pa.Table]:
    """The chunks of ``produce``, read by a thread of their own up to two chunks ahead: the
    database fills the next chunk while the build stores this one."""
    chunks: queue.Queue[pa.Table | BaseException | None] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def put(item: pa.Table | BaseException | None) -> bool:
        while not stop.is_set():
            try:
                chunks.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for chunk in produce():
                if not put(chunk):
                    return
            put(None)
        except BaseException as error:  # handed over to be raised where the chunks are read
            put(error)

    thread = threading.Thread(target=work, name="warehouse-reader", daemon=True)
    thread.start()
    try:
        while (item := chunks.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


def _csv_chunks(copy: Any, columns: Columns) -> Iterator[pa.Table]:
    pending = bytearray()
    for block in copy:
        pending += block
        if len(pending) >= COPY_BYTES:
            cut = pending.rfind(b"\n") + 1
            yield _from_csv(bytes(pending[:cut]), columns)
            del pending[:cut]
    if pending:
        yield _from_csv(bytes(pending), columns)


def _copy(sql: str, params: list[Any], columns: Columns) -> Iterator[pa.Table]:
    with connection.cursor() as cursor:
        statement = f"COPY ({sql}) TO STDOUT (FORMAT csv)"
        with cursor.cursor.copy(statement, params or None) as copy:
            yield from _csv_chunks(copy, columns)


def _piped(address: str, sql: str, columns: Columns) -> Iterator[pa.Table]:
    """The rows of ``sql`` read by a process of its own (``sqlite_reader``, which says why), as
    an Arrow stream over a pipe."""
    request = json.dumps(
        {"address": address, "sql": sql, "columns": columns, "chunk_rows": CHUNK_ROWS}
    ).encode()
    with (
        tempfile.TemporaryFile() as errors,
        subprocess.Popen(  # noqa: S603 - this interpreter, this project's module
            [sys.executable, "-m", "ventanilla.warehouse.sqlite_reader"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
        ) as child,
    ):
        stdin, stdout = cast(IO[bytes], child.stdin), cast(IO[bytes], child.stdout)
        try:
            stdin.write(request)
            stdin.close()
            try:
                yield from pa.ipc.open_stream(stdout)
            except pa.ArrowInvalid:
                if child.wait() == 0:
                    raise
            if child.wait() != 0:
                errors.seek(0)
                said = errors.read().decode(errors="replace").strip().splitlines()
                raise ReaderError(
                    f"reading the database failed: {said[-1] if said else child.returncode}"
                )
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()


def _apart(vendor: str, address: str, sql: str, columns: Columns) -> Iterator[pa.Table]:
    """The rows of ``sql`` read on a connection of its own (see the module's note)."""
    # Statements reach a Django cursor with "%%" for a literal percent sign; not this one.
    sql = sql.replace("%%", "%")
    if vendor == "sqlite":
        for batch in _piped(address, sql, columns):
            yield pa.Table.from_batches([batch])
        return
    with (
        psycopg.connect(address) as link,
        link.cursor() as cursor,
        cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)") as copy,
    ):
        yield from _csv_chunks(copy, columns)


def source_tables(
    sql: str, params: list[Any], columns: Columns, *, apart: bool = True
) -> Iterator[pa.Table]:
    """The rows of ``sql`` as Arrow tables of a chunk each, named and typed as ``columns``
    says. ``apart`` allows a connection and a thread of their own where they see the same rows
    (a query without parameters only: the full build's)."""
    target = own_address() if apart and not params else None
    if target is not None:
        # The connection is made in the reading thread, and used there only.
        yield from _ahead(lambda: _apart(*target, sql, columns))
    elif connection.vendor == "postgresql":
        yield from _copy(sql, params, columns)
    else:
        for chunk in rows(sql, params):
            yield _from_rows(chunk, columns)
