"""A SQLite database's rows as Arrow, read in a process of its own.

``python -m ventanilla.warehouse.sqlite_reader`` takes a request on its standard input (JSON: the
database's address, a statement, its columns and kinds, the rows per batch) and writes the rows on
its standard output as an Arrow IPC stream, a batch per chunk, in the types of ``ARROW_TYPES``.

It reads through Apache Arrow's ADBC driver, which fills Arrow columns in C: about three times
faster than Python's cursor, which makes a Python object of every value. That driver carries a
SQLite library of its own, and two SQLite libraries in one process drop each other's POSIX file
locks when one closes the file; another process could then take the database for unused and fold
in and delete its write-ahead log under the application's open connection. In a process of its
own the driver is just one more reader of the database, and the build's process spends its time
storing rows rather than making them. This module imports no Django.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import closing

import pyarrow as pa

from ventanilla.warehouse.sources import ARROW_TYPES, Columns, table_of

# The first value of the typed row put before the statement's rows (see ``typed_first``).
TYPED_ROW_MARK = "(typed row)"


def typed_first(sql: str, columns: Columns) -> str:
    """The driver takes each column's type from the values of its first batch, and a column all
    NULL there would become an integer that a later text cannot enter. A row of the right types
    goes first, and is taken off again."""
    sample = {"text": "''", "int": "0", "float": "0.0", "flag": "0", "micros": "0", "days": "0"}
    values = [f"'{TYPED_ROW_MARK}'"] + [sample[kind] for _name, kind in columns[1:]]
    return f"SELECT {', '.join(values)} UNION ALL {sql}"  # noqa: S608 - the caller's statement


def read(address: str, sql: str, columns: Columns, chunk_rows: int) -> Iterator[pa.Table]:
    """The rows of ``sql`` as Arrow tables of ``chunk_rows`` rows at most."""
    import adbc_driver_manager
    import adbc_driver_sqlite

    database = adbc_driver_sqlite.connect(address)
    with (
        closing(database),
        closing(adbc_driver_manager.AdbcConnection(database)) as link,
        closing(adbc_driver_manager.AdbcStatement(link)) as statement,
    ):
        statement.set_options(**{"adbc.sqlite.query.batch_rows": str(chunk_rows)})
        statement.set_sql_query(typed_first(sql, columns))
        stream, _count = statement.execute_query()
        first = True
        for batch in pa.RecordBatchReader._import_from_c(stream.address):
            if first:
                if batch.num_rows == 0 or batch.column(0)[0].as_py() != TYPED_ROW_MARK:
                    raise RuntimeError("the typed first row did not come first")
                batch = batch.slice(1)
                first = False
            if batch.num_rows:
                yield table_of(list(batch.columns), columns)


def main() -> None:
    request = json.loads(sys.stdin.buffer.read())
    columns = [(name, kind) for name, kind in request["columns"]]
    schema = table_of([pa.array([], ARROW_TYPES[kind]) for _name, kind in columns], columns).schema
    with pa.ipc.new_stream(sys.stdout.buffer, schema) as out:
        for table in read(request["address"], request["sql"], columns, request["chunk_rows"]):
            out.write_table(table)


if __name__ == "__main__":
    main()
