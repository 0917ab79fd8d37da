"""Background work of events out: one run hands new events to the subscriptions, posts what is
due to the webhooks and publishes to the message bus; while something waits for a retry it
comes back when that is due. `ventanilla worker` queues one at start should any be waiting."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from ventanilla.core.scheduling import task_waiting
from ventanilla.events.amqp import BusUnavailable, amqp_publish
from ventanilla.events.delivery import (
    DeliveryReport,
    events_fan_out,
    events_prune,
    next_delivery_due,
    webhooks_send,
)
from ventanilla.events.models import Event

# A bus that cannot be reached is tried again this much later.
BUS_RETRY = timedelta(minutes=1)


@task()
def deliver_events() -> dict[str, Any]:
    """Fan out, post to webhooks and publish to the bus, remove the events done with long ago;
    then come back for what waits."""
    report = DeliveryReport()
    events_fan_out(report)
    webhooks_send(report=report)
    result: dict[str, Any] = report.as_dict()
    try:
        result["published"] = amqp_publish()
    except BusUnavailable as error:
        result["bus_unavailable"] = str(error)
    result["pruned"] = events_prune()
    catch_up_events(after_run=True)
    return result


def _next_due() -> Any:
    due = next_delivery_due()
    if settings.VENTANILLA_EVENTS_AMQP_URL and Event.objects.filter(amqp_pending=True).exists():
        bus = timezone.now() + BUS_RETRY
        due = bus if due is None else min(due, bus)
    if Event.objects.filter(fanned_out=False).exists():
        due = timezone.now()
    return due


def catch_up_events(*, after_run: bool = False) -> bool:
    """Queue a delivery run when events or deliveries wait and no run will come for them."""
    due = _next_due()
    if due is None:
        return False
    now = timezone.now()
    if after_run:
        # Straight after a run, what is still due now failed or waits: not before a pause.
        due = max(due, now + timedelta(seconds=5))
    if task_waiting(deliver_events, due_now=due <= now):
        return False
    if due <= now:
        deliver_events.enqueue()
    else:
        deliver_events.using(run_after=due).enqueue()
    return True
