"""Small-cell suppression: every statistic published from the warehouse (dashboards, CSV, open
data) counts people through here, so no filter singles anyone out.

A cell counting fewer people than the threshold (VENTANILLA_SMALL_CELL_THRESHOLD, 5 by default)
is hidden (primary suppression). Where the table also publishes totals, a single hidden cell in a
row or a column could be worked out by subtraction, so the other cell of that row or column
with the smallest count is hidden too (complementary suppression), until no row or column has
exactly one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import duckdb
from django.conf import settings

# The columns a published table may be grouped by, per fact: names only from this list reach
# the SQL, so a request cannot inject one.
GROUPABLE: dict[str, frozenset[str]] = {
    "fact_interaction": frozenset(
        {
            "channel_code",
            "agency_code",
            "service_code",
            "direction",
            "relationship",
            "kind",
            "outcome",
            "year",
            "month",
            "date_key",
            "year_month",
            "week",
        }
    ),
    "fact_case": frozenset(
        {
            "service_code",
            "channel_code",
            "department_code",
            "life_event_code",
            "status",
            "priority",
            "district",
            "year",
            "month",
            "date_key",
            "closed_late",
            "is_open",
            "age_band",
            "year_month",
        }
    ),
    "fact_appointment": frozenset(
        {
            "kind",
            "status",
            "office_code",
            "agency_code",
            "service_code",
            "year",
            "month",
            "date_key",
        }
    ),
    "fact_case_life_event": frozenset(
        {
            "life_event_code",
            "service_code",
            "channel_code",
            "department_code",
            "district",
            "year",
            "month",
            "date_key",
        }
    ),
    "fact_repeat_contact": frozenset(
        {
            "repeat",
            "channel_code",
            "agency_code",
            "service_code",
            "year",
            "month",
            "date_key",
        }
    ),
    "fact_satisfaction": frozenset(
        {
            "service_code",
            "channel_code",
            "department_code",
            "district",
            "score",
            "year",
            "month",
            "date_key",
        }
    ),
}
# The date each fact is counted on (for "year" and "month" and the period filter).
_DAY = "date_key"
# Columns worked out from others: how long an open case has waited, in bands; the month with
# its year, one column (as "year" and "month" apart, each would be an axis whose totals, such as
# every December together, the suppression would guard though nobody publishes them).
_DERIVED = {
    "year_month": "strftime(date_key, '%Y-%m')",
    # The Monday of the week, as an ISO date.
    "week": "strftime(date_trunc('week', date_key), '%Y-%m-%d')",
    "age_band": (
        "CASE WHEN current_date - date_key < 30 THEN '0-29' "
        "WHEN current_date - date_key < 90 THEN '30-89' "
        "WHEN current_date - date_key < 365 THEN '90-364' ELSE '365+' END"
    ),
}
# The only columns whose mean may be published beside a count, and whose median.
_MEANS = frozenset({"score"})
_MEDIANS = frozenset({"hours_to_close"})
# A first reading of each cell counts one person in SAMPLE only (see ``aggregate``).
SAMPLE = 16


@dataclass
class Cell:
    group: tuple[Any, ...]
    # Contacts, cases … counted, and the people behind them (never published themselves): the
    # exact number, or, where ``exact`` is False, a floor already at the threshold or above.
    true_count: int
    people: int
    exact: bool = True
    suppressed: str = ""  # "", "small" (primary) or "complementary"
    mean: float | None = None
    median: float | None = None

    @property
    def count(self) -> int | None:
        """What may be published: the count, or None when hidden."""
        return None if self.suppressed else self.true_count


@dataclass
class SuppressedTable:
    by: tuple[str, ...]
    cells: list[Cell]
    threshold: int
    # The total of every cell (what the table's total row shows); None when itself small.
    total: int | None = None
    people: int = 0
    notes: list[str] = field(default_factory=list)

    def rows(self) -> list[dict[str, Any]]:
        return [
            {**dict(zip(self.by, cell.group, strict=True)), "count": cell.count}
            for cell in self.cells
        ]


def suppress(
    cells: list[Cell], *, by: tuple[str, ...], threshold: int | None = None
) -> SuppressedTable:
    """Hide the small cells of ``cells`` and those that would reveal them through the totals
    of each row and column (the first grouping column against each of the others): beside a
    lone hidden cell, the other with the smallest count, the least figure lost."""
    limit = settings.VENTANILLA_SMALL_CELL_THRESHOLD if threshold is None else threshold
    for cell in cells:
        if 0 < cell.people < limit:
            cell.suppressed = "small"
    # Margins: with one grouping column, the table's total; with more, each line that shares
    # every grouping value but one.
    axes = range(len(by))
    changed = True
    while changed:
        changed = False
        for axis in axes:
            lines: dict[tuple[Any, ...], list[Cell]] = {}
            for cell in cells:
                rest = cell.group[:axis] + cell.group[axis + 1 :]
                lines.setdefault(rest, []).append(cell)
            for line in lines.values():
                hidden = [c for c in line if c.suppressed]
                shown = [c for c in line if not c.suppressed and c.people > 0]
                if len(hidden) == 1 and shown:
                    smallest = min(shown, key=lambda c: (c.true_count, str(c.group)))
                    smallest.suppressed = "complementary"
                    changed = True
    # People may count in several cells; the largest cell is a floor of those behind the total
    # (and a cell counted only as a floor is at the threshold already).
    people = max((c.people for c in cells), default=0)
    table = SuppressedTable(by=by, cells=cells, threshold=limit, people=people)
    table.total = sum(c.true_count for c in cells) if people == 0 or people >= limit else None
    return table


def aggregate(
    con: duckdb.DuckDBPyConnection,
    *,
    fact: str,
    by: tuple[str, ...],
    start: Any = None,
    end: Any = None,
    threshold: int | None = None,
    where: dict[str, list[Any]] | None = None,
    mean: str | None = None,
    median: str | None = None,
    segment: int | None = None,
) -> SuppressedTable:
    """Count the rows of ``fact`` grouped ``by`` its columns (and "year", "month" of its date),
    between ``start`` and ``end`` (dates, inclusive), keeping only rows whose columns hold one
    of the values ``where`` lists, with the people behind each count (and the ``mean`` of a
    column, or its ``median``), only of the people of one ``segment`` if given, and suppress the
    small cells."""
    allowed = GROUPABLE.get(fact)
    if allowed is None:
        raise ValueError(f"{fact} is not a fact that can be published")
    unknown = [column for column in by if column not in allowed]
    if unknown or not by:
        raise ValueError(f"cannot group {fact} by {', '.join(unknown) or 'nothing'}")
    unknown = [column for column in (where or {}) if column not in allowed or column in _DERIVED]
    if (
        unknown
        or (mean is not None and mean not in _MEANS)
        or (median is not None and (median not in _MEDIANS or mean is not None))
    ):
        raise ValueError(f"cannot filter {fact} by {', '.join(unknown) or mean or median}")

    def expression(column: str) -> str:
        if column in {"year", "month"}:
            return f"{column}({_DAY}) AS {column}"
        if column in _DERIVED:
            return f"{_DERIVED[column]} AS {column}"
        return column

    columns = ", ".join(expression(column) for column in by)
    if mean is not None:
        columns += f", {mean} AS mean_of"
    if median is not None:
        columns += f", {median} AS mean_of"
    names = ", ".join(by)
    clauses, params = ["TRUE"], []
    if start is not None:
        clauses.append(f"{_DAY} >= ?")
        params.append(start)
    if end is not None:
        clauses.append(f"{_DAY} <= ?")
        params.append(end)
    for column, values in (where or {}).items():
        if not values:
            clauses.append("FALSE")
            continue
        clauses.append(f"{column} IN ({', '.join('?' for _ in values)})")
        params.extend(values)
    if segment is not None:
        clauses.append("party_key IN (SELECT party_key FROM dim_party_segment WHERE segment = ?)")
        params.append(segment)
    average = (
        ", AVG(mean_of) AS mean_of"
        if mean is not None
        else ", MEDIAN(mean_of) AS mean_of"
        if median is not None
        else ""
    )
    rows_of = f"(SELECT {columns}, party_key FROM {fact} WHERE {' AND '.join(clauses)})"  # noqa: S608
    # Rows whose person was erased have no key: together they count as one person, the fewest
    # they can be, so they never make a cell look safer than it is.
    erased = "MAX(CASE WHEN party_key IS NULL THEN 1 ELSE 0 END)"
    # Counting the distinct people of every cell is most of a query's time. So first the people
    # of a sample are counted, those whose key is a multiple of SAMPLE (keys are HMAC bits: who
    # falls in it is down to chance): a floor of each cell's people, at a fraction of the cost.
    # A cell whose floor reaches the threshold is safe as it is; only the others are counted
    # exactly, apart.
    grouped = ", ".join(f"a.{name}" for name in by)
    same = " AND ".join(f"a.{name} IS NOT DISTINCT FROM s.{name}" for name in by)
    sql = (
        f"WITH r AS {rows_of}, "  # noqa: S608
        f"a AS (SELECT {names}, COUNT(*) AS n, {erased} AS erased{average} FROM r GROUP BY ALL), "
        f"s AS (SELECT {names}, COUNT(DISTINCT party_key) AS sampled FROM r "
        f"WHERE party_key % {SAMPLE} = 0 GROUP BY ALL) "
        f"SELECT {grouped}, n, COALESCE(sampled, 0) + erased AS floor"
        f"{', mean_of' if average else ''}, hash({grouped}) AS cell "
        f"FROM a LEFT JOIN s ON {same} ORDER BY {grouped}"
    )
    limit = settings.VENTANILLA_SMALL_CELL_THRESHOLD if threshold is None else threshold
    cells: list[Cell] = []
    hashes: dict[tuple[Any, ...], int] = {}
    for row in con.execute(sql, params).fetchall():
        n, floor = row[len(by)], row[len(by) + 1]
        measured = float(row[-2]) if (mean or median) and row[-2] is not None else None
        cells.append(
            Cell(
                group=tuple(row[: len(by)]),
                true_count=int(n),
                people=int(floor),
                exact=False,
                mean=measured if mean is not None else None,
                median=measured if median is not None else None,
            )
        )
        hashes[cells[-1].group] = row[-1]
    unsure = [cell for cell in cells if cell.people < limit]
    if unsure:
        found = {
            tuple(row[: len(by)]): int(row[-1])
            for row in con.execute(
                f"SELECT {names}, COUNT(DISTINCT party_key) + {erased} FROM {rows_of} "  # noqa: S608
                f"WHERE hash({names}) IN (SELECT unnest(?::UBIGINT[])) GROUP BY ALL",
                [*params, [hashes[cell.group] for cell in unsure]],
            ).fetchall()
        }
        for cell in unsure:
            cell.people, cell.exact = found[cell.group], True
    return suppress(cells, by=by, threshold=threshold)
