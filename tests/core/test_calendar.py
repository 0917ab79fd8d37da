"""Deadlines in working days: weekends and the holidays passed in do not count."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from ventanilla.core.calendar import add_working_days, working_days_between

FRIDAY = date(2026, 3, 6)


def test_a_day_to_answer_on_friday_is_due_on_monday() -> None:
    assert add_working_days(FRIDAY, 1) == date(2026, 3, 9)


def test_ten_working_days_span_two_weekends() -> None:
    assert add_working_days(date(2026, 3, 2), 10) == date(2026, 3, 16)


def test_a_holiday_on_a_weekday_pushes_the_deadline_a_day() -> None:
    # Friday 3 April 2026 is Good Friday: Thursday + 1 working day lands on Monday.
    good_friday = frozenset({date(2026, 4, 3)})

    assert add_working_days(date(2026, 4, 2), 1, good_friday) == date(2026, 4, 6)
    assert add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 3)


def test_a_holiday_on_a_sunday_changes_nothing() -> None:
    assert add_working_days(FRIDAY, 1, frozenset({date(2026, 3, 8)})) == date(2026, 3, 9)


def test_zero_days_is_the_same_day() -> None:
    assert add_working_days(FRIDAY, 0) == FRIDAY


def test_working_days_between_counts_what_add_working_days_added() -> None:
    holidays = frozenset({date(2026, 4, 3), date(2026, 5, 1)})

    assert working_days_between(date(2026, 3, 30), date(2026, 5, 4), holidays) == 23
    assert working_days_between(date(2026, 5, 4), date(2026, 3, 30), holidays) == -23


@given(
    start=st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31)),
    days=st.integers(min_value=0, max_value=400),
    holiday_offsets=st.sets(st.integers(min_value=0, max_value=600), max_size=30),
)
def test_working_days_between_inverts_add_working_days(
    start: date, days: int, holiday_offsets: set[int]
) -> None:
    holidays = frozenset(start + timedelta(days=offset) for offset in holiday_offsets)

    due = add_working_days(start, days, holidays)

    assert working_days_between(start, due, holidays) == days
    assert due.weekday() < 5 or days == 0
    assert due not in holidays or days == 0
