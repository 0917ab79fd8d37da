"""Where each warehouse table comes from: one SELECT over the operational tables per table, in the
dialect of the database in use (SQLite or PostgreSQL), returning plain numbers and codes only.

Times leave the database as microseconds since the epoch and dates as days, so the rows turn
into Arrow columns without a Python object per value; ids leave as 32 hex digits on both
databases, which is what the party key's HMAC is taken of.
"""

# The SQL here is built from this module's own table names and dialect spellings only; the one
# value that varies (the time changes are read since) is always a bound parameter.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa


class Dialect:
    """SQL spellings that differ between SQLite and PostgreSQL."""

    def __init__(self, vendor: str) -> None:
        self.postgres = vendor == "postgresql"

    def hex(self, column: str) -> str:
        # Django keeps a UUID as 32 hex digits on SQLite, as the native type on PostgreSQL.
        return f"replace({column}::text, '-', '')" if self.postgres else column

    def micros(self, column: str) -> str:
        if self.postgres:
            return f"(extract(epoch FROM {column}) * 1000000)::bigint"
        # Django writes "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC; the fraction is absent when zero.
        # The seconds are read without the fraction: SQLite before 3.42 rounds a time to the
        # millisecond first, so ".999712" would add a second there.
        return (
            f"(CAST(strftime('%%s', substr({column}, 1, 19)) AS INTEGER) * 1000000"
            f" + CAST(substr({column} || '.000000', 21, 6) AS INTEGER))"
        )

    def days(self, column: str) -> str:
        if self.postgres:
            return f"({column} - DATE '1970-01-01')"
        return f"CAST(julianday({column}) - 2440587.5 AS INTEGER)"

    def flag(self, condition: str) -> str:
        # A CASE, not the bare column: SQLite would hand a boolean column back as a bool.
        return (
            f"({condition})::int" if self.postgres else f"CASE WHEN {condition} THEN 1 ELSE 0 END"
        )

    def year(self, column: str) -> str:
        if self.postgres:
            return f"extract(year FROM {column})::int"
        return f"CAST(strftime('%%Y', {column}) AS INTEGER)"

    def text(self, column: str) -> str:
        return f"{column}::text" if self.postgres else column


# How a column leaves the database and what Arrow type it becomes.
ARROW_TYPES: dict[str, pa.DataType] = {
    "text": pa.string(),
    "int": pa.int64(),
    "float": pa.float64(),
    "flag": pa.int8(),
    "micros": pa.int64(),
    "days": pa.int32(),
}
# A statement's columns: each name with its kind, a key of ARROW_TYPES.
Columns = list[tuple[str, str]]


def typed(array: Any, kind: str) -> Any:
    """A column in the Arrow type its kind names (times as timestamps, days as dates)."""
    array = array.cast(ARROW_TYPES[kind])
    if kind == "micros":
        return array.cast(pa.timestamp("us"))
    if kind == "days":
        return array.cast(pa.date32())
    return array


def table_of(arrays: list[Any], columns: Columns) -> pa.Table:
    """The columns read for ``columns`` as one table, each in the type its kind names."""
    return pa.Table.from_arrays(
        [typed(array, kind) for array, (_name, kind) in zip(arrays, columns, strict=True)],
        names=[name for name, _ in columns],
    )


@dataclass(frozen=True)
class Source:
    table: str
    # The warehouse column that identifies a row, and the source column it is made from.
    key: str
    columns: list[tuple[str, str]]
    # SELECT … FROM … with "{changed}" where the incremental condition goes.
    select: Callable[[Dialect], str]
    # The condition on rows changed since a time (one or more "%s" placeholders, all the time).
    changed: Callable[[Dialect], str]
    # The model whose latest updated_at becomes the high-water mark (several: the latest of all).
    watermark_tables: tuple[str, ...]
    # DuckDB expressions computed from the staged columns on the way in.
    derived: dict[str, str] = field(default_factory=dict)
    # Rows staged but not kept (the erased parties: staged so they can be removed).
    keep: str = "TRUE"
    # Counting the rows the warehouse should hold, and listing their keys (to find deletions).
    count: Callable[[Dialect], str] | None = None
    ids: Callable[[Dialect], str] | None = None


