"""Publishing events to the administration's message bus: a RabbitMQ (AMQP 0-9-1) topic exchange
named VENTANILLA_EVENTS_AMQP_EXCHANGE at VENTANILLA_EVENTS_AMQP_URL, routing key the event's type
(``es.ventanilla.case.created``), the agency's code in the ``agency`` header. Each batch is
an AMQP transaction: an event leaves the outbox only once the broker has committed it (at least
once, in the order written). Names and texts go out only with VENTANILLA_EVENTS_AMQP_PERSONAL."""

from __future__ import annotations

import logging

import pika
from django.conf import settings
from django.db import transaction

from ventanilla.events.cloudevents import CONTENT_TYPE, body_of
from ventanilla.events.models import Event

logger = logging.getLogger("ventanilla.events.amqp")

BATCH = 1000


class BusUnavailable(Exception):
    """The broker could not be reached or refused the events; they stay in the outbox."""


def _connect() -> pika.BlockingConnection:
    parameters = pika.URLParameters(settings.VENTANILLA_EVENTS_AMQP_URL)
    parameters.connection_attempts = 1
    parameters.socket_timeout = 5
    return pika.BlockingConnection(parameters)


def amqp_publish() -> int:
    """Publish every event waiting for the bus, oldest first; returns how many went out."""
    if not settings.VENTANILLA_EVENTS_AMQP_URL:
        return 0
    if not Event.objects.filter(amqp_pending=True).exists():
        return 0
    exchange = settings.VENTANILLA_EVENTS_AMQP_EXCHANGE
    personal = settings.VENTANILLA_EVENTS_AMQP_PERSONAL
    published = 0
    try:
        connection = _connect()
    except pika.exceptions.AMQPError as error:
        raise BusUnavailable(f"{type(error).__name__}: {error}") from error
    try:
        channel = connection.channel()
        channel.exchange_declare(exchange=exchange, exchange_type="topic", durable=True)
        # A transaction per batch: the broker has taken all of it once tx_commit returns, at
        # the cost of one round trip a batch rather than one a message (publisher confirms on
        # a blocking channel wait for each message).
        channel.tx_select()
        while True:
            with transaction.atomic():
                batch = list(
                    Event.objects.filter(amqp_pending=True)
                    .select_related("agency")
                    .order_by("seq")[:BATCH]
                )
                if not batch:
                    break
                for event in batch:
                    channel.basic_publish(
                        exchange=exchange,
                        routing_key=event.type,
                        body=body_of(event, personal=personal),
                        properties=pika.BasicProperties(
                            content_type=CONTENT_TYPE,
                            delivery_mode=pika.DeliveryMode.Persistent,
                            message_id=str(event.event_id),
                            type=event.type,
                            headers={"agency": event.agency.code if event.agency else ""},
                        ),
                        mandatory=False,
                    )
                channel.tx_commit()
                Event.objects.filter(seq__in=[e.seq for e in batch]).update(amqp_pending=False)
                published += len(batch)
    except pika.exceptions.AMQPError as error:
        raise BusUnavailable(f"{type(error).__name__}: {error}") from error
    finally:
        if connection.is_open:
            connection.close()
    return published
