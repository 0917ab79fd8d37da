"""The message bus: every event published to a RabbitMQ topic exchange, routed by its type,
taken off the outbox only once the broker confirmed it. Runs against the RabbitMQ on
127.0.0.1:5672, with a queue of its own bound to a fresh exchange."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pika
import pytest
from django.test import override_settings

from tests.factories import make_party
from ventanilla.access.actors import Actor
from ventanilla.cases.services import case_open
from ventanilla.catalog.models import PublicService
from ventanilla.events.amqp import BusUnavailable, amqp_publish
from ventanilla.events.models import Event

pytestmark = pytest.mark.django_db

BROKER = "amqp://guest:guest@127.0.0.1:5672/%2F"


@pytest.fixture
def bus() -> Iterator[tuple[Any, str, str]]:
    """A fresh exchange and a queue bound to the case events on it."""
    exchange = f"ventanilla.test.{uuid.uuid4().hex[:8]}"
    try:
        connection = pika.BlockingConnection(pika.URLParameters(BROKER))
    except pika.exceptions.AMQPConnectionError:
        pytest.skip("RabbitMQ is not running on 127.0.0.1:5672")
    channel = connection.channel()
    channel.exchange_declare(exchange=exchange, exchange_type="topic", durable=True)
    queue = channel.queue_declare(queue="", exclusive=True).method.queue
    channel.queue_bind(queue=queue, exchange=exchange, routing_key="es.ventanilla.case.#")
    with override_settings(
        VENTANILLA_EVENTS_AMQP_URL=BROKER, VENTANILLA_EVENTS_AMQP_EXCHANGE=exchange
    ):
        yield channel, queue, exchange
    channel.exchange_delete(exchange=exchange)
    connection.close()


def drain(channel: Any, queue: str) -> list[tuple[Any, dict[str, Any]]]:
    messages = []
    while True:
        method, properties, body = channel.basic_get(queue=queue, auto_ack=True)
        if method is None:
            return messages
        messages.append((properties, json.loads(body)))


def test_a_case_opened_reaches_a_queue_bound_to_case_events(
    bus: tuple[Any, str, str], actor: Actor, service: PublicService
) -> None:
    channel, queue, _exchange = bus
    party = make_party(actor)
    case = case_open(
        actor=actor, party_id=party.pk, service_code=service.code, channel="web", description="X"
    )

    published = amqp_publish()

    # The party's and the contact's events went out too, but the queue binds case events only.
    assert published == 3
    ((properties, cloud),) = drain(channel, queue)
    assert cloud["type"] == "es.ventanilla.case.created"
    assert cloud["subject"] == case.reference
    assert properties.content_type == "application/cloudevents+json"
    assert properties.message_id == cloud["id"]
    assert properties.headers == {"agency": "urbanismo"}
    assert properties.delivery_mode == 2
    assert "description" not in cloud["data"]
    assert not Event.objects.filter(amqp_pending=True).exists()
    assert amqp_publish() == 0


def test_events_wait_in_the_outbox_while_the_bus_is_down(
    actor: Actor, service: PublicService
) -> None:
    with override_settings(VENTANILLA_EVENTS_AMQP_URL="amqp://guest:guest@127.0.0.1:1/%2F"):
        make_party(actor)
        with pytest.raises(BusUnavailable):
            amqp_publish()
    assert Event.objects.filter(amqp_pending=True).count() == 1


def test_without_a_bus_configured_no_event_waits_for_one(actor: Actor) -> None:
    make_party(actor)

    assert not Event.objects.filter(amqp_pending=True).exists()
    assert amqp_publish() == 0