def _parties(d: Dialect) -> str:
    return f"""
        SELECT {d.hex("p.id")} AS party_id, p.kind,
               {d.flag("p.status = 'erased' OR COALESCE(m.status, '') = 'erased'")} AS erased,
               {d.year("p.birth_date")} AS birth_year, p.sex, p.preferred_language,
               {d.text("p.accessibility_needs")} AS accessibility_json,
               (SELECT c.district FROM parties_contactpoint c
                 WHERE c.party_id = p.id AND c.kind = 'postal' AND c.district <> ''
                 ORDER BY c.preferred DESC, c.district LIMIT 1) AS district,
               {d.micros("p.updated_at")} AS updated_at
        FROM parties_party p LEFT JOIN parties_party m ON m.id = p.merged_into_id
        {{changed}}
    """


# Every join below is a LEFT JOIN although the keys are never null: it keeps the big table the
# outer loop, read in storage order, where SQLite would otherwise walk it through the index of
# the small table's key (a random read per row: twenty times slower).

# Accessibility needs are codes; anything else in the list (typed by hand) is left out.
ACCESSIBILITY_CODES = (
    "wheelchair",
    "low_vision",
    "blind",
    "deaf",
    "hard_of_hearing",
    "sign_language",
    "easy_read",
    "cognitive",
)
_CODES = ", ".join(f"'{code}'" for code in ACCESSIBILITY_CODES)

PARTIES = Source(
    table="dim_party",
    key="party_key",
    columns=[
        ("party_id", "text"),
        ("kind", "text"),
        ("erased", "flag"),
        ("birth_year", "int"),
        ("sex", "text"),
        ("preferred_language", "text"),
        ("accessibility_json", "text"),
        ("district", "text"),
        ("updated_at", "micros"),
    ],
    select=_parties,
    changed=lambda d: (
        "WHERE p.updated_at > %s OR p.id IN "
        "(SELECT c.party_id FROM parties_contactpoint c WHERE c.updated_at > %s)"
    ),
    watermark_tables=("parties_party", "parties_contactpoint"),
    derived={
        "birth_cohort": "CAST(birth_year - birth_year % 5 AS SMALLINT)",
        "sex": "NULLIF(sex, '')",
        "language": "NULLIF(preferred_language, '')",
        "accessibility_needs": (
            "list_sort(list_filter(CAST(COALESCE(json_extract_string("
            "accessibility_json, '$[*]'), []) AS VARCHAR[]), "
            f"lambda code: code IN ({_CODES})))"
        ),
        "district": "NULLIF(district, '')",
    },
    keep="erased = 0",
    count=lambda d: (
        "SELECT COUNT(*) FROM parties_party p LEFT JOIN parties_party m "
        "ON m.id = p.merged_into_id "
        "WHERE p.status <> 'erased' AND COALESCE(m.status, '') <> 'erased'"
    ),
    ids=lambda d: (
        f"SELECT {d.hex('p.id')} FROM parties_party p LEFT JOIN parties_party m "
        "ON m.id = p.merged_into_id "
        "WHERE p.status <> 'erased' AND COALESCE(m.status, '') <> 'erased'"
    ),
)

