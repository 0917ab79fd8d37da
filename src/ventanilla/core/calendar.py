"""Working days, for deadlines: Monday to Friday, less the public holidays the caller passes
(``ventanilla.catalog.selectors.holidays_for`` gives those of an agency and the agencies above
it). Pure functions on dates, so the hot path of opening a case never touches the database."""

from __future__ import annotations

from datetime import date, timedelta

_ONE_DAY = timedelta(days=1)


def is_working_day(day: date, holidays: frozenset[date] = frozenset()) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: date, days: int, holidays: frozenset[date] = frozenset()) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself does not count: a request
    made on Friday with one day to answer is due on Monday). Weekends and ``holidays`` are
    skipped; zero or fewer days give ``start``. At most a few dozen steps for any real deadline."""
    current = start
    remaining = days
    while remaining > 0:
        current += _ONE_DAY
        if current.weekday() < 5 and current not in holidays:
            remaining -= 1
    return current


def working_days_between(start: date, end: date, holidays: frozenset[date] = frozenset()) -> int:
    """Working days after ``start`` up to and including ``end``; negative when ``end`` comes
    before ``start``. The inverse of ``add_working_days``:
    ``working_days_between(d, add_working_days(d, n, h), h) == n``."""
    if end < start:
        return -working_days_between(end, start, holidays)
    span = (end - start).days
    full_weeks, rest = divmod(span, 7)
    count = full_weeks * 5
    day = start + timedelta(days=full_weeks * 7)
    for _ in range(rest):
        day += _ONE_DAY
        if day.weekday() < 5:
            count += 1
    # Holidays in (start, end] that fall on a weekday were counted above as working days.
    count -= sum(1 for h in holidays if start < h <= end and h.weekday() < 5)
    return count
