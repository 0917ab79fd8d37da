"""The tables the seed writes, their columns in the order the rooms make rows, and the bulk
insert: ``executemany`` on SQLite, ``COPY`` on PostgreSQL."""

from __future__ import annotations

from typing import Any, Final

from django.db import connection, models

from ventanilla.cases.models import Case, CaseEvent
from ventanilla.demo.models import SyntheticTruth
from ventanilla.identity.models import SourceRecord
from ventanilla.interactions.models import Interaction
from ventanilla.parties.models import (
    ContactPoint,
    Identifier,
    NameToken,
    Party,
    PartyKey,
    ProfileAttribute,
    Representation,
)

Row = tuple[Any, ...]


def column_of(field: Any) -> str:
    column = field.column
    if not isinstance(column, str):
        raise TypeError(f"{field} has no column")
    return column


class Tables:
    """Column lists of the tables the seed writes, in the order they are written."""

    SPECS: Final[tuple[tuple[type[models.Model], tuple[str, ...]], ...]] = (
        (
            Party,
            ("id", "created_at", "updated_at", "kind", "status", "given_name", "family_name_1",
             "family_name_2", "legal_name", "birth_date", "sex", "preferred_language",
             "education_level", "accessibility_needs", "sort_name"),
        ),
        (NameToken, ("party", "token")),
        (PartyKey, ("party", "key")),
        (
            Identifier,
            ("id", "created_at", "updated_at", "party", "scheme", "value", "issuing_country",
             "verified"),
        ),
        (
            ContactPoint,
            ("id", "created_at", "updated_at", "party", "kind", "value", "normalized",
             "postal_code", "municipality", "district", "preferred", "valid_until"),
        ),
        (
            ProfileAttribute,
            ("id", "created_at", "updated_at", "party", "name", "value", "sensitivity",
             "category", "source_agency"),
        ),
        (
            Representation,
            ("id", "created_at", "updated_at", "representative", "represented", "kind", "scope",
             "valid_from", "valid_until", "evidence"),
        ),
        (
            Case,
            ("id", "created_at", "updated_at", "reference", "party", "service", "status",
             "priority", "channel", "department", "assignee", "opened_at", "due_date",
             "closed_at", "description", "form_data", "location_text", "latitude", "longitude",
             "district", "satisfaction"),
        ),
        (
            CaseEvent,
            ("id", "created_at", "updated_at", "case", "kind", "action", "from_status",
             "to_status", "text", "public", "actor_label", "occurred_at"),
        ),
        (
            Interaction,
            ("id", "created_at", "updated_at", "party", "channel", "agency", "direction",
             "relationship", "kind", "service", "case", "agent", "occurred_at",
             "duration_seconds", "summary", "outcome"),
        ),
        (
            SourceRecord,
            ("id", "created_at", "updated_at", "agency", "source_key", "given_name",
             "family_name_1", "family_name_2", "birth_date", "identifier", "address",
             "postal_code", "city", "email", "phone", "decided_by", "flags"),
        ),
        (SyntheticTruth, ("source_record", "party", "distortions")),
    )  # fmt: skip

    def __init__(self) -> None:
        quote = connection.ops.quote_name
        self.sql: dict[type[models.Model], tuple[str, str, int]] = {}
        for model, fields in self.SPECS:
            meta = model._meta
            columns = ", ".join(quote(column_of(meta.get_field(name))) for name in fields)
            self.sql[model] = (quote(meta.db_table), columns, len(fields))

    def write(self, model: type[models.Model], rows: list[Row]) -> None:
        if not rows:
            return
        table, columns, width = self.sql[model]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * width)
                # Table and column names come from the models and are quoted; values are bound.
                sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
                cursor.executemany(sql, rows)
