"""Writing events: ``event_record`` (and ``event_record_many`` for a batch) adds CloudEvents to
the outbox inside the caller's transaction, so an event exists if and only if its change
committed; a delivery run is queued once it commits. Subscriptions are made here too."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from contextlib import AbstractContextManager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require_operator
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_record
from ventanilla.catalog.models import Agency
from ventanilla.core.bulk import insert_numbered
from ventanilla.core.errors import NotFound, ValidationFailed
from ventanilla.core.holding import holding
from ventanilla.events.models import PERSONAL_SCOPE, SCOPES, Delivery, Event, Subscription, Topic

# The most events a subscription takes in one request (batched mode).
MAX_BATCH = 1000

# Every type begins with this (reverse-DNS, as CloudEvents advises).
TYPE_PREFIX = "es.ventanilla."


@dataclass(frozen=True)
class EventInput:
    """One event: ``kind`` is the type after the prefix (``case.created``)."""

    kind: str
    subject: str
    order_key: Any
    data: dict[str, Any]
    personal: dict[str, Any] = field(default_factory=dict)
    agency_id: Any = None
    party_id: Any = None
    time: datetime | None = None


_TOPICS = {"case": Topic.CASES, "party": Topic.PARTIES, "interaction": Topic.INTERACTIONS}


def _row(item: EventInput, now: datetime, amqp: bool) -> Event:
    topic = _TOPICS[item.kind.split(".", 1)[0]]
    return Event(
        type=TYPE_PREFIX + item.kind,
        topic=topic,
        subject=str(item.subject)[:80],
        order_key=str(item.order_key)[:40],
        agency_id=item.agency_id,
        party_id=item.party_id,
        time=item.time or now,
        data=item.data,
        personal=item.personal,
        amqp_pending=amqp,
    )


def event_record(**fields: Any) -> Event:
    """Add one event (the fields of ``EventInput``) inside the caller's transaction."""
    return event_record_many([EventInput(**fields)])[0]


def event_record_many(items: Sequence[EventInput]) -> list[Event]:
    """Add many events in one statement, inside the caller's transaction (a batch import).
    Inside ``events_held`` they are written when that block ends."""
    if not items:
        return []
    now = timezone.now()
    amqp = bool(settings.VENTANILLA_EVENTS_AMQP_URL)
    rows = [_row(item, now, amqp) for item in items]
    held = _held.get()
    if held is not None:
        held.extend(rows)
    else:
        _write(rows)
    return rows


def _write(rows: list[Event]) -> None:
    # Numbered in the order given: the outbox's order.
    insert_numbered(rows)
    if any(row.amqp_pending for row in rows) or events_subscribed():
        transaction.on_commit(enqueue_delivery)


_held: ContextVar[list[Event] | None] = ContextVar("ventanilla_events_held", default=None)


def events_held() -> AbstractContextManager[None]:
    """Hold the events recorded inside and write them in one statement when the block ends, in
    the order they were recorded (each its own place in the outbox): for a change that records
    several events in one transaction, used inside that transaction. Nothing is written if the
    block fails; nested, the outermost block writes."""
    return holding(_held, _write)


_SUBSCRIBED_KEY = "ventanilla:events:subscribed"


def events_subscribed() -> bool:
    """Whether any webhook listens, remembered for a minute so a change does not read the
    subscriptions each time (a new subscription clears it; the worker's check catches up)."""
    subscribed = cache.get(_SUBSCRIBED_KEY)
    if subscribed is None:
        subscribed = Subscription.objects.filter(active=True).exists()
        cache.set(_SUBSCRIBED_KEY, subscribed, 60)
    return bool(subscribed)


def enqueue_delivery() -> None:
    """Queue a delivery run unless one is already waiting to start (it will take these too)."""
    from ventanilla.core.scheduling import task_waiting
    from ventanilla.events.jobs import deliver_events

    if not task_waiting(deliver_events, due_now=True):
        deliver_events.enqueue()


def _check_scopes(scopes: Sequence[str]) -> list[str]:
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise ValidationFailed(
            {"scopes": _("Unknown scope: %(names)s.") % {"names": ", ".join(unknown)}}
        )
    chosen = [scope for scope in SCOPES if scope in scopes]
    if not set(chosen) & set(Topic.values):
        raise ValidationFailed({"scopes": _("Name at least one of cases, parties, interactions.")})
    return chosen


def _checked(url: str, scopes: Sequence[str], batch_size: int) -> list[str]:
    """What a subscription is given, checked, every wrong field at once: the address, the
    scopes (returned in their order) and the events per request."""
    errors: dict[str, str] = {}
    chosen: list[str] = []
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        errors["url"] = _("Give an http or https address.")
    try:
        chosen = _check_scopes(scopes)
    except ValidationFailed as wrong:
        errors.update(wrong.errors)
    if not 1 <= batch_size <= MAX_BATCH:
        errors["batch_size"] = _("Between 1 and %(most)d events per request.") % {"most": MAX_BATCH}
    if errors:
        raise ValidationFailed(errors)
    return chosen


