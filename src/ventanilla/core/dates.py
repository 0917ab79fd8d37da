"""Plausible dates: the one definition of how early and how late a date may be, read by the API's
schemas, the services, the models' validators and their CHECK constraints, so that every door
refuses the same; and local time that cannot fail on a value stored before these bounds held.

The bounds:
- a birth date lies between 1 January 1900 and today;
- an event (a contact, a decision) happened between 1 January 1970 and now, with five minutes'
  grace for a device whose clock runs ahead;
- an end (an expiry, the end of a validity, a due date) lies between 1 January 1900 and a
  hundred years from now.
A CHECK constraint cannot read the clock, so the database holds the fixed part of each rule:
nothing before those floors and nothing from year 3000 on. Either way a stored value stays far
from year 1 and year 9999, the ends of Python's calendar, where moving a time to the local zone
overflows and a page that shows it fails.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from ventanilla.core.errors import ValidationFailed

EARLIEST_BIRTH_DATE = date(1900, 1, 1)
EARLIEST_EVENT = datetime(1970, 1, 1, tzinfo=UTC)
CLOCK_GRACE = timedelta(minutes=5)
EARLIEST_END = date(1900, 1, 1)
HORIZON_YEARS = 100
# The first day the database refuses, for every bounded column.
STORABLE_BEFORE = date(3000, 1, 1)


def _when(value: date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def horizon(today: date | None = None) -> date:
    """The last day an end may fall on: a hundred years from today (28 February for 29)."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + HORIZON_YEARS)
    except ValueError:
        return today.replace(year=today.year + HORIZON_YEARS, day=28)


def _day(value: date | datetime) -> date:
    if isinstance(value, datetime):
        try:
            return value.astimezone(UTC).date() if timezone.is_aware(value) else value.date()
        except OverflowError:  # within hours of year 1 or 9999: its own day is near enough
            return value.date()
    return value


def aware(value: datetime) -> datetime:
    """A time with its zone: one sent without it is read in the administration's local time."""
    if timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def birth_date_error(value: date) -> str | None:
    """Why ``value`` cannot be a birth date, or None."""
    if value < EARLIEST_BIRTH_DATE or value > timezone.localdate():
        return _("Give a birth date between %(earliest)s and today.") % {
            "earliest": _when(EARLIEST_BIRTH_DATE)
        }
    return None


def event_time_error(value: datetime) -> str | None:
    """Why ``value`` cannot be when something happened, or None."""
    value = aware(value)
    if value > timezone.now() + CLOCK_GRACE:
        return _("This cannot be in the future.")
    if value < EARLIEST_EVENT:
        return _("Give a time between %(earliest)s and now.") % {
            "earliest": _when(EARLIEST_EVENT.date())
        }
    return None


def end_error(value: date | datetime) -> str | None:
    """Why ``value`` cannot be an end (an expiry, a validity's end, a due date), or None."""
    if isinstance(value, datetime):
        value = aware(value)
    day = _day(value)
    latest = horizon()
    if day < EARLIEST_END or day > latest:
        return _("Give a date between %(earliest)s and %(latest)s.") % {
            "earliest": _when(EARLIEST_END),
            "latest": _when(latest),
        }
    return None


# For services: each check raises ValidationFailed naming the field.


def _raise(message: str | None, field: str) -> None:
    if message is not None:
        raise ValidationFailed({field: message})


def check_birth_date(value: date, *, field: str = "birth_date") -> None:
    _raise(birth_date_error(value), field)


def check_event_time(value: datetime, *, field: str) -> None:
    _raise(event_time_error(value), field)


def check_end(value: date | datetime, *, field: str) -> None:
    _raise(end_error(value), field)


# For model fields (the admin, model forms): Django validators.


def validate_birth_date(value: date) -> None:
    message = birth_date_error(value)
    if message is not None:
        raise ValidationError(message, code="implausible_date")


def validate_event_time(value: datetime) -> None:
    message = event_time_error(value)
    if message is not None:
        raise ValidationError(message, code="implausible_date")


def validate_end(value: date | datetime) -> None:
    message = end_error(value)
    if message is not None:
        raise ValidationError(message, code="implausible_date")


# For API schemas: the same rules as pydantic types; a refusal is a 422 naming the field.


def _pydantic(rule: Any) -> Any:
    def check(value: Any) -> Any:
        if isinstance(value, datetime):
            value = aware(value)
        message = rule(value)
        if message is not None:
            raise PydanticCustomError("implausible_date", message)
        return value

    return AfterValidator(check)


BirthDate = Annotated[date, _pydantic(birth_date_error)]
EventTime = Annotated[datetime, _pydantic(event_time_error)]
EndDate = Annotated[date, _pydantic(end_error)]
EndTime = Annotated[datetime, _pydantic(end_error)]


# For CHECK constraints: the fixed part of each rule.


def birth_date_storable(field: str) -> Q:
    return Q(**{f"{field}__isnull": True}) | Q(
        **{f"{field}__gte": EARLIEST_BIRTH_DATE, f"{field}__lt": STORABLE_BEFORE}
    )


def event_time_storable(field: str) -> Q:
    return Q(**{f"{field}__isnull": True}) | Q(
        **{
            f"{field}__gte": EARLIEST_EVENT,
            f"{field}__lt": datetime.combine(STORABLE_BEFORE, datetime.min.time(), tzinfo=UTC),
        }
    )


def end_storable(field: str, *, datetimes: bool = False) -> Q:
    earliest: date | datetime = EARLIEST_END
    before: date | datetime = STORABLE_BEFORE
    if datetimes:
        earliest = datetime.combine(EARLIEST_END, datetime.min.time(), tzinfo=UTC)
        before = datetime.combine(STORABLE_BEFORE, datetime.min.time(), tzinfo=UTC)
    return Q(**{f"{field}__isnull": True}) | Q(
        **{f"{field}__gte": earliest, f"{field}__lt": before}
    )


# For pages: local time that cannot fail.


def local(value: Any) -> Any:
    """``value`` in the current time zone when it is an aware time. A time within a day of the
    ends of Python's calendar (stored before the bounds held, or by hand) cannot be moved to
    another zone: it is kept in UTC, so the page shows it rather than failing."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        try:
            return timezone.localtime(value)
        except OverflowError:
            return value
    return value


# For forms: a day typed as the last day something holds.
LAST_SECOND = datetime.max.time().replace(microsecond=0)


def end_of_day(text: str) -> datetime | None:
    """The last second of the day ``text`` names (ISO, as a date input sends it) in local time;
    None for an empty field. Raises ValueError for anything that is not a date."""
    if not text:
        return None
    day = date.fromisoformat(text)
    try:
        return timezone.make_aware(
            datetime.combine(day, datetime.max.time().replace(microsecond=0))
        )
    except OverflowError as error:
        raise ValueError(text) from error
