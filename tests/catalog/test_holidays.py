"""An agency's days off are its own and those of the agencies above it, never a sibling's."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ventanilla.catalog.selectors import holidays_for
from ventanilla.catalog.services import holiday_ensure
from ventanilla.core.calendar import add_working_days
from ventanilla.core.errors import NotFound

pytestmark = pytest.mark.django_db

GOOD_FRIDAY = date(2026, 4, 3)
SAN_ISIDRO = date(2026, 5, 15)
HEALTH_DAY = date(2026, 5, 14)


@pytest.fixture
def holidays(town: dict[str, Any]) -> None:
    holiday_ensure(agency_code="villanueva", day=GOOD_FRIDAY, name_es="Viernes Santo")
    holiday_ensure(agency_code="ayto", day=SAN_ISIDRO, name_es="San Isidro")
    holiday_ensure(agency_code="salud", day=HEALTH_DAY, name_es="Día del Servicio de Salud")


def test_a_department_has_the_national_and_the_town_holidays(
    town: dict[str, Any], holidays: None
) -> None:
    assert holidays_for(town["urbanismo"]) == {GOOD_FRIDAY, SAN_ISIDRO}


def test_a_sibling_agency_does_not_get_the_town_holidays(
    town: dict[str, Any], holidays: None
) -> None:
    assert holidays_for(town["salud"]) == {GOOD_FRIDAY, HEALTH_DAY}


def test_a_deadline_in_planning_skips_the_town_holiday_but_health_does_not(
    town: dict[str, Any], holidays: None
) -> None:
    thursday = date(2026, 5, 14)

    planning = add_working_days(thursday, 1, holidays_for(town["urbanismo"]))
    health = add_working_days(date(2026, 5, 13), 1, holidays_for(town["salud"]))

    assert planning == date(2026, 5, 18)  # Friday 15 is San Isidro in the town hall
    assert health == date(2026, 5, 15)  # Thursday 14 is the health service's own day off


def test_holidays_are_read_once_and_then_cached(town: dict[str, Any], holidays: None) -> None:
    holidays_for(town["padron"])

    with CaptureQueriesContext(connection) as queries:
        again = holidays_for(town["padron"])

    assert len(queries) == 0
    assert SAN_ISIDRO in again


def test_a_new_holiday_is_seen_at_once_in_this_process(town: dict[str, Any]) -> None:
    assert holidays_for(town["padron"]) == frozenset()

    holiday_ensure(agency_code="ayto", day=SAN_ISIDRO, name_es="San Isidro")

    assert holidays_for(town["padron"]) == {SAN_ISIDRO}


def test_recording_a_holiday_twice_keeps_one_with_the_new_name(town: dict[str, Any]) -> None:
    holiday_ensure(agency_code="ayto", day=SAN_ISIDRO, name_es="San Isidro")
    holiday = holiday_ensure(agency_code="ayto", day=SAN_ISIDRO, name_es="San Isidro Labrador")

    assert town["ayto"].holidays.get().name_es == "San Isidro Labrador" == holiday.name_es


def test_a_holiday_for_an_unknown_agency_is_refused(town: dict[str, Any]) -> None:
    with pytest.raises(NotFound):
        holiday_ensure(agency_code="nowhere", day=SAN_ISIDRO, name_es="X")
