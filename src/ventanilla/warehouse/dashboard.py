"""The analysts' dashboard: a handful of figures read from the warehouse, each a small-cell
suppressed table, for a period and the one of the same length before it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import duckdb

from ventanilla.warehouse.suppression import SuppressedTable, aggregate

PERIODS = (30, 90, 365)
FIGURES = (
    "channels",
    "outcomes",
    "repeats",
    "services",
    "life_events",
    "districts",
    "backlog",
    "deadlines",
    "resolution",
    "satisfaction",
    "satisfaction_services",
)
# How a contact ended, as the operational side records it (``Interaction.Outcome``).
OUTCOMES = ("answered", "case_opened", "appointment", "call_back", "transferred", "no_answer")


@dataclass
class Row:
    label: str
    count: int | None  # None: too few people to show
    previous: int | None = None
    mean: float | None = None
    median: float | None = None


@dataclass
class Figure:
    key: str
    rows: list[Row] = field(default_factory=list)
    total: int | None = None
    previous_total: int | None = None
    # The largest count shown: the bars' full length.
    top: int = 0


@dataclass(frozen=True)
class Filters:
    days: int = 30
    agency: str = ""
    channel: str = ""
    service: str = ""
    segment: int = 0  # 0: everyone


@dataclass
class Trend:
    """Contacts by channel over the period, week by week (month by month over a year): the
    channel shift. Each line is a channel's counts in the order of ``buckets``."""

    by: str  # "week" (the Monday's date) or "year_month"
    start: date  # the period's first day: the first week or month may begin before it
    buckets: list[str] = field(default_factory=list)
    lines: list[tuple[str, list[int | None]]] = field(default_factory=list)


def code_names(
    con: duckdb.DuckDBPyConnection, table: str, key: str, language: str
) -> dict[str, str]:
    """Each code of a dimension with its name in ``language`` (the code where it has none)."""
    column = "name_en" if language == "en" else "name_es"
    return {
        code: name or code
        for code, name in con.execute(
            f"SELECT {key}, {column} FROM {table}"  # noqa: S608 (fixed names only)
        ).fetchall()
    }


def choices(con: duckdb.DuckDBPyConnection, language: str) -> dict[str, list[tuple[str, str]]]:
    """The agencies, channels and services the filters offer, by name."""
    return {
        "services": sorted(
            code_names(con, "dim_service", "service_code", language).items(), key=lambda i: i[1]
        ),
        "agencies": sorted(
            code_names(con, "dim_agency", "agency_code", language).items(), key=lambda i: i[1]
        ),
        "channels": sorted(
            code_names(con, "dim_channel", "channel_code", language).items(), key=lambda i: i[1]
        ),
    }


def _departments(con: duckdb.DuckDBPyConnection, agency: str) -> list[str]:
    """The agency and every department under it (cases are counted by department)."""
    return [
        row[0]
        for row in con.execute(
            "SELECT a.agency_code FROM dim_agency a, dim_agency top "
            "WHERE top.agency_code = ? AND (a.path = top.path OR a.path LIKE top.path || '.%' "
            "OR a.agency_code = top.agency_code)",
            [agency],
        ).fetchall()
    ]


