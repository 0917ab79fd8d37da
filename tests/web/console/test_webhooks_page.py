"""The console page of other systems' webhooks, for the operator (a superuser): the subscriptions
with how their deliveries stand in words, a form that subscribes an address and shows its secret
once, a button that ends one; refused to everyone else, and in the menu of the operator only."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import sign_in
from ventanilla.access.actors import Actor
from ventanilla.audit.models import AuditEntry
from ventanilla.events.models import Delivery, Event, Subscription
from ventanilla.events.services import subscription_create

pytestmark = pytest.mark.django_db

URL = "/console/webhooks/"
OPERATOR = Actor(label="command:operator", sees_everything=True)


@pytest.fixture
def operator(make_staff: Any) -> Any:
    user = make_staff("operadora", "ayto", "administrator")
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    return user


def words(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def test_the_operator_subscribes_an_address_and_sees_its_secret_once(
    operator: Any, town: Any
) -> None:
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), operator)

    answer = client.post(
        URL,
        {
            "action": "create",
            "url": "https://registro.example.org/events",
            "agency": "ayto",
            "topics": ["cases", "interactions"],
            "batch_size": "1",
            "description": "Registro general",
        },
    )
    shown = client.get(URL).content.decode()
    again = client.get(URL).content.decode()

    assert answer.status_code == 302
    [made] = Subscription.objects.all()
    assert (made.url, made.agency.code, made.scopes) == (
        "https://registro.example.org/events",
        "ayto",
        ["cases", "interactions"],
    )
    assert made.secret in shown and "Copy it now: it is not shown again." in words(shown)
    assert made.secret not in again
    assert "Cases, Contacts · ids and codes only" in words(again)
    assert "0 waiting" in words(again) and "Nothing received yet" in words(again)


def test_deliveries_read_in_words_and_an_address_is_ended(operator: Any, town: Any) -> None:
    made, _secret = subscription_create(
        actor=OPERATOR, agency_code="ayto", url="https://a.example.org/e", scopes=["cases"]
    )
    for n, (status, attempts, error) in enumerate(
        [("sent", 1, ""), ("queued", 3, "answered 503"), ("queued", 0, "")]
    ):
        event = Event.objects.create(
            type="es.ventanilla.case.created", topic="cases", subject=f"AY-{n}", order_key="k"
        )
        Delivery.objects.create(
            subscription=made,
            event=event,
            seq=event.seq,
            order_key="k",
            status=status,
            attempts=attempts,
            last_error=error,
            sent_at=timezone.now() if status == "sent" else None,
        )
    client = sign_in(Client(), operator)

    page = words(client.get(URL).content.decode())
    ended = client.post(URL, {"action": "end", "id": str(made.pk)}, follow=True)

    assert "2 esperando" in page and "1 rechazado hasta ahora" in page
    assert "Última respuesta: answered 503" in page and "Recibido por última vez" in page
    assert "Suscripción terminada" in words(ended.content.decode())
    made.refresh_from_db()
    assert not made.active


def test_what_an_address_was_given_up_on_is_sent_again_with_a_button(
    operator: Any, town: Any, settings: Any
) -> None:
    settings.VENTANILLA_EVENTS_GIVE_UP_DAYS = 3
    made, _secret = subscription_create(
        actor=OPERATOR, agency_code="ayto", url="https://a.example.org/e", scopes=["cases"]
    )
    for n in range(2):
        event = Event.objects.create(
            type="es.ventanilla.case.created", topic="cases", subject=f"AY-{n}", order_key="k"
        )
        Delivery.objects.create(
            subscription=made,
            event=event,
            seq=event.seq,
            order_key="k",
            status="failed",
            attempts=9,
            last_error="answered 503",
        )
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), operator)

    page = words(client.get(URL).content.decode())
    answer = client.post(URL, {"action": "resend", "id": str(made.pk)}, follow=True)

    assert "2 given up on after 3 days of refusals" in page
    assert "Send again" in page
    told = words(answer.content.decode())
    assert "2 events are being sent again; they are tried for as long again from now." in told
    assert "given up on" not in told and "2 waiting" in told
    assert set(Delivery.objects.values_list("status", "attempts")) == {("queued", 0)}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"url": "registro"}, "w-url-error"),
        ({"agency": ""}, "w-agency-error"),
        ({"topics": []}, "w-scopes-error"),
        ({"batch_size": "mil"}, "w-batch-error"),
    ],
)
def test_a_wrong_field_is_marked_and_nothing_is_subscribed(
    operator: Any, town: Any, change: dict[str, Any], field: str
) -> None:
    form = {
        "action": "create",
        "url": "https://a.example.org/e",
        "agency": "ayto",
        "topics": ["cases"],
        "batch_size": "1",
    }
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), operator)

    answer = client.post(URL, form | change)

    assert answer.status_code == 422
    assert f'id="{field}"' in answer.content.decode()
    assert not Subscription.objects.exists()


def test_only_the_operator_reaches_it_and_finds_it_in_the_menu(
    operator: Any, make_staff: Any
) -> None:
    administrator = sign_in(Client(), make_staff("admin2", "ayto", "administrator"))
    mine = sign_in(Client(), operator)

    assert administrator.get(URL).status_code == 403
    assert URL not in administrator.get("/console/home/").content.decode()
    assert URL in mine.get("/console/home/").content.decode()


def test_the_operator_changes_an_address_keeping_what_waits_for_it(
    operator: Any, town: Any
) -> None:
    made, secret = subscription_create(
        actor=OPERATOR, agency_code="ayto", url="https://old.example.org/e", scopes=["cases"]
    )
    event = Event.objects.create(
        type="es.ventanilla.case.created", topic="cases", subject="AY-1", order_key="k"
    )
    Delivery.objects.create(subscription=made, event=event, seq=event.seq, order_key="k")
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="es"), operator)
    listing = client.get(URL).content.decode()
    assert f'href="/console/webhooks/{made.pk}/"' in listing

    form = client.get(f"/console/webhooks/{made.pk}/").content.decode()
    answer = client.post(
        f"/console/webhooks/{made.pk}/",
        {
            "url": "https://new.example.org/e",
            "topics": ["cases", "parties"],
            "batch_size": "10",
            "description": "Registro nuevo",
        },
    )
    after = client.get(URL).content.decode()

    assert 'value="https://old.example.org/e"' in form and "Ayuntamiento" in words(form)
    assert answer.status_code == 302
    made.refresh_from_db()
    assert (made.url, made.scopes, made.batch_size, made.secret) == (
        "https://new.example.org/e",
        ["cases", "parties"],
        10,
        secret,  # kept: no new secret was asked for
    )
    assert made.deliveries.filter(status=Delivery.Status.QUEUED).count() == 1
    assert "https://new.example.org/e: guardado." in words(after)
    entry = AuditEntry.objects.get(action="events.change")
    assert entry.detail["changed"]["url"] == {
        "from": "https://old.example.org/e",
        "to": "https://new.example.org/e",
    }


def test_a_new_secret_is_shown_once_and_a_wrong_field_changes_nothing(
    operator: Any, town: Any
) -> None:
    made, secret = subscription_create(
        actor=OPERATOR, agency_code="ayto", url="https://a.example.org/e", scopes=["cases"]
    )
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), operator)
    page = f"/console/webhooks/{made.pk}/"

    wrong = client.post(page, {"url": "ftp://a.example.org", "topics": [], "batch_size": "1"})
    made.refresh_from_db()
    assert wrong.status_code == 422
    assert "Nothing was changed: correct what is marked." in words(wrong.content.decode())
    assert made.url == "https://a.example.org/e"

    client.post(
        page,
        {"url": made.url, "topics": ["cases"], "batch_size": "1", "new_secret": "on"},
    )
    shown = client.get(URL).content.decode()
    again = client.get(URL).content.decode()
    made.refresh_from_db()
    assert made.secret != secret and made.secret in shown and made.secret not in again
    assert "are signed with a new secret from now on" in words(shown)


def test_an_ended_subscription_has_no_form(operator: Any, town: Any) -> None:
    made, _ = subscription_create(
        actor=OPERATOR, agency_code="ayto", url="https://a.example.org/e", scopes=["cases"]
    )
    Subscription.objects.filter(pk=made.pk).update(active=False)
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), operator)

    assert client.get(f"/console/webhooks/{made.pk}/").status_code == 404
    assert f"/console/webhooks/{made.pk}/" not in client.get(URL).content.decode()


def test_every_wrong_field_is_marked_at_once(operator: Any, town: Any) -> None:
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), operator)

    answer = client.post(
        URL, {"action": "create", "agency": "ayto", "url": "x", "topics": [], "batch_size": "a"}
    )

    page = words(answer.content.decode())
    assert answer.status_code == 422
    assert "Give an http or https address." in page
    assert "Name at least one of cases, parties, interactions." in page
    assert "Between 1 and" in page
    assert not Subscription.objects.exists()
