"""Writes of the associations room: mining the services that follow each other.

A person's *first* request for a service is what counts: a case opened, or an inbound contact
that asked for the service (questions and complaints do not say that a person needed it). The
pair (A, B) holds for a person when their first B came after their first A and within the
window. So B before A does not count, and a person counts once per pair however often they came
back. Only people whose first A is at least a window old are counted, so that a recent A, whose B
may still come, does not lower the confidence.

The counting is SQL: the first use of each (person, service), joined with itself on the person.
Its cost grows with the people and the few services each uses, not with the square of the rows;
nothing per person comes back to Python.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from ventanilla.associations.models import AssociationRun, ServiceAssociation
from ventanilla.cases.models import Case
from ventanilla.interactions.models import Interaction

log = logging.getLogger(__name__)

Progress = Callable[[str], None]


def _first_uses_sql() -> str:
    case = Case._meta
    contact = Interaction._meta
    return f"""
        WITH uses AS (
            SELECT party_id, service_id, opened_at AS at FROM {case.db_table}
            UNION ALL
            SELECT party_id, service_id, occurred_at FROM {contact.db_table}
            WHERE service_id IS NOT NULL AND direction = 'inbound' AND kind = 'request'
        ),
        firsts AS (
            SELECT party_id, service_id, MIN(at) AS first_at FROM uses
            GROUP BY party_id, service_id
        )
    """  # noqa: S608 - table names from the models, values as parameters


def _within_window() -> str:
    """b.first_at is after a.first_at, by at most the window (a parameter, in days)."""
    if connection.vendor == "postgresql":
        return "b.first_at > a.first_at AND b.first_at <= a.first_at + make_interval(days => %s)"
    # SQLite keeps datetimes as text; julianday reads them as days.
    return "b.first_at > a.first_at AND julianday(b.first_at) <= julianday(a.first_at) + %s"


def associations_mine(
    *,
    window_days: int | None = None,
    min_confidence: float | None = None,
    min_people: int | None = None,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> AssociationRun:
    """Count, for every ordered pair of services (A, B), the people whose first B followed their
    first A within ``window_days``; keep the pairs behind at least ``min_people`` people (the
    small-cell threshold), with confidence at least ``min_confidence`` and a lift above 1; and
    replace the rules of the previous run with them, in one transaction.

    Confidence is the share of the people with A who had B; lift divides it by the share of all
    people who ever asked for B, so a rule says B is likelier soon after A than it is at all."""
    window_days = window_days or settings.VENTANILLA_ASSOCIATION_WINDOW_DAYS
    if window_days < 1:
        raise ValueError("The window must be a day or more.")
    min_confidence = (
        settings.VENTANILLA_ASSOCIATION_MIN_CONFIDENCE if min_confidence is None else min_confidence
    )
    min_people = settings.VENTANILLA_SMALL_CELL_THRESHOLD if min_people is None else min_people
    min_people = max(min_people, settings.VENTANILLA_SMALL_CELL_THRESHOLD)
    now = now or timezone.now()
    say = progress or (lambda _message: None)
    started = time.perf_counter()
    cutoff = connection.ops.adapt_datetimefield_value(now - timedelta(days=window_days))
    first_uses = _first_uses_sql()
    with connection.cursor() as cursor:
        say("Counting the people who asked for each service…")
        cursor.execute(
            f"""{first_uses}
            SELECT service_id, COUNT(*),
                   SUM(CASE WHEN first_at <= %s THEN 1 ELSE 0 END)
            FROM firsts GROUP BY service_id
            """,  # noqa: S608
            [cutoff],
        )
        ever: dict[Any, int] = {}
        matured: dict[Any, int] = {}
        for service_id, everyone, old_enough in cursor.fetchall():
            ever[service_id] = everyone
            matured[service_id] = old_enough or 0
        cursor.execute(
            f"{first_uses} SELECT COUNT(DISTINCT party_id) FROM firsts"  # noqa: S608
        )
        people = cursor.fetchone()[0]
        say(f"{people} people, {len(ever)} services. Counting the pairs…")
        cursor.execute(
            f"""{first_uses}
            SELECT a.service_id, b.service_id, COUNT(*)
            FROM firsts a JOIN firsts b ON b.party_id = a.party_id AND {_within_window()}
            WHERE a.first_at <= %s
            GROUP BY a.service_id, b.service_id
            HAVING COUNT(*) >= %s
            """,  # noqa: S608
            [window_days, cutoff, min_people],
        )
        pairs = cursor.fetchall()
    uses = (
        Case.objects.count()
        + Interaction.objects.filter(
            service__isnull=False,
            direction=Interaction.Direction.INBOUND,
            kind=Interaction.Kind.REQUEST,
        ).count()
    )
    say(f"{len(pairs)} pairs behind {min_people} people or more. Keeping the rules…")
    kept: list[tuple[Any, Any, int, int, float, float]] = []
    for antecedent, consequent, both in pairs:
        with_antecedent = matured.get(antecedent, 0)
        if not with_antecedent:
            continue
        confidence = both / with_antecedent
        lift = confidence / (ever[consequent] / people) if people else 0.0
        if confidence >= min_confidence and lift > 1:
            kept.append((antecedent, consequent, with_antecedent, both, confidence, lift))
    # The ids come back as UUIDs on PostgreSQL and as hex text on SQLite: the field takes both.
    with transaction.atomic():
        last = AssociationRun.objects.aggregate(last=Max("number"))["last"] or 0
        run = AssociationRun.objects.create(
            number=last + 1,
            mined_at=now,
            window_days=window_days,
            min_people=min_people,
            min_confidence=min_confidence,
            uses=uses,
            people=people,
            rules=len(kept),
            seconds=0.0,
        )
        ServiceAssociation.objects.all().delete()
        ServiceAssociation.objects.bulk_create(
            ServiceAssociation(
                run=run,
                antecedent_id=antecedent,
                consequent_id=consequent,
                with_antecedent=with_antecedent,
                with_both=both,
                confidence=confidence,
                lift=lift,
                window_days=window_days,
                mined_at=now,
            )
            for antecedent, consequent, with_antecedent, both, confidence, lift in kept
        )
        run.seconds = time.perf_counter() - started
        run.save(update_fields=["seconds", "updated_at"])
    log.info(
        "Association run %d: %d uses of %d people, %d rules in %.1f s.",
        run.number,
        uses,
        people,
        len(kept),
        run.seconds,
    )
    return run
