"""Every template's date and time filters show any stored time, even one local time cannot hold."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.template import engines
from django.utils import timezone

EARLIEST_TIME = datetime(1, 1, 1, tzinfo=UTC)
LATEST_TIME = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "shown"),
    [(EARLIEST_TIME, "0001-01-01"), (LATEST_TIME, "9999-12-31"), (NOW, "2026-06-15 12:00")],
)
def test_every_template_shows_any_stored_time_instead_of_failing(
    moment: datetime, shown: str
) -> None:
    page = engines["django"].from_string('{{ at|date:"Y-m-d H:i" }} {{ at|time:"H:i" }}')

    with timezone.override("Europe/Madrid"):
        assert page.render({"at": moment}).startswith(shown)
