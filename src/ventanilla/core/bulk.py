"""Writing new rows faster than the ORM builds their INSERT: for batch jobs that register
hundreds of thousands of records (identity matching's new parties), and for the single rows
every request of the busiest doors writes (a case, its contact, a support).

``bulk_create`` and ``save()`` build their SQL value by value, each time. Here each model's
parameterised INSERT is written once, and each value is made ready for the database the way the
ORM makes it (``pre_save``, then ``get_db_prep_save``), skipped for the field types whose Python
value is already what the database takes. Inside ``rows_held`` the new rows of one change (a
case, its contact, its events) wait to the end of the block and go together: on PostgreSQL in
one statement, one round trip for all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Literal

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper

from ventanilla.core.holding import holding

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
# Rows per INSERT numbered by the database: well within the parameters a statement may carry on
# either database.
ROWS_PER_NUMBERED_INSERT = 1000


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
    _needs_own_key(type(objs[0]))
    held = _held.get()
    if held is not None:
        held.append(_Rows(objs, "new"))
    else:
        _insert_new_now(objs)


def _insert_new_now(objs: Sequence[models.Model]) -> None:
    model = type(objs[0])
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
    _saved(objs, connection)


def _saved(objs: Sequence[models.Model], connection: BaseDatabaseWrapper) -> None:
    """Mark ``objs`` as rows of the database: a later ``save()`` updates them."""
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
    held = _held.get()
    if held is not None:
        held.append(_Rows([obj], "one"))
    else:
        _insert_one_now(obj)


def _insert_one_now(obj: models.Model) -> None:
    connection = connections[DEFAULT_DB_ALIAS]
    plan = _plan_for(type(obj), connection)
    with connection.cursor() as cursor:
        cursor.execute(
            plan.insert + plan.returning, tuple(read(obj, connection) for read in plan.readers)
        )
        if plan.returned:
            _fill(obj, plan, cursor.fetchone(), connection)
    _saved([obj], connection)


def _fill(
    obj: models.Model, plan: _Plan, values: Sequence[Any], connection: BaseDatabaseWrapper
) -> None:
    """Give ``obj`` the columns the database computed, converted as the ORM converts them."""
    for (attname, converters, column), value in zip(plan.returned, values, strict=True):
        for convert in converters:
            value = convert(value, column, connection)
        setattr(obj, attname, value)


def insert_numbered(objs: Sequence[models.Model]) -> None:
    """Insert ``objs``, new objects of one model numbered by the database (an outbox's place in
    line), and give each its number: in the order given, as ``bulk_create`` numbers them. In the
    caller's transaction; no signals are sent."""
    if not objs:
        return
    held = _held.get()
    if held is not None:
        held.append(_Rows(objs, "numbered"))
    else:
        insert_numbered_now(objs)


def insert_numbered_now(objs: Sequence[models.Model]) -> None:
    """``insert_numbered``, never held: for a caller that needs the numbers at once (the audit
    log, whose head follows its last entry)."""
    connection = connections[DEFAULT_DB_ALIAS]
    number = connection.ops.quote_name(type(objs[0])._meta.pk.column)
    with connection.cursor() as cursor:
        for start in range(0, len(objs), ROWS_PER_NUMBERED_INSERT):
            batch = objs[start : start + ROWS_PER_NUMBERED_INSERT]
            insert, params = insert_statement(batch)
            cursor.execute(f"{insert} RETURNING {number}", params)
            for obj, (value,) in zip(batch, cursor.fetchall(), strict=True):
                obj.pk = value
    _saved(objs, connection)


# -- Rows held to the end of a block ---------------------------------------------------------


@dataclass(frozen=True)
class _Rows:
    """Rows of one model given to one of the inserts above while rows are held."""

    objs: Sequence[models.Model]
    how: Literal["one", "new", "numbered"]


_held: ContextVar[list[_Rows] | None] = ContextVar("ventanilla_rows_held", default=None)


def rows_held() -> AbstractContextManager[None]:
    """Hold the rows given to ``insert_one``, ``insert_new`` and ``insert_numbered`` inside the
    block and write them all when it ends: on PostgreSQL in one statement (a data-modifying
    ``WITH`` for each model's rows), one round trip where there were as many as rows; elsewhere
    one after the other, in the order given. For a change that writes rows of several kinds in
    one transaction (a case, its contact, its event), used inside that transaction.

    A held row gets what the database computes (its number, a generated column) only when the
    block ends, and nothing inside the block can read it back from the database: hold only
    rows that nothing in the block looks for. Foreign keys are checked at the commit on
    PostgreSQL and SQLite alike, so the order of the rows inside the statement does not matter.
    Nothing is written if the block fails; nested, the outermost block writes."""
    return holding(_held, _write_held)


def _write_now(rows: _Rows) -> None:
    if rows.how == "one":
        _insert_one_now(rows.objs[0])
    elif rows.how == "new":
        _insert_new_now(rows.objs)
    else:
        insert_numbered_now(rows.objs)


def _write_held(held: list[_Rows]) -> None:
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        # SQLite runs no INSERT inside a WITH: one statement each, as without holding.
        for rows in held:
            _write_now(rows)
        return
    together = []
    for rows in held:
        if len(rows.objs) > _ROWS_IN_ONE_STATEMENT:
            _write_now(rows)  # a batch goes as a batch
        else:
            together.append(rows)
    if len(together) == 1:
        _write_now(together[0])
    elif together:
        _write_together(together, connection)


def _write_together(held: list[_Rows], connection: BaseDatabaseWrapper) -> None:
    """One statement for all of ``held``: each model's INSERT in a ``WITH`` of its own, and one
    row back with what the database computed for each (a row's generated columns; the
    numbers of a numbered batch, in order)."""
    quote = connection.ops.quote_name
    parts: list[str] = []
    params: list[Any] = []
    read_back: list[str] = []
    for place, rows in enumerate(held):
        name = f"written_{place}"
        insert, values = insert_statement(rows.objs)
        if rows.how == "numbered":
            number = quote(type(rows.objs[0])._meta.pk.column)
            insert += f" RETURNING {number}"
            # Numbered in the order inserted, so the numbers sorted are the rows' in order.
            read_back.append(f"(SELECT array_agg({number} ORDER BY {number}) FROM {name})")  # noqa: S608
        elif rows.how == "one":
            plan = _plan_for(type(rows.objs[0]), connection)
            insert += plan.returning
            read_back.extend(
                f"(SELECT {quote(column.target.column)} FROM {name})"  # noqa: S608
                for _attname, _converters, column in plan.returned
            )
        parts.append(f"{name} AS ({insert})")
        params.extend(values)
    # Every INSERT of a WITH runs to its end, whether the final SELECT reads its rows or not.
    sql = f"WITH {', '.join(parts)} SELECT {', '.join(read_back) or 'NULL'}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = list(cursor.fetchone())
    for rows in held:
        if rows.how == "numbered":
            for obj, number in zip(rows.objs, row.pop(0), strict=True):
                obj.pk = number
        elif rows.how == "one":
            plan = _plan_for(type(rows.objs[0]), connection)
            taken = len(plan.returned)
            _fill(rows.objs[0], plan, row[:taken], connection)
            del row[:taken]
        _saved(rows.objs, connection)


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
