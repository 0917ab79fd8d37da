"""The bounds of a plausible date, and local time that cannot fail on a stored one."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone, translation
from freezegun import freeze_time

from ventanilla.core import dates
from ventanilla.core.errors import ValidationFailed

TODAY = date(2026, 6, 15)
NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)
EARLIEST_TIME = datetime(1, 1, 1, tzinfo=UTC)
LATEST_TIME = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize(
    ("birth", "plausible"),
    [
        (date(1, 1, 1), False),
        (date(1899, 12, 31), False),
        (date(1900, 1, 1), True),
        (TODAY, True),
        (TODAY + timedelta(days=1), False),
    ],
)
def test_a_birth_date_lies_between_1900_and_today(birth: date, plausible: bool) -> None:
    with freeze_time(NOW):
        assert (dates.birth_date_error(birth) is None) is plausible


@pytest.mark.parametrize(
    ("moment", "plausible"),
    [
        (EARLIEST_TIME, False),
        (datetime(1969, 12, 31, 23, 59, tzinfo=UTC), False),
        (datetime(1970, 1, 1, tzinfo=UTC), True),
        (NOW + timedelta(minutes=4), True),
        (NOW + timedelta(minutes=6), False),
        (LATEST_TIME, False),
    ],
)
def test_an_event_happened_between_1970_and_now_with_five_minutes_grace(
    moment: datetime, plausible: bool
) -> None:
    with freeze_time(NOW):
        assert (dates.event_time_error(moment) is None) is plausible


@pytest.mark.parametrize(
    ("end", "plausible"),
    [
        (date(1899, 12, 31), False),
        (date(1900, 1, 1), True),
        (date(2126, 6, 15), True),
        (date(2126, 6, 16), False),
        (LATEST_TIME, False),
        (datetime(1, 1, 1, tzinfo=timezone.get_fixed_timezone(60)), False),
    ],
)
def test_an_end_falls_no_later_than_a_hundred_years_from_today(
    end: date | datetime, plausible: bool
) -> None:
    with freeze_time(NOW):
        assert (dates.end_error(end) is None) is plausible


def test_a_time_sent_without_its_zone_is_read_in_local_time() -> None:
    def naive(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
        return datetime(year, month, day, hour, minute, tzinfo=UTC).replace(tzinfo=None)

    with freeze_time(NOW), timezone.override("Europe/Madrid"):
        assert dates.event_time_error(naive(1969, 12, 31, 23, 30)) is not None  # 22:30 UTC
        assert dates.event_time_error(naive(2026, 6, 15, 12, 4)) is None  # 10:04 UTC


def test_a_refused_date_names_its_field_in_the_services_error() -> None:
    with pytest.raises(ValidationFailed) as refused:
        dates.check_event_time(EARLIEST_TIME, field="occurred_at")

    assert list(refused.value.errors) == ["occurred_at"]


def test_the_refusal_writes_its_bound_as_the_reader_writes_dates() -> None:
    with translation.override("en"):
        english = dates.birth_date_error(date(1, 1, 1))
    with translation.override("es"):
        spanish = dates.birth_date_error(date(1, 1, 1))

    assert english == "Give a birth date between 1 January 1900 and today."
    assert spanish is not None and "1 de enero de 1900" in spanish


@pytest.mark.parametrize("moment", [EARLIEST_TIME, LATEST_TIME])
def test_local_time_of_a_time_at_the_ends_of_the_calendar_does_not_fail(
    moment: datetime,
) -> None:
    with timezone.override("Europe/Madrid"):
        assert dates.local(moment) == moment
