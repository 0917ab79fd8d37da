"""The deadline sweep run "as of another day" takes only a day the calendar can reckon with."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_sweep_as_of_a_day_no_one_could_mean_is_refused_saying_why(day: str) -> None:
    with pytest.raises(CommandError, match="--today: Give a date between"):
        call_command("deadlines", "--dry-run", "--today", day, stdout=StringIO())
