"""The demo town's queues look like a working office's on the day it is seeded: most open cases
on time, some due within the warning window, a few overdue, and nothing closed in the future."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import transaction
from django.db.models import Max

from ventanilla.cases.models import Case
from ventanilla.core.calendar import add_working_days
from ventanilla.demo.catalogue import ensure_catalogue
from ventanilla.demo.synthetic import seed_municipality
from ventanilla.demo.synthetic.generator import Generator

pytestmark = pytest.mark.django_db
MADRID = ZoneInfo("Europe/Madrid")
SEEDED_ON = date(2026, 12, 7)
CITIZENS = 5_000


@pytest.fixture(scope="module")
def town(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_catalogue()
        seed_municipality(
            citizens=CITIZENS,
            seed=2026,
            progress=False,
            workers=0,
            today=SEEDED_ON,
        )
        yield
        transaction.set_rollback(True)


def open_cases_by_deadline(today: date) -> Counter[str]:
    soon = add_working_days(today, settings.VENTANILLA_DEADLINE_WARNING_DAYS)
    counts: Counter[str] = Counter()
    for due in Case.objects.filter(is_open=True).values_list("due_date", flat=True):
        counts["overdue" if due < today else "due soon" if due <= soon else "on time"] += 1
    return counts


def test_most_open_cases_are_on_time_some_due_soon_and_a_few_overdue(town: None) -> None:
    counts = open_cases_by_deadline(SEEDED_ON)
    total = sum(counts.values())

    assert total >= 50, "a working office has a queue"
    assert counts["on time"] / total >= 0.5
    assert 0.05 <= counts["due soon"] / total <= 0.4
    assert 0.01 <= counts["overdue"] / total <= 0.2


def test_no_open_case_is_more_than_a_month_late(town: None) -> None:
    oldest = Case.objects.filter(is_open=True).order_by("due_date").first()

    assert oldest is not None
    assert oldest.due_date >= SEEDED_ON - timedelta(days=31)


def test_everything_happened_before_the_day_it_was_seeded(town: None) -> None:
    start = datetime.combine(SEEDED_ON, time.min, tzinfo=MADRID)
    latest = Case.objects.aggregate(opened=Max("opened_at"), closed=Max("closed_at"))

    assert latest["opened"] < start
    assert latest["closed"] < start
    assert latest["opened"] > start - timedelta(days=3)


def test_the_same_seed_and_day_give_the_same_town_and_another_day_moves_it() -> None:
    ensure_catalogue()

    def chunk(today: date) -> Any:
        now = datetime.combine(today, time.min, tzinfo=MADRID)
        made = Generator(seed=9, citizens=200, per_citizen=4, vendor="sqlite", now=now)
        return made.chunk(0).rows

    assert chunk(SEEDED_ON) == chunk(SEEDED_ON)
    assert chunk(SEEDED_ON) != chunk(SEEDED_ON + timedelta(days=30))
