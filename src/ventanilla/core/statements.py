"""Reading with a statement written once, for the reads every request of the busiest doors
makes (the API key of the caller, the reporter's party, a citizen's addresses): building such a
query with the ORM costs several times what the database takes to answer it.

``read_one`` and ``read_all`` run the statement and give each value as the ORM would give it
for the field named (a UUID, an aware time, a decoded JSON), on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper

M = TypeVar("M", bound=models.Model)
_Convert = Callable[[Any, Any, BaseDatabaseWrapper], Any]
_CONVERTERS: dict[tuple[models.Field[Any, Any], str], tuple[list[_Convert], Any]] = {}
# The fields a statement's columns are read as (None: a value taken as read, a count).
_Fields = Sequence[models.Field[Any, Any] | None]


def _converters(
    field: models.Field[Any, Any], connection: BaseDatabaseWrapper
) -> tuple[list[_Convert], Any]:
    key = (field, connection.vendor)
    found = _CONVERTERS.get(key)
    if found is None:
        column = field.get_col(field.model._meta.db_table)
        found = _CONVERTERS[key] = (
            connection.ops.get_db_converters(column) + column.get_db_converters(connection),
            column,
        )
    return found


def _converted(
    fields: _Fields,
    row: Sequence[Any],
    connection: BaseDatabaseWrapper,
) -> tuple[Any, ...]:
    values = []
    for field, value in zip(fields, row, strict=True):
        if field is None:
            values.append(value)
            continue
        converters, column = _converters(field, connection)
        for convert in converters:
            value = convert(value, column, connection)
        values.append(value)
    return tuple(values)


def read_all(sql: str, params: Sequence[Any], fields: _Fields) -> list[tuple[Any, ...]]:
    """The rows ``sql`` reads, its columns being ``fields`` in order, each value converted as
    the ORM converts that field's (None: a value taken as read, a count)."""
    connection = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [_converted(fields, row, connection) for row in rows]


def read_one(sql: str, params: Sequence[Any], fields: _Fields) -> tuple[Any, ...] | None:
    """The first row ``sql`` reads (as ``read_all`` gives it), or None."""
    connection = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else _converted(fields, row, connection)


def columns_of(model: type[models.Model], alias: str) -> str:
    """Every column of ``model``'s table, named (never ``*``: a statement prepared on a
    PostgreSQL connection must keep its shape when a migration adds a column), as ``alias.name``."""
    return ", ".join(f"{alias}.{field.column}" for field in model._meta.concrete_fields)


def instance_of(model: type[M], values: Sequence[Any]) -> M:
    """The object of ``model`` whose columns (as ``columns_of`` names them) ``values`` are,
    read by ``read_one`` or ``read_all`` with ``fields_of_all(model)``."""
    return model.from_db(DEFAULT_DB_ALIAS, _attnames(model), values)


def _attnames(model: type[models.Model]) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


def fields_of_all(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """The fields of ``columns_of(model)``, in order."""
    return list(model._meta.concrete_fields)


def exists(sql: str, params: Sequence[Any]) -> bool:
    """Whether ``sql`` reads a row."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() is not None


def fields_of(model: type[models.Model], *names: str) -> list[models.Field[Any, Any]]:
    """The fields ``names`` of ``model``, to name a statement's columns."""
    return [cast("models.Field[Any, Any]", model._meta.get_field(name)) for name in names]


def db_value(field: models.Field[Any, Any], value: Any) -> Any:
    """``value`` made ready to compare with ``field``'s column in a statement's parameters."""
    return field.get_db_prep_value(value, connections[DEFAULT_DB_ALIAS], prepared=False)
