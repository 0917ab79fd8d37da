"""Cursor (keyset) pagination: stable under inserts and as fast on page 1,000 as on page 1."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _

from ventanilla.core.errors import ValidationFailed

M = TypeVar("M", bound=Model)

DEFAULT_LIMIT = 25
MAX_LIMIT = 200


@dataclass(frozen=True)
class Page(Generic[M]):
    items: list[M]
    next_cursor: str | None


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps([_plain(v) for v in values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, size: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as error:
        raise ValidationFailed({"cursor": _("This cursor is not valid.")}) from error
    if not isinstance(values, list) or len(values) != size:
        raise ValidationFailed({"cursor": _("This cursor is not valid.")})
    return values


def keyset_page(
    queryset: QuerySet[M],
    *,
    order: list[str],
    cursor: str | None,
    limit: int = DEFAULT_LIMIT,
) -> Page[M]:
    """One page of ``queryset`` ordered by ``order`` (e.g. ``["-occurred_at", "-id"]``).

    Every field in ``order`` runs the same direction; the last must be unique (the primary key).
    """
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed({"limit": _("Limit must be between 1 and %d.") % MAX_LIMIT})
    descending = order[0].startswith("-")
    fields = [name.lstrip("-") for name in order]
    if cursor:
        values = decode_cursor(cursor, len(fields))
        op = "lt" if descending else "gt"
        condition = Q()
        for position, name in enumerate(fields):
            step = Q(**{f"{name}__{op}": values[position]})
            for earlier in range(position):
                step &= Q(**{fields[earlier]: values[earlier]})
            condition |= step
        queryset = queryset.filter(condition)
    rows = list(queryset.order_by(*order)[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = encode_cursor([getattr(last, name) for name in fields])
    return Page(items=rows, next_cursor=next_cursor)


def keyset_merge(
    querysets: list[QuerySet[M]],
    *,
    order: list[str],
    cursor: str | None,
    limit: int = DEFAULT_LIMIT,
) -> Page[M]:
    """One page over several querysets as if they were one, by the same ``order`` and cursor.

    For a queue over several departments: one ordered index walk of at most ``limit`` + 1 rows
    per department beats asking the database to sort every open case of all of them."""
    pages = [keyset_page(qs, order=order, cursor=cursor, limit=limit) for qs in querysets]
    descending = order[0].startswith("-")
    fields = [name.lstrip("-") for name in order]
    rows = sorted(
        (row for page in pages for row in page.items),
        key=lambda row: tuple(getattr(row, name) for name in fields),
        reverse=descending,
    )
    more = len(rows) > limit or any(page.next_cursor for page in pages)
    rows = rows[:limit]
    next_cursor = (
        encode_cursor([getattr(rows[-1], name) for name in fields]) if more and rows else None
    )
    return Page(items=rows, next_cursor=next_cursor)
