"""Reading a source's rows as Arrow tables, the fastest way the database in use allows.

- A full build of committed data reads through the database's Arrow-native driver (ADBC: the
  SQLite and PostgreSQL drivers of Apache Arrow), which fills Arrow columns in C on a connection
  of its own: no Python object per value, three times faster than a cursor on SQLite.
- Inside a transaction (a build called from one, or the tests) a second connection would not see
  the uncommitted rows, and an in-memory SQLite database is not reachable from one: there, and
  for a refresh (a few rows, read since a time), the Django connection reads them: through COPY
  as CSV that Arrow parses on PostgreSQL, through the cursor in chunks elsewhere.

Every reader hands the columns over in the types of ``ARROW_TYPES``, so the tables a build writes
do not depend on the reader (``tests/warehouse/test_readers.py`` compares them).
"""

from __future__ import annotations

import io
import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import closing
from typing import Any
from urllib.parse import quote

import adbc_driver_manager
import pyarrow as pa
import pyarrow.csv as pacsv
from django.db import connection
from psycopg.conninfo import make_conninfo

from ventanilla.warehouse.sources import ARROW_TYPES

Columns = list[tuple[str, str]]

CHUNK_ROWS = 50_000
COPY_BYTES = 32 * 1024 * 1024
# The first value of the typed row put before a SQLite result (see _sqlite_typed_first).
TYPED_ROW_MARK = "(typed row)"

# libpq settings a Django connection may carry that the PostgreSQL driver understands too.
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


def typed(array: Any, kind: str) -> Any:
    """A column in the Arrow type its kind names (times as timestamps, days as dates)."""
    array = array.cast(ARROW_TYPES[kind])
    if kind == "micros":
        return array.cast(pa.timestamp("us"))
    if kind == "days":
        return array.cast(pa.date32())
    return array


def _table(arrays: list[Any], columns: Columns) -> pa.Table:
    return pa.Table.from_arrays(
        [typed(array, kind) for array, (_name, kind) in zip(arrays, columns, strict=True)],
        names=[name for name, _ in columns],
    )


def _from_rows(chunk: list[tuple[Any, ...]], columns: Columns) -> pa.Table:
    return _table(
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
    return _table([table.column(name) for name, _ in columns], columns)


def native_uri() -> tuple[str, str] | None:
    """The Arrow-native driver and the address it reaches the database at, or None when a
    second connection would not see what this one sees."""
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


def _sqlite_typed_first(sql: str, columns: Columns) -> str:
    """The SQLite driver takes each column's type from the values of its first batch, and an
    all-NULL column would become an integer that a later text cannot enter. A row of the right
    types goes first, and is taken off again."""
    sample = {"text": "''", "int": "0", "float": "0.0", "flag": "0", "micros": "0", "days": "0"}
    values = [f"'{TYPED_ROW_MARK}'"] + [sample[kind] for _name, kind in columns[1:]]
    return f"SELECT {', '.join(values)} UNION ALL {sql}"


def _ahead(produce: Callable[[], Iterator[pa.Table]]) -> Iterator[pa.Table]:
    """The chunks of ``produce``, read by a thread of their own up to two chunks ahead: the
    database and the driver fill the next chunk while the build stores this one."""
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


def _native(driver: str, uri: str, sql: str, columns: Columns) -> Iterator[pa.Table]:
    # Statements reach a Django cursor with "%%" for a literal percent sign; not this one.
    sql = sql.replace("%%", "%")
    if driver == "sqlite":
        import adbc_driver_sqlite

        database = adbc_driver_sqlite.connect(uri)
        sql = _sqlite_typed_first(sql, columns)
    else:
        import adbc_driver_postgresql

        database = adbc_driver_postgresql.connect(uri)
    with (
        closing(database),
        closing(adbc_driver_manager.AdbcConnection(database)) as link,
        closing(adbc_driver_manager.AdbcStatement(link)) as statement,
    ):
        if driver == "sqlite":
            statement.set_options(**{"adbc.sqlite.query.batch_rows": str(CHUNK_ROWS)})
        statement.set_sql_query(sql)
        stream, _count = statement.execute_query()
        reader = pa.RecordBatchReader._import_from_c(stream.address)
        first = driver == "sqlite"
        for batch in reader:
            if first:
                if batch.num_rows == 0 or batch.column(0)[0].as_py() != TYPED_ROW_MARK:
                    raise RuntimeError("the typed first row did not come first")
                batch = batch.slice(1)
                first = False
            if batch.num_rows:
                yield _table(list(batch.columns), columns)


def _copy(sql: str, params: list[Any], columns: Columns) -> Iterator[pa.Table]:
    with connection.cursor() as cursor:
        statement = f"COPY ({sql}) TO STDOUT (FORMAT csv)"
        with cursor.cursor.copy(statement, params or None) as copy:
            pending = bytearray()
            for block in copy:
                pending += block
                if len(pending) >= COPY_BYTES:
                    cut = pending.rfind(b"\n") + 1
                    yield _from_csv(bytes(pending[:cut]), columns)
                    del pending[:cut]
            if pending:
                yield _from_csv(bytes(pending), columns)


def source_tables(
    sql: str, params: list[Any], columns: Columns, *, native: bool = True
) -> Iterator[pa.Table]:
    """The rows of ``sql`` as Arrow tables of a chunk each, named and typed as ``columns``
    says. ``native`` allows the Arrow-native driver where it sees the same rows (a query
    without parameters only: the full build's)."""
    target = native_uri() if native and not params else None
    if target is not None:
        # The native driver's connection is its own, so it can read from another thread.
        yield from _ahead(lambda: _native(*target, sql, columns))
    elif connection.vendor == "postgresql":
        yield from _copy(sql, params, columns)
    else:
        for chunk in rows(sql, params):
            yield _from_rows(chunk, columns)