def dashboard(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    language: str,
    labels: dict[str, str],
    today: date | None = None,
) -> dict[str, Figure]:
    """Every figure for ``filters``; ``labels`` names the codes the warehouse does not (yes/no,
    age bands)."""
    end = today or datetime.now(tz=UTC).date()
    start = end - timedelta(days=filters.days - 1)
    before = (start - timedelta(days=filters.days), start - timedelta(days=1))
    channel = [filters.channel] if filters.channel else None
    service = [filters.service] if filters.service else None
    departments = _departments(con, filters.agency) if filters.agency else None
    segment = filters.segment or None
    channels = code_names(con, "dim_channel", "channel_code", language)
    services = code_names(con, "dim_service", "service_code", language)
    life_events = code_names(con, "dim_life_event", "life_event_code", language)

    def where(agency_column: str, **more: list[Any]) -> dict[str, list[Any]]:
        clauses: dict[str, list[Any]] = dict(more)
        if channel:
            clauses["channel_code"] = channel
        if service:
            clauses["service_code"] = service
        if departments is not None:
            clauses[agency_column] = departments
        return clauses

    def figure(
        key: str,
        fact: str,
        by: str,
        names: dict[str, str],
        clauses: dict[str, list[Any]],
        *,
        dated: bool = True,
        mean: str | None = None,
        median: str | None = None,
        limit: int | None = None,
    ) -> Figure:
        now = aggregate(
            con,
            fact=fact,
            by=(by,),
            start=start if dated else None,
            end=end if dated else None,
            where=clauses,
            mean=mean,
            median=median,
            segment=segment,
        )
        then: SuppressedTable | None = (
            aggregate(
                con,
                fact=fact,
                by=(by,),
                start=before[0],
                end=before[1],
                where=clauses,
                segment=segment,
            )
            if dated
            else None
        )
        earlier = {cell.group[0]: cell.count for cell in then.cells} if then else {}
        if dated:  # the largest first; age bands keep their own order
            cells = sorted(now.cells, key=lambda c: (-(c.count or 0), str(c.group[0])))
        else:
            order = list(names)
            cells = sorted(
                now.cells, key=lambda c: order.index(c.group[0]) if c.group[0] in order else 99
            )
        result = Figure(key=key, total=now.total, previous_total=then.total if then else None)
        for cell in cells[:limit] if limit else cells:
            code = cell.group[0]
            result.rows.append(
                Row(
                    label=names.get(str(code), str(code)) if code is not None else labels["none"],
                    count=cell.count,
                    previous=earlier.get(code),
                    mean=cell.mean if cell.count is not None else None,
                    median=cell.median if cell.count is not None else None,
                )
            )
        result.top = max((row.count or 0 for row in result.rows), default=0)
        return result

    figures = {
        "channels": figure(
            "channels", "fact_interaction", "channel_code", channels, where("agency_code")
        ),
        "outcomes": figure(
            "outcomes",
            "fact_interaction",
            "outcome",
            {code: labels[f"outcome:{code}"] for code in OUTCOMES},
            where("agency_code", direction=["inbound"]),
        ),
        "repeats": figure(
            "repeats",
            "fact_repeat_contact",
            "repeat",
            {"False": labels["first"], "True": labels["repeat"]},
            where("agency_code"),
        ),
        "districts": figure(
            "districts",
            "fact_case",
            "district",
            {},
            where("department_code"),
        ),
        "services": figure(
            "services",
            "fact_case",
            "service_code",
            services,
            where("department_code"),
            limit=10,
        ),
        "life_events": figure(
            "life_events",
            "fact_case_life_event",
            "life_event_code",
            life_events,
            where("department_code"),
            limit=10,
        ),
        "backlog": figure(
            "backlog",
            "fact_case",
            "age_band",
            {band: labels[band] for band in ("0-29", "30-89", "90-364", "365+")},
            where("department_code", is_open=[True]),
            dated=False,
        ),
        "deadlines": figure(
            "deadlines",
            "fact_case",
            "closed_late",
            {"False": labels["on_time"], "True": labels["late"]},
            where("department_code", closed_late=[True, False]),
        ),
        "resolution": figure(
            "resolution",
            "fact_case",
            "service_code",
            services,
            where("department_code", is_open=[False]),
            median="hours_to_close",
            limit=10,
        ),
        "satisfaction": figure(
            "satisfaction",
            "fact_satisfaction",
            "channel_code",
            channels,
            where("department_code"),
            mean="score",
        ),
        "satisfaction_services": figure(
            "satisfaction_services",
            "fact_satisfaction",
            "service_code",
            services,
            where("department_code"),
            mean="score",
            limit=10,
        ),
    }
    return figures


def trend(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    language: str,
    today: date | None = None,
) -> Trend:
    """Contacts by channel over the period, for the channel shift: week by week, or month by
    month over a year; each cell suppressed as every published figure is."""
    end = today or datetime.now(tz=UTC).date()
    start = end - timedelta(days=filters.days - 1)
    by = "year_month" if filters.days > 90 else "week"
    clauses: dict[str, list[Any]] = {}
    if filters.channel:
        clauses["channel_code"] = [filters.channel]
    if filters.service:
        clauses["service_code"] = [filters.service]
    if filters.agency:
        clauses["agency_code"] = _departments(con, filters.agency)
    table = aggregate(
        con,
        fact="fact_interaction",
        by=(by, "channel_code"),
        start=start,
        end=end,
        where=clauses,
        segment=filters.segment or None,
    )
    channels = code_names(con, "dim_channel", "channel_code", language)
    result = Trend(by=by, start=start, buckets=sorted({str(cell.group[0]) for cell in table.cells}))
    counts: dict[str, dict[str, int | None]] = {}
    for cell in table.cells:
        counts.setdefault(str(cell.group[1]), {})[str(cell.group[0])] = cell.count
    # The busiest channel first; a channel with no contact in a week is a zero that week.
    ordered = sorted(counts, key=lambda code: (-sum(v or 0 for v in counts[code].values()), code))
    for code in ordered:
        result.lines.append(
            (channels.get(code, code), [counts[code].get(bucket, 0) for bucket in result.buckets])
        )
    return result
