"""Counting contacts by service, district and day, and the Poisson test that flags a day.

Every door counts: a case (whatever its channel) and a contact on a service that opened no case.
A case's own opening contact is not counted twice. A case is placed in the district it names; a
contact in the district of its party's postal address (the preferred one first). Aggregates
only: no person leaves these queries."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from ventanilla.cases.models import Case
from ventanilla.interactions.models import Interaction
from ventanilla.parties.models import ContactPoint

# The trailing window: the same weekday in each of the previous eight weeks.
HISTORY_WEEKS = 8
# Half a contact spread over the window, so that a district with no history is not certainty.
PRIOR_COUNTS = 0.5

Key = tuple[object, str]  # (service id, district)


def poisson_upper_tail(observed: int, mean: float) -> float:
    """P(X >= observed) for X ~ Poisson(mean), accurate in the far tail."""
    if observed <= 0:
        return 1.0
    if mean <= 0:
        return 0.0
    log_first = -mean + observed * math.log(mean) - math.lgamma(observed + 1)
    if observed > mean:
        # Sum the tail upwards: each term is the previous times mean / i.
        term = math.exp(log_first)
        total, i = term, observed
        while term > total * 1e-16:
            i += 1
            term *= mean / i
            total += term
        return min(1.0, total)
    # Near or below the mean the tail is large: one minus the head.
    term = math.exp(-mean)
    head = term
    for i in range(1, observed):
        term *= mean / i
        head += term
    return max(0.0, 1.0 - head)


def history_days(today: date) -> list[date]:
    return [today - timedelta(weeks=w) for w in range(1, HISTORY_WEEKS + 1)]


def daily_counts(days: list[date]) -> dict[date, dict[Key, int]]:
    """Cases plus contacts that opened no case, by (service, district), for each of ``days``
    (local days)."""
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(min(days), time.min), zone)
    end = timezone.make_aware(datetime.combine(max(days) + timedelta(days=1), time.min), zone)
    wanted = set(days)
    counts: dict[date, dict[Key, int]] = defaultdict(lambda: defaultdict(int))

    cases = (
        Case.objects.filter(opened_at__gte=start, opened_at__lt=end)
        .exclude(district="")
        .annotate(day=TruncDate("opened_at", tzinfo=zone))
        .values("day", "service_id", "district")
        .annotate(n=Count("id"))
    )
    home = (
        ContactPoint.objects.filter(party_id=OuterRef("party_id"), kind="postal")
        .exclude(district="")
        .order_by("-preferred", "district")
        .values("district")[:1]
    )
    contacts = (
        Interaction.objects.filter(
            occurred_at__gte=start,
            occurred_at__lt=end,
            case__isnull=True,
            service__isnull=False,
        )
        .annotate(day=TruncDate("occurred_at", tzinfo=zone), district=Subquery(home))
        .exclude(district__isnull=True)
        .values("day", "service_id", "district")
        .annotate(n=Count("id"))
    )
    for row in [*cases, *contacts]:
        if row["day"] in wanted and row["district"]:
            counts[row["day"]][(row["service_id"], row["district"])] += row["n"]
    return counts


def expected_level(history: list[int]) -> float:
    """The mean of the same weekday over the trailing window, with a small prior."""
    return (sum(history) + PRIOR_COUNTS) / len(history)
