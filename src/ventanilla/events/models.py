"""Events out: what happened to cases, parties and contacts, as CloudEvents 1.0, written to this
outbox in the transaction of the change they describe; the subscriptions of other systems'
webhooks (per agency) and one delivery row per event and subscription, retried until it lands.
The domain's services write here; this app knows nothing of them (their ids are named, not
imported)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.catalog.models import Agency
from ventanilla.core.models import BaseModel


class Topic(models.TextChoices):
    """What an event is about; a subscription names the topics it hears."""

    CASES = "cases", _("Cases")
    PARTIES = "parties", _("Parties")
    INTERACTIONS = "interactions", _("Contacts")


# A subscription's scope that lets its events carry personal data (names, texts) beside the ids.
PERSONAL_SCOPE = "personal"
SCOPES = (*Topic.values, PERSONAL_SCOPE)


class Event(models.Model):
    """One CloudEvent. ``seq`` orders events as they were written: the events of one case are
    written under that case's row lock, so their order is the order of the changes."""

    seq = models.BigAutoField(primary_key=True)
    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    type = models.CharField(max_length=80, verbose_name=_("type"))
    topic = models.CharField(max_length=20, choices=Topic.choices, verbose_name=_("topic"))
    # The CloudEvents subject: a case's reference, else the id of the party or contact.
    subject = models.CharField(max_length=80, verbose_name=_("subject"))
    # Events with the same key reach a subscriber in order: the case's id, else the party's.
    order_key = models.CharField(max_length=40)
    # The agency (department) whose case or contact this is; none for a party, which every
    # agency's staff may read: party events go to the subscriptions hearing the parties topic.
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    time = models.DateTimeField(default=timezone.now, verbose_name=_("time"))
    # Ids, codes, statuses and dates only: what every subscriber of the agency receives.
    data = models.JSONField(default=dict)
    # Names and texts, added for subscribers holding the ``personal`` scope only.
    personal = models.JSONField(default=dict, blank=True)
    # Named, not imported: erasure deletes the person's events with their personal copies.
    party = models.ForeignKey(
        "parties.Party", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Still to be handed to the subscriptions (a delivery row made for each that hears it).
    fanned_out = models.BooleanField(default=False)
    # Still to be published to the message bus (VENTANILLA_EVENTS_AMQP_URL set when written).
    amqp_pending = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [
            models.Index(
                fields=["seq"], name="event_fan_out_idx", condition=models.Q(fanned_out=False)
            ),
            models.Index(
                fields=["seq"], name="event_amqp_idx", condition=models.Q(amqp_pending=True)
            ),
            # Pruning finds the old events by their time.
            models.Index(fields=["time"], name="event_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.subject}"


class Subscription(BaseModel):
    """Another system's webhook, hearing the events of one agency (and the departments below it)
    on the topics in ``scopes``; with the ``personal`` scope its events carry names and texts."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="event_subscriptions")
    url = models.URLField(max_length=500, verbose_name=_("address"))
    scopes = models.JSONField(default=list, verbose_name=_("scopes"))
    # The key both sides hold for the signature; shown once, when the subscription is made.
    secret = models.CharField(max_length=100, editable=False)
    active = models.BooleanField(default=True, verbose_name=_("active"))
    description = models.CharField(max_length=200, blank=True, verbose_name=_("description"))
    # Events per request: 1, each on its own (structured mode); more, up to that many in one
    # request as a JSON array (batched mode), for a receiver that takes thousands a second.
    batch_size = models.PositiveSmallIntegerField(default=1, verbose_name=_("events per request"))
    # The last event written before it was made: it hears those written after.
    start_seq = models.BigIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("event subscription")
        verbose_name_plural = _("event subscriptions")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.agency_id} -> {self.url}"


class Delivery(models.Model):
    """One event to one subscription: retried with a growing pause until the receiver answers
    2xx, and sent only once the earlier events of its case reached that receiver."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    # Copies of the event's, so the order check reads this table alone.
    seq = models.BigIntegerField()
    order_key = models.CharField(max_length=40)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # When the operator asked for a delivery given up on to be sent again: it is then retried
    # for as long again from that moment, not from the event's time.
    requeued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("event delivery")
        verbose_name_plural = _("event deliveries")
        constraints = [
            models.UniqueConstraint(fields=["subscription", "event"], name="delivery_unique")
        ]
        indexes = [
            # A run takes a subscription's queue in the events' order, from where it is, the
            # time of each read in the index too (what waits for a retry is passed over there).
            models.Index(
                fields=["subscription", "seq", "next_attempt_at"],
                name="delivery_queue_idx",
                condition=models.Q(status="queued"),
            ),
            models.Index(
                fields=["subscription", "order_key", "seq"],
                name="delivery_order_idx",
                condition=models.Q(status="queued"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} -> {self.subscription_id} ({self.status})"
