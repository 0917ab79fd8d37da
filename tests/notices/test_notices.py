"""Notices: shown and in the feed only within their publication window, published by staff of
their own agency only, and sent by email once to each subscriber, who can stop them with one
click and no sign-in."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import portal_client, sign_in
from tests.factories import make_party
from ventanilla.access.actors import actor_for_citizen
from ventanilla.core.errors import PermissionDenied
from ventanilla.notices.models import Notice, NoticeDelivery, Subscription
from ventanilla.notices.services import NoticeInput, notice_create, notices_deliver
from ventanilla.notifications.models import Notification
from ventanilla.notifications.sending import notifications_send

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def a_notice(town: dict[str, Any], title: str, **fields: Any) -> Notice:
    values: dict[str, Any] = {
        "agency": town["ayto"],
        "topic": "works",
        "title_es": title,
        "title_en": f"{title} (en)",
        "body_es": "Texto del aviso.",
        "body_en": "The notice's text.",
        "publish_from": timezone.now() - timedelta(hours=1),
        "created_by_label": "supervisora",
    }
    values.update(fields)
    return Notice.objects.create(**values)


def windows(town: dict[str, Any]) -> None:
    now = timezone.now()
    a_notice(town, "Borrador", publish_from=None)
    a_notice(town, "Futuro", publish_from=now + timedelta(days=1))
    a_notice(
        town, "Caducado", publish_from=now - timedelta(days=3), publish_until=now - timedelta(1)
    )
    a_notice(town, "Vigente", publish_until=now + timedelta(days=1))


def feed_titles(response: Any) -> list[str]:
    root = ET.fromstring(response.content)  # noqa: S314  # our own feed, in a test
    assert root.tag == f"{ATOM}feed"
    return [entry.findtext(f"{ATOM}title") or "" for entry in root.iter(f"{ATOM}entry")]


def test_only_notices_inside_their_window_are_listed(town: dict[str, Any]) -> None:
    windows(town)

    page = Client(HTTP_ACCEPT_LANGUAGE="es").get("/portal/notices/").content.decode()

    assert "Vigente" in page
    for hidden in ("Borrador", "Futuro", "Caducado"):
        assert hidden not in page


def test_the_feed_is_atom_in_the_readers_language_with_only_published_notices(
    town: dict[str, Any],
) -> None:
    windows(town)

    spanish = Client(HTTP_ACCEPT_LANGUAGE="es").get("/portal/notices/feed.atom")
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/portal/notices/feed.atom")

    assert spanish["Content-Type"].startswith("application/atom+xml")
    assert feed_titles(spanish) == ["Vigente"]
    assert feed_titles(english) == ["Vigente (en)"]


def test_the_feed_filters_by_topic_and_district(town: dict[str, Any]) -> None:
    a_notice(town, "Obras en Centro", district="Centro")
    a_notice(town, "Obras en Norte", district="Norte")
    a_notice(town, "Cultura en Centro", district="Centro", topic="culture")
    a_notice(town, "Obras en todo el municipio")

    titles = feed_titles(Client().get("/portal/notices/feed.atom?topic=works&district=centro"))

    assert sorted(titles) == ["Obras en Centro", "Obras en todo el municipio"]


def test_a_notice_has_its_page_while_published_and_none_after(town: dict[str, Any]) -> None:
    live = a_notice(town, "Vigente")
    draft = a_notice(town, "Borrador", publish_from=None)

    assert b"Vigente" in Client().get(f"/portal/notices/{live.pk}/").content
    assert Client().get(f"/portal/notices/{draft.pk}/").status_code == 404


def emails_to(address: str) -> list[Notification]:
    return list(Notification.objects.filter(recipient=address, event="notice"))


def test_an_address_receives_nothing_until_it_confirms_then_each_notice_once(
    town: dict[str, Any], mailoutbox: list[Any]
) -> None:
    visitor = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = visitor.post(
        "/portal/notices/subscribe/",
        {"email": "Vecina@Example.es", "topic": "works", "district": "Centro"},
    )
    assert response.status_code == 200
    [confirmation] = Notification.objects.filter(event="subscription_confirm")
    assert confirmation.recipient == "vecina@example.es" and confirmation.party is None
    link = re.search(r"https?://\S+/portal/notices/subscriptions/confirm/\S+/", confirmation.body)
    assert link is not None
    a_notice(town, "Antes de confirmar", district="Centro")
    notices_deliver()
    assert emails_to("vecina@example.es") == []

    path = link.group(0).split("://", 1)[1].split("/", 1)[1]
    assert b"Confirm my subscription" in visitor.get(f"/{path}").content  # a GET changes nothing
    assert visitor.post(f"/{path}").status_code == 200
    a_notice(town, "Corte de tráfico", district="Centro")
    a_notice(town, "En otro barrio", district="Norte")
    first = notices_deliver()
    again = notices_deliver()

    [sent] = emails_to("vecina@example.es")
    assert sent.subject == "Corte de tráfico (en)"
    assert first["emails"] == 1 and again["emails"] == 0
    assert NoticeDelivery.objects.count() == 1
    notifications_send()
    notice_mail = next(m for m in mailoutbox if m.subject == "Corte de tráfico (en)")
    assert notice_mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/portal/notices/unsubscribe/" in notice_mail.extra_headers["List-Unsubscribe"]


def test_a_signed_in_citizen_subscribes_with_the_address_on_their_record(
    town: dict[str, Any], actor: Any
) -> None:
    party = make_party(actor)
    client = portal_client(party, language="es")

    response = client.post("/portal/notices/subscribe/", {"topic": "", "district": ""})

    assert response.status_code == 302
    [subscription] = Subscription.objects.all()
    assert subscription.party == party and subscription.confirmed_at is not None
    assert not Notification.objects.filter(event="subscription_confirm").exists()
    a_notice(town, "Para todos", district="Sur", topic="culture")
    notices_deliver()
    [sent] = emails_to(subscription.email)
    assert sent.party == party


def test_the_unsubscribe_link_needs_no_sign_in_and_stops_the_next_notice(
    town: dict[str, Any],
) -> None:
    Subscription.objects.create(email="vecino@example.es", confirmed_at=timezone.now())
    a_notice(town, "Primero")
    notices_deliver()
    [sent] = emails_to("vecino@example.es")
    link = sent.headers["List-Unsubscribe"].strip("<>")
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]

    # A mail program's one-click POST: no session, no CSRF token (RFC 8058).
    stranger = Client(enforce_csrf_checks=True)
    assert stranger.get(path).status_code == 200  # the page with the button changes nothing
    assert Subscription.objects.get().cancelled_at is None
    response = stranger.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert Subscription.objects.get().cancelled_at is not None
    a_notice(town, "Segundo")
    notices_deliver()

    assert [n.subject for n in emails_to("vecino@example.es")] == ["Primero"]


def test_a_forged_unsubscribe_link_is_refused(town: dict[str, Any]) -> None:
    response = Client().post("/portal/notices/unsubscribe/not-a-token/")

    assert response.status_code == 404


def notice_form(**overrides: str) -> dict[str, str]:
    return {
        "agency": "ayto",
        "topic": "works",
        "kind": "notice",
        "title_es": "Corte de agua",
        "body_es": "Mañana no habrá agua de 9 a 12.",
        "district": "Centro",
        "publish_from": "",
        "publish_until": "",
    } | overrides


def test_a_supervisor_publishes_a_notice_from_the_console(make_staff: Any) -> None:
    client = sign_in(Client(), make_staff("jefa", "ayto", "supervisor"))

    response = client.post("/console/notices/new/", notice_form(publish_from="2026-01-01T09:00"))

    assert response.status_code == 302
    notice = Notice.objects.get()
    assert notice.agency.code == "ayto" and notice.created_by_label == "jefa"
    assert b"Corte de agua" in client.get("/console/notices/").content
    assert b"Corte de agua" in Client().get("/portal/notices/").content


def test_a_window_that_ends_before_it_starts_is_refused_next_to_the_field(
    make_staff: Any,
) -> None:
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), make_staff("jefa", "ayto", "supervisor"))

    response = client.post(
        "/console/notices/new/",
        notice_form(publish_from="2026-01-02T09:00", publish_until="2026-01-01T09:00"),
    )

    assert response.status_code == 422
    assert b"The end of publication must come after its start." in response.content
    assert not Notice.objects.exists()


def test_a_citizen_cannot_publish(town: dict[str, Any], actor: Any) -> None:
    party = make_party(actor)
    citizen = actor_for_citizen(party)

    with pytest.raises(PermissionDenied):
        notice_create(
            actor=citizen,
            data=NoticeInput(
                agency_code="ayto", topic="works", kind="notice", title_es="x", body_es="y"
            ),
        )
    response = portal_client(party).post("/console/notices/new/", notice_form())

    assert response.status_code == 302 and "/accounts/" in response["Location"]
    assert not Notice.objects.exists()


def test_staff_of_another_agency_cannot_edit_your_notice(
    town: dict[str, Any], make_staff: Any
) -> None:
    notice = a_notice(town, "Del ayuntamiento")
    client = sign_in(Client(), make_staff("sanitaria", "salud", "supervisor"))

    read = client.get(f"/console/notices/{notice.pk}/")
    write = client.post(f"/console/notices/{notice.pk}/", notice_form(agency="salud"))

    assert read.status_code == 403 and write.status_code == 403
    notice.refresh_from_db()
    assert notice.title_es == "Del ayuntamiento" and notice.agency.code == "ayto"
    assert b"Del ayuntamiento" not in client.get("/console/notices/").content