INTERACTIONS = Source(
    table="fact_interaction",
    key="interaction_id",
    columns=[
        ("interaction_id", "text"),
        ("party_id", "text"),
        ("occurred_at", "micros"),
        ("channel_code", "text"),
        ("agency_code", "text"),
        ("service_code", "text"),
        ("case_id", "text"),
        ("direction", "text"),
        ("relationship", "text"),
        ("kind", "text"),
        ("outcome", "text"),
        ("duration_seconds", "int"),
        ("handled_by_agent", "flag"),
        ("updated_at", "micros"),
    ],
    select=lambda d: (
        f"""
        SELECT {d.hex("i.id")}, {d.hex("i.party_id")}, {d.micros("i.occurred_at")},
               i.channel_id, a.code, s.code, {d.hex("i.case_id")}, i.direction, i.relationship,
               i.kind, i.outcome, i.duration_seconds, {d.flag("i.agent_id IS NOT NULL")},
               {d.micros("i.updated_at")}
        FROM interactions_interaction i
        LEFT JOIN catalog_agency a ON a.id = i.agency_id
        LEFT JOIN catalog_publicservice s ON s.id = i.service_id
        {{changed}}
    """
    ),
    changed=lambda d: "WHERE i.updated_at > %s",
    watermark_tables=("interactions_interaction",),
    derived={
        "date_key": "CAST(occurred_at AS DATE)",
        "outcome": "NULLIF(outcome, '')",
        "handled_by_agent": "handled_by_agent = 1",
    },
    count=lambda d: "SELECT COUNT(*) FROM interactions_interaction",
    ids=lambda d: f"SELECT {d.hex('id')} FROM interactions_interaction",
)

CASES = Source(
    table="fact_case",
    key="case_id",
    columns=[
        ("case_id", "text"),
        ("party_id", "text"),
        ("service_code", "text"),
        ("channel_code", "text"),
        ("department_code", "text"),
        ("life_event_code", "text"),
        ("status", "text"),
        ("priority", "text"),
        ("is_open", "flag"),
        ("routed_by", "text"),
        ("triage", "flag"),
        ("duplicate", "flag"),
        ("escalated", "flag"),
        ("district", "text"),
        ("opened_at", "micros"),
        ("due_days", "days"),
        ("resolved_at", "micros"),
        ("closed_at", "micros"),
        ("satisfaction", "int"),
        ("satisfaction_at", "micros"),
        ("updated_at", "micros"),
    ],
    select=lambda d: (
        f"""
        SELECT {d.hex("k.id")}, {d.hex("k.party_id")}, s.code, k.channel_id, a.code, le.code,
               k.status, k.priority, {d.flag("k.is_open")}, k.routed_by, {d.flag("k.triage")},
               {d.flag("k.duplicate_of_id IS NOT NULL")}, {d.flag("k.escalated_at IS NOT NULL")},
               k.district, {d.micros("k.opened_at")}, {d.days("k.due_date")},
               {d.micros("k.resolved_at")}, {d.micros("k.closed_at")}, k.satisfaction,
               {d.micros("k.satisfaction_at")}, {d.micros("k.updated_at")}
        FROM cases_case k
        LEFT JOIN catalog_publicservice s ON s.id = k.service_id
        LEFT JOIN catalog_agency a ON a.id = k.department_id
        LEFT JOIN cases_lifeeventrequest r ON r.id = k.life_event_request_id
        LEFT JOIN catalog_lifeevent le ON le.id = r.life_event_id
        {{changed}}
    """
    ),
    changed=lambda d: "WHERE k.updated_at > %s",
    watermark_tables=("cases_case",),
    derived={
        "is_open": "is_open = 1",
        "triage": "triage = 1",
        "duplicate": "duplicate = 1",
        "escalated": "escalated = 1",
        "district": "NULLIF(district, '')",
        "date_key": "CAST(opened_at AS DATE)",
        "due_date": "CAST(due_days AS DATE)",
        "hours_to_close": "epoch(closed_at - opened_at) / 3600.0",
        "closed_late": "CAST(closed_at AS DATE) > CAST(due_days AS DATE)",
    },
    count=lambda d: "SELECT COUNT(*) FROM cases_case",
    ids=lambda d: f"SELECT {d.hex('id')} FROM cases_case",
)

