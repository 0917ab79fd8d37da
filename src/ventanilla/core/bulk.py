"""Writing new rows faster than the ORM builds their INSERT: for batch jobs that register
hundreds of thousands of records (identity matching's new parties), and for the single rows
every request of the busiest doors writes (a case, its contact, a support).

``bulk_create`` and ``save()`` build their SQL value by value, each time. Here each model's
parameterised INSERT is written once, and each value is made ready for the database the way the
ORM makes it (``pre_save``, then ``get_db_prep_save``), skipped for the field types whose Python
value is already what the database takes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
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
# Up to this many rows go in one multi-row INSERT; more are sent as one batch of single-row ones.
_ROWS_IN_ONE_STATEMENT = 50


_Reader = Callable[[models.Model, BaseDatabaseWrapper], Any]


def _ready(field: models.Field[Any, Any]) -> _Reader:
    """How one field's value is read from an unsaved object and made ready for the database."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return lambda obj, connection: field.get_db_prep_save(field.pre_save(obj, True), connection)
    attname = field.attname
    if field.get_internal_type() in _AS_THEY_ARE:
        return lambda obj, connection: getattr(obj, attname)
    return lambda obj, connection: field.get_db_prep_save(getattr(obj, attname), connection)


_NUMBERED = frozenset({"AutoField", "BigAutoField", "SmallAutoField"})


def _written(meta: Any) -> list[models.Field[Any, Any]]:
    """The fields an INSERT gives a value: all but those the database computes (a generated
    column, a number the database gives)."""
    return [
        field
        for field in meta.concrete_fields
        if not getattr(field, "generated", False)
        and not (field.primary_key and field.get_internal_type() in _NUMBERED)
    ]


def insert_new(objs: Sequence[models.Model]) -> None:
    """Insert ``objs``, new objects of one model whose primary key is set in Python (nothing
    comes back from the database), in the caller's transaction. No signals are sent, as with
    ``bulk_create``."""
    if not objs:
        return
    model = type(objs[0])
    _needs_own_key(model)
    # The connection itself, not django.db.connection: that proxy looks the thread's connection
    # up on every use, millions of times here.
    connection = connections[DEFAULT_DB_ALIAS]
    plan = _plan_for(model, connection)
    readers = plan.readers
    with connection.cursor() as cursor:
        if len(objs) <= _ROWS_IN_ONE_STATEMENT:
            # A few rows (a case's email and SMS): one statement, one round trip.
            cursor.execute(*insert_statement(objs))
        else:
            for start in range(0, len(objs), _ROWS_PER_CALL):
                cursor.executemany(
                    plan.insert,
                    [
                        tuple(read(obj, connection) for read in readers)
                        for obj in objs[start : start + _ROWS_PER_CALL]
                    ],
                )
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


def _needs_own_key(model: type[models.Model]) -> None:
    meta = model._meta
    if meta.pk is None or meta.pk.get_internal_type() in _NUMBERED:
        msg = f"{meta.label}: a primary key set in Python is needed here."
        raise TypeError(msg)


@dataclass(frozen=True)
class _Plan:
    """One model's INSERT, written once: its SQL, how each value is read, and (for a single
    row) the columns the database computes, read back as the ORM would convert them."""

    head: str  # INSERT INTO table (columns)
    row: str  # (%s, %s, …): one row's placeholders
    readers: list[_Reader]
    returning: str  # " RETURNING …" of the computed columns, or ""
    returned: list[tuple[str, list[Any], Any]]

    @property
    def insert(self) -> str:
        return f"{self.head} VALUES {self.row}"


_PLANS: dict[tuple[type[models.Model], str], _Plan] = {}


def _plan_for(model: type[models.Model], connection: BaseDatabaseWrapper) -> _Plan:
    key = (model, connection.vendor)
    plan = _PLANS.get(key)
    if plan is None:
        plan = _PLANS[key] = _plan(model, connection)
    return plan


def _plan(model: type[models.Model], connection: BaseDatabaseWrapper) -> _Plan:
    meta = model._meta
    fields = _written(meta)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    computed = [field for field in meta.concrete_fields if field not in fields]
    returned = []
    for field in computed:
        column = field.get_col(meta.db_table)
        converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        returned.append((field.attname, converters, column))
    returning = ""
    if computed:
        returning = " RETURNING " + ", ".join(quote(field.column) for field in computed)
    return _Plan(
        head=f"INSERT INTO {quote(meta.db_table)} ({columns})",
        row=f"({', '.join(['%s'] * len(fields))})",
        readers=[_ready(field) for field in fields],
        returning=returning,
        returned=returned,
    )


def insert_statement(objs: Sequence[models.Model]) -> tuple[str, list[Any]]:
    """One INSERT of ``objs``, new objects of one model, and its parameters, for a caller that
    runs it its own way (with a ``RETURNING`` of the numbers the database gives, or inside a
    larger statement); its form is written once per model, as ``insert_one``'s."""
    connection = connections[DEFAULT_DB_ALIAS]
    plan = _plan_for(type(objs[0]), connection)
    sql = f"{plan.head} VALUES {', '.join([plan.row] * len(objs))}"  # noqa: S608 - names from the model
    return sql, [read(obj, connection) for obj in objs for read in plan.readers]


def insert_one(obj: models.Model) -> None:
    """Insert ``obj``, a new object, as ``obj.save(force_insert=True)`` would, the columns the
    database computes (its number, a generated column) read back; in the caller's transaction.
    The statement is written once per model rather than built by the ORM each time, which on
    the busiest doors cost more than the database's work. No signals are sent: not for the
    models that have receivers."""
    model = type(obj)
    connection = connections[DEFAULT_DB_ALIAS]
    plan = _plan_for(model, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            plan.insert + plan.returning, tuple(read(obj, connection) for read in plan.readers)
        )
        if plan.returned:
            row = cursor.fetchone()
            for (attname, converters, column), value in zip(plan.returned, row, strict=True):
                for convert in converters:
                    value = convert(value, column, connection)
                setattr(obj, attname, value)
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
