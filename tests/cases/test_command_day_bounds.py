"""The operators' commands that take a day (the deadline sweep "as of another day", resending
messages "since" a day) take only a day the calendar can reckon with. They speak the active
language (the administration's by default), so the tests choose English."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_sweep_as_of_a_day_no_one_could_mean_is_refused_saying_why(day: str) -> None:
    with translation.override("en"), pytest.raises(CommandError, match="--today: Give a date"):
        call_command("deadlines", "--dry-run", "--today", day, stdout=StringIO())


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_resending_messages_since_a_day_no_one_could_mean_is_refused_saying_why(day: str) -> None:
    with translation.override("en"), pytest.raises(CommandError, match="--since: Give a date"):
        call_command("notifications", "resend", "--failed", "--since", day, stdout=StringIO())