CASE_STEPS = Source(
    table="fact_case_step",
    key="step_id",
    columns=[
        ("step_id", "text"),
        ("case_id", "text"),
        ("kind", "text"),
        ("action", "text"),
        ("from_status", "text"),
        ("to_status", "text"),
        ("from_department_code", "text"),
        ("to_department_code", "text"),
        ("public", "flag"),
        ("occurred_at", "micros"),
        ("updated_at", "micros"),
    ],
    select=lambda d: (
        f"""
        SELECT {d.hex("e.id")}, {d.hex("e.case_id")}, e.kind, e.action, e.from_status,
               e.to_status, fa.code, ta.code, {d.flag("e.public")}, {d.micros("e.occurred_at")},
               {d.micros("e.updated_at")}
        FROM cases_caseevent e
        LEFT JOIN catalog_agency fa ON fa.id = e.from_department_id
        LEFT JOIN catalog_agency ta ON ta.id = e.to_department_id
        {{changed}}
    """
    ),
    changed=lambda d: "WHERE e.updated_at > %s",
    watermark_tables=("cases_caseevent",),
    derived={
        "action": "NULLIF(action, '')",
        "from_status": "NULLIF(from_status, '')",
        "to_status": "NULLIF(to_status, '')",
        "public": "public = 1",
        "date_key": "CAST(occurred_at AS DATE)",
    },
    count=lambda d: "SELECT COUNT(*) FROM cases_caseevent",
    ids=lambda d: f"SELECT {d.hex('id')} FROM cases_caseevent",
)

APPOINTMENTS = Source(
    table="fact_appointment",
    key="appointment_id",
    columns=[
        ("appointment_id", "text"),
        ("party_id", "text"),
        ("kind", "text"),
        ("status", "text"),
        ("office_code", "text"),
        ("agency_code", "text"),
        ("service_code", "text"),
        ("start_at", "micros"),
        ("checked_in_at", "micros"),
        ("called_at", "micros"),
        ("served_at", "micros"),
        ("finished_at", "micros"),
        ("updated_at", "micros"),
    ],
    select=lambda d: (
        f"""
        SELECT {d.hex("t.id")}, {d.hex("t.party_id")}, t.kind, t.status, o.code, a.code, s.code,
               {d.micros("t.start")}, {d.micros("t.checked_in_at")}, {d.micros("t.called_at")},
               {d.micros("t.served_at")}, {d.micros("t.finished_at")}, {d.micros("t.updated_at")}
        FROM appointments_appointment t
        LEFT JOIN appointments_office o ON o.id = t.office_id
        LEFT JOIN catalog_agency a ON a.id = o.agency_id
        LEFT JOIN catalog_publicservice s ON s.id = t.service_id
        {{changed}}
    """
    ),
    changed=lambda d: "WHERE t.updated_at > %s",
    watermark_tables=("appointments_appointment",),
    derived={
        "date_key": "CAST(start_at AS DATE)",
        "wait_seconds": "epoch(called_at - checked_in_at)",
        "service_seconds": "epoch(finished_at - served_at)",
    },
    count=lambda d: "SELECT COUNT(*) FROM appointments_appointment",
    ids=lambda d: f"SELECT {d.hex('id')} FROM appointments_appointment",
)

# Every response to a survey, counted, never linked: no party column, anonymous or not (an
# identified answer's link to the person is its contact, in fact_interaction).
SURVEY_RESPONSES = Source(
    table="fact_survey_response",
    key="response_id",
    columns=[
        ("response_id", "text"),
        ("survey_id", "text"),
        ("agency_code", "text"),
        ("anonymous", "flag"),
        ("submitted_at", "micros"),
        ("updated_at", "micros"),
    ],
    select=lambda d: (
        f"""
        SELECT {d.hex("r.id")}, {d.hex("r.survey_id")}, a.code, {d.flag("v.anonymous")},
               {d.micros("r.submitted_at")}, {d.micros("r.updated_at")}
        FROM surveys_response r
        JOIN surveys_survey v ON v.id = r.survey_id
        LEFT JOIN catalog_agency a ON a.id = v.agency_id
        {{changed}}
    """
    ),
    changed=lambda d: "WHERE r.updated_at > %s",
    watermark_tables=("surveys_response",),
    derived={"anonymous": "anonymous = 1", "date_key": "CAST(submitted_at AS DATE)"},
    count=lambda d: "SELECT COUNT(*) FROM surveys_response",
    ids=lambda d: f"SELECT {d.hex('id')} FROM surveys_response",
)

# Parties first: the facts' party keys are checked against them at the end.
SOURCES = (PARTIES, INTERACTIONS, CASES, CASE_STEPS, APPOINTMENTS, SURVEY_RESPONSES)
