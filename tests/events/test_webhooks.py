"""Webhooks: a back office subscribed to its agency hears that agency's cases and contacts,
signed, in order per case, and again after it was down; no other agency's, no names unless its
scopes allow them. A real HTTP receiver listens on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.events.receiver import Receiver, receiver
from tests.factories import make_party
from ventanilla.access.actors import Actor, actor_for_user
from ventanilla.cases.models import Case
from ventanilla.cases.services import case_open, case_transition
from ventanilla.catalog.models import PublicService
from ventanilla.core.errors import NotFound, PermissionDenied, ValidationFailed
from ventanilla.events.cloudevents import SIGNATURE_HEADER, signature_valid
from ventanilla.events.delivery import events_fan_out, webhooks_send
from ventanilla.events.jobs import deliver_events
from ventanilla.events.models import Delivery, Subscription
from ventanilla.events.services import (
    subscription_change,
    subscription_create,
    subscription_end,
    subscription_resend,
)

pytestmark = pytest.mark.django_db

OPERATOR = Actor(label="command:test", sees_everything=True)


@pytest.fixture
def hook() -> Iterator[Receiver]:
    with receiver() as running:
        yield running


def subscribe(url: str, agency: str = "ayto", **kwargs: Any) -> tuple[Subscription, str]:
    return subscription_create(actor=OPERATOR, agency_code=agency, url=url, **kwargs)


def open_case(actor: Actor, service: PublicService) -> Case:
    party = make_party(actor)
    return case_open(
        actor=actor,
        party_id=party.pk,
        service_code=service.code,
        channel="web",
        description="Obra en el patio de Calle Mayor 3",
    )


def test_a_subscriber_hears_its_agencys_case_signed_and_without_names(
    hook: Receiver, actor: Actor, service: PublicService
) -> None:
    subscription, secret = subscribe(hook.url)
    case = open_case(actor, service)

    result = deliver_events.call()

    assert result["sent"] == 2
    assert hook.types() == ["es.ventanilla.case.created", "es.ventanilla.interaction.recorded"]
    headers, body = hook.received[0]
    assert headers["content-type"] == "application/cloudevents+json"
    assert signature_valid(secret, body, headers[SIGNATURE_HEADER.lower()])
    assert not signature_valid("whsec_another", body, headers[SIGNATURE_HEADER.lower()])
    created = hook.events()[0]
    assert created["subject"] == case.reference
    assert created["data"]["case_id"] == str(case.pk)
    assert "description" not in created["data"]
    assert "summary" not in hook.events()[1]["data"]
    assert not Delivery.objects.filter(subscription=subscription).exclude(status="sent").exists()


def test_personal_scope_adds_the_texts(
    hook: Receiver, actor: Actor, service: PublicService
) -> None:
    subscribe(hook.url, scopes=["cases", "personal"])
    open_case(actor, service)

    deliver_events.call()

    (created,) = hook.events()
    assert created["data"]["description"] == "Obra en el patio de Calle Mayor 3"


def test_another_agencys_subscriber_hears_nothing_of_the_case(
    hook: Receiver, actor: Actor, service: PublicService
) -> None:
    subscribe(hook.url, agency="salud", scopes=["cases", "interactions"])
    open_case(actor, service)

    deliver_events.call()

    assert hook.received == []


def test_party_events_go_to_subscribers_of_the_parties_topic_only(
    hook: Receiver, actor: Actor
) -> None:
    with receiver() as other:
        subscribe(hook.url, agency="salud", scopes=["parties"])
        subscribe(other.url, agency="ayto", scopes=["cases"])
        party = make_party(actor, given_name="Lucía")

        deliver_events.call()

        assert other.received == []
    (created,) = hook.events()
    assert created["type"] == "es.ventanilla.party.created"
    assert created["data"] == {"party_id": str(party.pk), "kind": "person", "status": "active"}


def test_a_receiver_down_gets_the_events_later_and_in_the_order_of_the_case(
    hook: Receiver, actor: Actor, service: PublicService, make_staff: Any
) -> None:
    subscribe(hook.url, scopes=["cases"])
    worker = actor_for_user(make_staff("tramitadora", "urbanismo", "case_worker"))
    case = open_case(actor, service)
    hook.fail_next = 1

    first = deliver_events.call()
    case_transition(actor=worker, case_id=case.pk, action="accept")
    second = deliver_events.call()

    # The opening failed once; the acceptance waits for it, not sent before it.
    assert first["retrying"] == 1
    assert second["sent"] == 0
    assert hook.received == []
    created = Delivery.objects.get(event__type="es.ventanilla.case.created")
    assert created.attempts == 1
    assert "HTTP 500" in created.last_error
    retry_at = created.next_attempt_at
    assert timedelta(seconds=50) < retry_at - timezone.now() <= timedelta(minutes=1)

    events_fan_out()
    report = webhooks_send(now=retry_at + timedelta(seconds=1))

    assert report.sent == 2
    assert hook.types() == ["es.ventanilla.case.created", "es.ventanilla.case.status_changed"]
    sequence = [int(event["sequence"]) for event in hook.events()]
    assert sequence == sorted(sequence)


def test_a_run_writes_what_it_sent_together_and_a_failed_case_holds_back_only_its_own(
    hook: Receiver, actor: Actor, service: PublicService, make_staff: Any
) -> None:
    subscription, _secret = subscribe(hook.url, scopes=["cases"])
    worker = actor_for_user(make_staff("tramitadora", "urbanismo", "case_worker"))
    failing = open_case(actor, service)
    case_transition(actor=worker, case_id=failing.pk, action="accept")
    others = [open_case(actor, service) for _ in range(6)]
    events_fan_out()
    hook.fail_next = 1

    with CaptureQueriesContext(connection) as queries:
        report = webhooks_send()

    # The first case's opening failed, so its acceptance waits; every other case got through.
    assert (report.sent, report.retrying, report.waiting) == (6, 1, 1)
    assert [event["subject"] for event in hook.events()] == [case.reference for case in others]
    waiting = Delivery.objects.filter(subscription=subscription, status="queued")
    assert set(waiting.values_list("event__subject", flat=True)) == {failing.reference}
    # Six posts, but what they came to is written at once: one statement for the sent, one for
    # the failed, one for the one waiting; not one for each post.
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(writes) == 3


def test_a_subscriber_taking_batches_gets_many_events_in_one_signed_request(
    hook: Receiver, actor: Actor, service: PublicService
) -> None:
    _subscription, secret = subscribe(hook.url, batch_size=50)
    cases = [open_case(actor, service) for _ in range(2)]

    deliver_events.call()

    ((headers, body),) = hook.received
    assert headers["content-type"] == "application/cloudevents-batch+json"
    assert signature_valid(secret, body, headers[SIGNATURE_HEADER.lower()])
    assert [(e["type"].rsplit(".", 1)[-1], e["data"].get("case_id")) for e in hook.events()] == [
        ("created", str(cases[0].pk)),
        ("recorded", str(cases[0].pk)),
        ("created", str(cases[1].pk)),
        ("recorded", str(cases[1].pk)),
    ]


def test_the_command_subscribes_and_shows_the_secret_once(town: Any) -> None:
    out = StringIO()
    call_command(
        "events",
        "subscribe",
        "--agency",
        "ayto",
        "--url",
        "https://backoffice.example.org/hooks",
        "--scopes",
        "cases",
        "parties",
        stdout=out,
    )

    subscription = Subscription.objects.get()
    assert subscription.scopes == ["cases", "parties"]
    assert subscription.secret in out.getvalue()
    listing = StringIO()
    call_command("events", "list", stdout=listing)
    assert subscription.secret not in listing.getvalue()
    assert "https://backoffice.example.org/hooks" in listing.getvalue()


def test_a_subscription_with_an_unknown_scope_or_address_is_refused(town: Any) -> None:
    with pytest.raises(ValidationFailed):
        subscribe("https://backoffice.example.org/hooks", scopes=["cases", "everything"])
    with pytest.raises(ValidationFailed):
        subscribe("ftp://backoffice.example.org/hooks")
    with pytest.raises(PermissionDenied):
        subscription_create(
            actor=Actor(label="api:someone"),
            agency_code="ayto",
            url="https://backoffice.example.org/hooks",
        )
    assert not Subscription.objects.exists()


def test_events_done_with_are_removed_after_the_keeping_days_and_waiting_ones_stay(
    hook: Receiver, actor: Actor, service: PublicService, settings: Any
) -> None:
    from ventanilla.events.delivery import events_prune
    from ventanilla.events.models import Event

    settings.VENTANILLA_EVENTS_KEEP_DAYS = 30
    subscribe(hook.url, scopes=["cases"])
    delivered = open_case(actor, service)
    deliver_events.call()
    waiting = open_case(actor, service)
    hook.fail_next = 1
    deliver_events.call()  # the second case's event fails once: it waits for a retry
    recent = open_case(actor, service)
    deliver_events.call()
    old = timezone.now() - timedelta(days=31)
    Event.objects.filter(subject__in=[delivered.reference, waiting.reference]).update(time=old)
    Event.objects.filter(subject=recent.reference).update(time=timezone.now() - timedelta(days=29))
    before = Event.objects.count()

    removed = events_prune()
    out = StringIO()
    call_command("events", "prune", stdout=out)

    subjects = set(Event.objects.values_list("subject", flat=True))
    assert delivered.reference not in subjects  # sent, and older than the keeping days
    assert waiting.reference in subjects  # its delivery still queued: kept for the retry
    assert recent.reference in subjects  # done, but not old enough
    assert removed == before - Event.objects.count() > 0
    assert not Delivery.objects.filter(event__subject=delivered.reference).exists()
    assert out.getvalue().strip() == "Removed 0 events done with."


def test_what_a_receiver_was_given_up_on_is_sent_again_when_the_operator_asks(
    hook: Receiver, actor: Actor, service: PublicService, settings: Any
) -> None:
    settings.VENTANILLA_EVENTS_GIVE_UP_DAYS = 2
    subscription, _secret = subscribe(hook.url, scopes=["cases"])
    open_case(actor, service)
    events_fan_out()
    hook.fail_next = 2
    # Down for three days: the delivery is given up on.
    report = webhooks_send(now=timezone.now() + timedelta(days=3))
    assert report.failed == 1
    assert Delivery.objects.get().status == Delivery.Status.FAILED
    assert hook.received == []

    out = StringIO()
    call_command("events", "resend", str(subscription.pk), stdout=out)
    assert "Queued 1 deliveries again" in out.getvalue()
    resent = Delivery.objects.get()
    assert resent.status == Delivery.Status.QUEUED and resent.attempts == 0
    # Refused once more: tried again later, not given up at once (as long again from now).
    webhooks_send()
    assert Delivery.objects.get().status == Delivery.Status.QUEUED
    webhooks_send(now=timezone.now() + timedelta(days=1))

    assert hook.types() == ["es.ventanilla.case.created"]
    assert Delivery.objects.get().status == Delivery.Status.SENT


def test_nothing_is_sent_again_to_an_ended_subscription(
    hook: Receiver, service: PublicService
) -> None:
    subscription, _secret = subscribe(hook.url, scopes=["cases"])
    subscription_end(actor=OPERATOR, subscription_id=subscription.pk)

    with pytest.raises(NotFound):
        subscription_resend(actor=OPERATOR, subscription_id=subscription.pk)


def test_a_receiver_that_moved_gets_what_waited_for_it_at_its_new_address(
    hook: Receiver, actor: Actor, service: PublicService
) -> None:
    # The back office moved: its old address answers nothing.
    subscription, old_secret = subscribe("http://127.0.0.1:9/gone", scopes=["cases"])
    open_case(actor, service)
    events_fan_out()
    webhooks_send()
    assert Delivery.objects.get().status == Delivery.Status.QUEUED and hook.received == []

    out = StringIO()
    call_command(
        "events", "change", str(subscription.pk), "--url", hook.url, "--new-secret", stdout=out
    )
    [secret] = [line.rsplit(" ", 1)[-1] for line in out.getvalue().splitlines() if "secret" in line]
    webhooks_send(now=timezone.now() + timedelta(hours=1))

    assert hook.types() == ["es.ventanilla.case.created"]
    headers, body = hook.received[0]
    assert signature_valid(secret, body, headers[SIGNATURE_HEADER.lower()])
    assert not signature_valid(old_secret, body, headers[SIGNATURE_HEADER.lower()])
    subscription.refresh_from_db()
    assert subscription.scopes == ["cases"] and subscription.batch_size == 1  # as they were


def test_a_change_is_checked_like_a_subscription_and_an_ended_one_is_not_changed(town: Any) -> None:
    subscription, _ = subscribe("https://a.example.org/e", scopes=["cases"])
    with pytest.raises(ValidationFailed) as refused:
        subscription_change(
            actor=OPERATOR, subscription_id=subscription.pk, url="mailto:x", scopes=["cases"]
        )
    assert "url" in refused.value.errors
    with pytest.raises(PermissionDenied):
        subscription_change(
            actor=Actor(label="agente"),
            subscription_id=subscription.pk,
            url="https://b.example.org/e",
            scopes=["cases"],
        )
    subscription_end(actor=OPERATOR, subscription_id=subscription.pk)
    with pytest.raises(NotFound):
        subscription_change(
            actor=OPERATOR,
            subscription_id=subscription.pk,
            url="https://b.example.org/e",
            scopes=["cases"],
        )
    subscription.refresh_from_db()
    assert subscription.url == "https://a.example.org/e"
