"""Delivering events to webhooks: ``events_fan_out`` makes one delivery row per event and
subscription that hears it (the agency's cases and contacts, its topics), ``webhooks_send``
posts what is due, signed, in order per case: a delivery waits while an earlier one of the same
case to the same receiver has not landed. A failure is retried with the pause of
``core.retrying`` for VENTANILLA_EVENTS_GIVE_UP_DAYS days, then given up (logged; it no longer
holds back the case's later events). At least once: a receiver tells repeats by the event id.
``events_prune`` removes what is done with, VENTANILLA_EVENTS_KEEP_DAYS after it was written."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import urllib3
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, Min, OuterRef, Q
from django.utils import timezone

from ventanilla.catalog.models import Agency
from ventanilla.core.retrying import next_retry_in
from ventanilla.events.cloudevents import (
    BATCH_CONTENT_TYPE,
    CONTENT_TYPE,
    SIGNATURE_HEADER,
    batch_body_of,
    body_of,
    signature,
)
from ventanilla.events.models import Delivery, Event, Subscription, Topic
from ventanilla.events.services import sees_personal

logger = logging.getLogger("ventanilla.events.delivery")

FAN_OUT_BATCH = 2000
PRUNE_BATCH = 5000
SEND_BATCH = 500
TIMEOUT = 10


@dataclass
class DeliveryReport:
    fanned_out: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    waiting: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@contextlib.contextmanager
def _locked(rows: Any, limit: int) -> Iterator[list[Any]]:
    """The first ``limit`` rows, locked and skipped by other workers on PostgreSQL until the
    block ends; SQLite has one writer at a time and takes them as they are."""
    if connection.vendor == "postgresql":
        with transaction.atomic():
            yield list(rows.select_for_update(skip_locked=True)[:limit])
    else:
        with transaction.atomic():
            yield list(rows[:limit])


def _reach(subscription: Subscription) -> set[Any]:
    """The agency of the subscription and every department below it."""
    path = subscription.agency.path
    return set(
        Agency.objects.filter(Q(path=path) | Q(path__startswith=f"{path}/")).values_list(
            "pk", flat=True
        )
    )


def _hears(subscription: Subscription, reach: set[Any], event: Event) -> bool:
    if event.topic not in subscription.scopes or event.seq <= subscription.start_seq:
        return False
    # A party is no agency's: every agency's staff read parties, so its events go to each
    # subscription hearing the parties topic; a case's or contact's to its agency's only.
    return event.topic == Topic.PARTIES or event.agency_id in reach


def events_fan_out(report: DeliveryReport | None = None) -> DeliveryReport:
    """Hand every new event to the subscriptions that hear it, oldest first."""
    report = report or DeliveryReport()
    subscriptions = list(Subscription.objects.filter(active=True).select_related("agency"))
    reaches = {s.pk: _reach(s) for s in subscriptions}
    while True:
        pending = (
            Event.objects.filter(fanned_out=False)
            .order_by("seq")
            .only("seq", "topic", "agency_id", "order_key")
        )
        with _locked(pending, FAN_OUT_BATCH) as events:
            if not events:
                break
            rows = [
                Delivery(
                    subscription=subscription,
                    event_id=event.seq,
                    seq=event.seq,
                    order_key=event.order_key,
                )
                for event in events
                for subscription in subscriptions
                if _hears(subscription, reaches[subscription.pk], event)
            ]
            Delivery.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
            Event.objects.filter(seq__in=[e.seq for e in events]).update(fanned_out=True)
            report.fanned_out += len(rows)
    return report


def give_up_after() -> timedelta:
    return timedelta(days=settings.VENTANILLA_EVENTS_GIVE_UP_DAYS)


def webhooks_send(
    *, now: datetime | None = None, report: DeliveryReport | None = None
) -> DeliveryReport:
    """Post every due delivery of every active subscription."""
    report = report or DeliveryReport()
    # urllib3 itself, keeping connections open: requests reads the proxy settings of the
    # environment on every call, which costs more than the call to a nearby receiver.
    with urllib3.PoolManager(timeout=TIMEOUT, retries=False, maxsize=2) as session:
        for subscription in Subscription.objects.filter(active=True):
            _send_subscription(session, subscription, now, report)
    return report


def _send_subscription(
    session: urllib3.PoolManager,
    subscription: Subscription,
    now: datetime | None,
    report: DeliveryReport,
) -> None:
    personal = sees_personal(subscription)
    # Batches are taken in the order of the events; each run goes through them once.
    after = 0
    while True:
        moment = now or timezone.now()
        due = Delivery.objects.filter(
            subscription=subscription,
            status=Delivery.Status.QUEUED,
            next_attempt_at__lte=moment,
            seq__gt=after,
        ).order_by("seq")
        with _locked(due.select_related("event"), SEND_BATCH) as batch:
            if not batch:
                return
            after = batch[-1].seq
            first = _first_waiting(subscription, {d.order_key for d in batch})
            outcome = _Outcome()
            _post_in_order(session, subscription, batch, personal, first, moment, outcome)
            _record(outcome, report)


@dataclass
class _Outcome:
    """What the posts of a batch came to, written when they are all done (in the batch's
    transaction, so nothing is recorded of a batch that did not finish)."""

    sent: list[Delivery] = field(default_factory=list)
    failed: list[Delivery] = field(default_factory=list)
    # Deliveries that wait for an earlier one of their case, by when that one is next tried.
    waits: dict[datetime, list[int]] = field(default_factory=dict)


def _post_in_order(
    session: urllib3.PoolManager,
    subscription: Subscription,
    deliveries: list[Delivery],
    personal: bool,
    first: dict[str, tuple[int, datetime]],
    moment: datetime,
    outcome: _Outcome,
) -> None:
    """Post the deliveries in their order, one request for each (or for each ``batch_size``);
    a delivery whose case has an earlier one still waiting is not posted but waits for it."""
    # Per case, when its earliest waiting delivery is next tried: the later ones wait for that
    # moment (so a run is not queued for them while they cannot go).
    held: dict[str, datetime] = {}
    group: list[Delivery] = []
    for delivery in deliveries:
        key = delivery.order_key
        earliest = first.get(key)
        ahead = earliest is not None and earliest[0] < delivery.seq
        if key not in held and ahead and not any(d.order_key == key for d in group):
            assert earliest is not None  # noqa: S101 - ahead says so
            held[key] = earliest[1]
        if key in held:
            outcome.waits.setdefault(held[key], []).append(delivery.pk)
            continue
        group.append(delivery)
        if len(group) >= subscription.batch_size:
            _flush(session, subscription, group, personal, first, held, moment, outcome)
    if group:
        _flush(session, subscription, group, personal, first, held, moment, outcome)


def _flush(
    session: urllib3.PoolManager,
    subscription: Subscription,
    group: list[Delivery],
    personal: bool,
    first: dict[str, tuple[int, datetime]],
    held: dict[str, datetime],
    moment: datetime,
    outcome: _Outcome,
) -> None:
    """Post the deliveries gathered; sent, their cases' next ones may go; failed, each counts
    a try and its case waits for its retry."""
    error = _post(session, subscription, group, personal)
    if error is None:
        outcome.sent += group
        for sent in group:
            first.pop(sent.order_key, None)
    else:
        for failed in group:
            _failed(failed, error, moment)
            outcome.failed.append(failed)
            if failed.status == Delivery.Status.QUEUED:
                held.setdefault(failed.order_key, failed.next_attempt_at)
    group.clear()


def _record(outcome: _Outcome, report: DeliveryReport) -> None:
    """Write what a batch's posts came to: the sent in one statement, each failure's try, the
    new time of those waiting."""
    if outcome.sent:
        Delivery.objects.filter(pk__in=[d.pk for d in outcome.sent]).update(
            status=Delivery.Status.SENT,
            sent_at=timezone.now(),
            attempts=F("attempts") + 1,
            last_error="",
        )
    if outcome.failed:
        Delivery.objects.bulk_update(
            outcome.failed, ["attempts", "last_error", "status", "next_attempt_at"]
        )
    for moment_due, pks in outcome.waits.items():
        Delivery.objects.filter(pk__in=pks).update(next_attempt_at=moment_due)
    report.sent += len(outcome.sent)
    gave_up = sum(d.status == Delivery.Status.FAILED for d in outcome.failed)
    report.failed += gave_up
    report.retrying += len(outcome.failed) - gave_up
    report.waiting += sum(len(pks) for pks in outcome.waits.values())


def _first_waiting(subscription: Subscription, keys: set[str]) -> dict[str, tuple[int, datetime]]:
    """For each case (order key), its earliest delivery still queued: its place and when it is
    next tried."""
    firsts = dict(
        Delivery.objects.filter(
            subscription=subscription, order_key__in=keys, status=Delivery.Status.QUEUED
        )
        .values("order_key")
        .annotate(first=Min("seq"))
        .values_list("order_key", "first")
    )
    times = dict(
        Delivery.objects.filter(
            subscription=subscription, status=Delivery.Status.QUEUED, seq__in=firsts.values()
        ).values_list("seq", "next_attempt_at")
    )
    return {key: (seq, times[seq]) for key, seq in firsts.items()}


def _post(
    session: urllib3.PoolManager,
    subscription: Subscription,
    deliveries: list[Delivery],
    personal: bool,
) -> str | None:
    """Post one event (structured mode), or several in one request (CloudEvents batched mode)
    when the subscription asks for it; None when the receiver took them (2xx), else what went
    wrong."""
    if subscription.batch_size > 1:
        body = batch_body_of([d.event for d in deliveries], personal=personal)
        content_type = BATCH_CONTENT_TYPE
    else:
        body = body_of(deliveries[0].event, personal=personal)
        content_type = CONTENT_TYPE
    try:
        response = session.request(
            "POST",
            subscription.url,
            body=body,
            headers={
                "Content-Type": content_type,
                SIGNATURE_HEADER: signature(subscription.secret, body),
                "X-Ventanilla-Delivery": ",".join(str(d.pk) for d in deliveries),
            },
            redirect=False,
        )
    except urllib3.exceptions.HTTPError as error:
        return f"{type(error).__name__}: {error}"
    if 200 <= response.status < 300:
        return None
    return f"HTTP {response.status}: {response.data[:200].decode(errors='replace')}"


def _failed(delivery: Delivery, error: str, now: datetime) -> None:
    """Count a failed try: the delivery is next tried after the pause of its attempts, or given
    up on (logged) once it has been tried for VENTANILLA_EVENTS_GIVE_UP_DAYS."""
    delivery.attempts += 1
    delivery.last_error = error[:500]
    since = max(delivery.event.time, delivery.requeued_at or delivery.event.time)
    if now >= since + give_up_after():
        delivery.status = Delivery.Status.FAILED
        logger.error(
            "Gave up delivering event %s to %s after %d attempts: %s",
            delivery.event.event_id,
            delivery.subscription_id,
            delivery.attempts,
            error,
        )
    else:
        delivery.next_attempt_at = now + next_retry_in(delivery.attempts)
        logger.warning(
            "Event %s not delivered to %s (attempt %d), next try at %s: %s",
            delivery.event.event_id,
            delivery.subscription_id,
            delivery.attempts,
            delivery.next_attempt_at.isoformat(),
            error,
        )


def next_delivery_due() -> datetime | None:
    """When the earliest queued delivery of an active subscription is due."""
    return (
        Delivery.objects.filter(status=Delivery.Status.QUEUED, subscription__active=True)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )


def events_prune(now: datetime | None = None) -> int:
    """Remove the events written more than VENTANILLA_EVENTS_KEEP_DAYS ago that nobody waits
    for any more: handed to every subscription, published to the bus, and with no delivery still
    queued (sent or given up). Their deliveries go with them. Returns how many were removed."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.VENTANILLA_EVENTS_KEEP_DAYS)
    waiting = Delivery.objects.filter(event=OuterRef("pk"), status=Delivery.Status.QUEUED)
    done = Event.objects.filter(time__lt=cutoff, fanned_out=True, amqp_pending=False).exclude(
        Exists(waiting)
    )
    removed = 0
    while True:
        seqs = list(done.order_by("seq").values_list("seq", flat=True)[:PRUNE_BATCH])
        if not seqs:
            return removed
        with transaction.atomic():
            Delivery.objects.filter(event_id__in=seqs).delete()
            removed += Event.objects.filter(seq__in=seqs).delete()[0]
