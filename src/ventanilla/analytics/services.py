"""Writes of the analytics room: the daily detection of emerging problems."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import transaction

from ventanilla.analytics.detection import (
    daily_counts,
    expected_level,
    history_days,
    poisson_upper_tail,
)
from ventanilla.analytics.models import Alert

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Detection:
    day: date
    tested: int
    alerts: list[Alert]


def alerts_detect(
    *, today: date, threshold: float | None = None, minimum: int | None = None
) -> Detection:
    """Compare each (service, district)'s count on ``today`` with the same weekday of the
    previous weeks and keep an alert where the count is at least ``minimum`` and the Poisson
    probability of seeing that many or more is below ``threshold``. Running it again for the same
    day updates that day's alerts; it never adds a second one."""
    threshold = settings.VENTANILLA_ALERT_THRESHOLD if threshold is None else threshold
    minimum = settings.VENTANILLA_ALERT_MIN_COUNT if minimum is None else minimum
    past = history_days(today)
    counts = daily_counts([today, *past])
    found: list[Alert] = []
    with transaction.atomic():
        for key, observed in sorted(counts.get(today, {}).items(), key=str):
            if observed < minimum:
                continue
            expected = expected_level([counts.get(day, {}).get(key, 0) for day in past])
            p_value = poisson_upper_tail(observed, expected)
            if p_value >= threshold:
                continue
            service_id, district = key
            alert, _ = Alert.objects.update_or_create(
                day=today,
                service_id=service_id,
                district=district,
                defaults={"observed": observed, "expected": expected, "p_value": p_value},
            )
            found.append(alert)
    tested = len(counts.get(today, {}))
    log.info("Emerging problems on %s: %d tested, %d alerts.", today, tested, len(found))
    return Detection(day=today, tested=tested, alerts=found)