def _new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def subscription_create(
    *,
    actor: Actor,
    agency_code: str,
    url: str,
    scopes: Sequence[str] = (Topic.CASES, Topic.INTERACTIONS),
    description: str = "",
    batch_size: int = 1,
) -> tuple[Subscription, str]:
    """Subscribe a webhook to an agency's events; returns it and its signing secret, shown once.
    Only the operator of the installation subscribes (the receiver is another system)."""
    require_operator(actor, what="events:subscribe")
    agency = Agency.objects.filter(code=agency_code).first()
    if agency is None:
        raise NotFound(_("No such agency."))
    chosen = _checked(url, scopes, batch_size)
    secret = _new_secret()
    with transaction.atomic():
        last = Event.objects.order_by("-seq").values_list("seq", flat=True).first()
        subscription = Subscription.objects.create(
            agency=agency,
            url=url,
            scopes=chosen,
            secret=secret,
            description=description[:200],
            start_seq=last or 0,
            batch_size=batch_size,
        )
        audit_record(
            actor=actor,
            action=Action.EVENTS_SUBSCRIBE,
            object_type="event_subscription",
            object_id=subscription.pk,
            detail={"agency": agency.code, "url": url, "scopes": chosen},
        )
    cache.delete(_SUBSCRIBED_KEY)
    return subscription, secret


def _locked(subscription_id: Any) -> Subscription | None:
    """The subscription of that id, locked for the transaction under way; None when there is
    none. An id that is not one is refused as no such subscription."""
    try:
        subscription_id = uuid.UUID(str(subscription_id))
    except ValueError as error:
        raise NotFound(_("No such subscription.")) from error
    return Subscription.objects.select_for_update().filter(pk=subscription_id).first()


def subscription_end(*, actor: Actor, subscription_id: Any) -> Subscription:
    """Stop delivering to a webhook; what it has not received is not sent."""
    require_operator(actor, what="events:unsubscribe")
    with transaction.atomic():
        subscription = _locked(subscription_id)
        if subscription is None:
            raise NotFound(_("No such subscription."))
        subscription.active = False
        subscription.save(update_fields=["active", "updated_at"])
        audit_record(
            actor=actor,
            action=Action.EVENTS_UNSUBSCRIBE,
            object_type="event_subscription",
            object_id=subscription.pk,
            detail={"active": False},
        )
    cache.delete(_SUBSCRIBED_KEY)
    return subscription


def subscription_change(
    *,
    actor: Actor,
    subscription_id: Any,
    url: str,
    scopes: Sequence[str],
    description: str = "",
    batch_size: int = 1,
    new_secret: bool = False,
) -> tuple[Subscription, str]:
    """Change where an active webhook's events go, what it hears and how many go in a request,
    keeping its place in the stream: what waits for it goes to the new address, and what is
    already queued stays queued (a topic left out applies to the events from now on). With
    ``new_secret`` it is given a new signing secret, returned (shown once; the old one stops
    at once); otherwise the secret returned is empty. The agency it hears stays: another
    agency is another subscription."""
    require_operator(actor, what="events:change")
    chosen = _checked(url, scopes, batch_size)
    with transaction.atomic():
        subscription = _locked(subscription_id)
        if subscription is None or not subscription.active:
            raise NotFound(_("No such subscription, or it has ended."))
        fields = {
            "url": url,
            "scopes": chosen,
            "description": description[:200],
            "batch_size": batch_size,
        }
        changed = {
            name: {"from": getattr(subscription, name), "to": value}
            for name, value in fields.items()
            if getattr(subscription, name) != value
        }
        for name, value in fields.items():
            setattr(subscription, name, value)
        secret = _new_secret() if new_secret else ""
        if secret:
            subscription.secret = secret
        subscription.save(update_fields=[*fields, "secret", "updated_at"])
        audit_record(
            actor=actor,
            action=Action.EVENTS_CHANGE,
            object_type="event_subscription",
            object_id=subscription.pk,
            detail={"changed": changed, "new_secret": bool(secret)},
        )
    cache.delete(_SUBSCRIBED_KEY)
    return subscription, secret


def subscription_resend(*, actor: Actor, subscription_id: Any) -> int:
    """Queue again, for an active webhook, every delivery given up on (its receiver was away
    longer than VENTANILLA_EVENTS_GIVE_UP_DAYS): each is tried for as long again from now, and
    goes before the later events of its case still waiting. Returns how many were queued."""
    require_operator(actor, what="events:resend")
    now = timezone.now()
    with transaction.atomic():
        subscription = _locked(subscription_id)
        if subscription is None or not subscription.active:
            raise NotFound(_("No such subscription, or it has ended."))
        queued = Delivery.objects.filter(
            subscription=subscription, status=Delivery.Status.FAILED
        ).update(
            status=Delivery.Status.QUEUED,
            attempts=0,
            next_attempt_at=now,
            requeued_at=now,
            last_error="",
        )
        audit_record(
            actor=actor,
            action=Action.EVENTS_RESEND,
            object_type="event_subscription",
            object_id=subscription.pk,
            detail={"deliveries": queued},
        )
    if queued:
        transaction.on_commit(enqueue_delivery)
    return queued


def sees_personal(subscription: Subscription) -> bool:
    return PERSONAL_SCOPE in subscription.scopes
