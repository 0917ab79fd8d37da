"""``ventanilla seed`` counts the town back from the day it runs, so a demo seeded today has
its open cases due around today, not around a fixed day long past."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Max
from django.utils import timezone

from ventanilla.cases.models import Case

pytestmark = pytest.mark.django_db


def test_the_seed_command_counts_the_town_back_from_the_day_it_runs() -> None:
    call_command("seed", citizens=300, seed=3, no_progress=True, workers=0, stdout=StringIO())

    today = timezone.localdate()
    latest = Case.objects.aggregate(opened=Max("opened_at"))["opened"]
    assert timezone.localtime(latest).date() < today
    assert timezone.localtime(latest).date() >= today - timedelta(days=10)
    assert not Case.objects.filter(is_open=True, due_date__lt=today - timedelta(days=31))
