"""Writing many new rows at once faster than ``bulk_create``, for batch jobs that register
hundreds of thousands of records (identity matching's new parties).

``bulk_create`` builds its SQL value by value, and at a million rows that building costs more
than the database's work. Here one parameterised INSERT is run for all rows, with each value
made ready for the database the way ``bulk_create`` makes it (``pre_save``, then
``get_db_prep_save``), skipped for the field types whose Python value is already what the
database takes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper

# Field types whose value goes to the database as it is (a str, a bool, an int, a float or
# None): no conversion is made for them.
_AS_THEY_ARE = frozenset(
    {
        "BooleanField",
        "CharField",
        "EmailField",
        "FloatField",
        "IntegerField",
        "BigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SlugField",
        "SmallIntegerField",
        "TextField",
    }
)
_ROWS_PER_CALL = 10_000


def _ready(
    field: models.Field[Any, Any], connection: BaseDatabaseWrapper
) -> Callable[[models.Model], Any]:
    """How one field's value is read from an unsaved object and made ready for the database."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return lambda obj: field.get_db_prep_save(field.pre_save(obj, True), connection)
    attname = field.attname
    if field.get_internal_type() in _AS_THEY_ARE:
        return lambda obj: getattr(obj, attname)
    return lambda obj: field.get_db_prep_save(getattr(obj, attname), connection)


def insert_new(objs: Sequence[models.Model]) -> None:
    """Insert ``objs``, new objects of one model whose primary key is set in Python (nothing
    comes back from the database), in the caller's transaction. No signals are sent, as with
    ``bulk_create``."""
    if not objs:
        return
    meta = type(objs[0])._meta
    if meta.pk is None or meta.pk.get_internal_type() in {"AutoField", "BigAutoField"}:
        msg = f"{meta.label}: insert_new needs a primary key set in Python."
        raise TypeError(msg)
    # The connection itself, not django.db.connection: that proxy looks the thread's connection
    # up on every use, millions of times here.
    connection = connections[DEFAULT_DB_ALIAS]
    fields = [field for field in meta.concrete_fields if not getattr(field, "generated", False)]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608 - names from the model
    readers = [_ready(field, connection) for field in fields]
    with connection.cursor() as cursor:
        for start in range(0, len(objs), _ROWS_PER_CALL):
            cursor.executemany(
                sql,
                [
                    tuple(read(obj) for read in readers)
                    for obj in objs[start : start + _ROWS_PER_CALL]
                ],
            )
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


@contextmanager
def page_cache(megabytes: int) -> Iterator[None]:
    """On SQLite, hold up to ``megabytes`` of the database in memory while a batch job writes,
    then go back to the usual cache. A match that registers half a million parties inserts
    millions of index entries in random order (names, keys, ids); with the usual cache each
    lands on a page that was pushed out, and the job waits on the disk. Other databases keep
    their own cache: nothing changes there."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "sqlite" or megabytes <= 0:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        usual = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{int(megabytes) * 1024}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(usual)}")
