"""The satisfaction question on every door: after a desk visit and after a logged call the person
is sent a short link through the outbox; the link, with no sign-in, records one answer carrying
the door it came from; a used, expired or altered link gets a page that says so, and a link sent
before links were short still works."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from tests.appointments.conftest import build_office
from tests.appointments.test_services import SERVICE, tomorrow_at
from tests.conftest import sign_in
from tests.factories import make_party
from ventanilla.appointments.models import Appointment
from ventanilla.appointments.services import appointment_book
from ventanilla.interactions.models import SatisfactionAnswer
from ventanilla.interactions.satisfaction import satisfaction_link
from ventanilla.notifications.models import Notification
from ventanilla.notifications.sending import notifications_send
from ventanilla.parties.services import ContactPointInput

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/s/[23456789A-HJKMNP-Z]{10}\b")


class RecordingSms:
    sent: list[tuple[str, str]] = []

    def send(self, recipient: str, body: str) -> None:
        RecordingSms.sent.append((recipient, body))


def _delivered_link(party: Any, settings: Any) -> str:
    """Send the outbox as the worker does, read the link in the email the person got (the same
    in the text message, and short enough for one), and follow it to the question's page."""
    settings.VENTANILLA_SMS_BACKEND = "tests.interactions.test_satisfaction.RecordingSms"
    RecordingSms.sent = []
    rows = Notification.objects.filter(party=party, event="satisfaction")
    assert {row.medium for row in rows} == {"email", "sms"}
    report = notifications_send()
    assert report.sent == 2
    [email] = [m for m in mail.outbox if LINK.search(m.body)]
    link = LINK.search(email.body)
    assert link is not None
    [(_number, sms)] = RecordingSms.sent
    assert link.group(0) in sms
    assert len(link.group(0)) == len(settings.VENTANILLA_PUBLIC_URL.rstrip("/")) + len("/s/") + 10
    short = "/" + link.group(0).split("://", 1)[1].split("/", 1)[1]
    followed = Client().get(short)
    assert followed.status_code == 302
    return str(followed["Location"]).lstrip("/")


def test_a_desk_visit_asks_by_email_and_sms_and_the_link_records_one_answer(
    town: Any, service: Any, agent_user: Any, actor: Any, settings: Any
) -> None:
    office = build_office(town, service)
    party = make_party(actor, preferred_language="en")
    booked = appointment_book(
        actor=actor,
        party_id=party.pk,
        office_id=office.pk,
        service_code=SERVICE,
        start=tomorrow_at(10),
    )
    Appointment.objects.filter(pk=booked.pk).update(start=timezone.now() - timedelta(minutes=1))
    desk = sign_in(Client(), agent_user)
    form = {"office": office.pk}
    desk.post("/console/desk/actions/", {**form, "action": "check_in", "appointment": booked.pk})
    desk.post("/console/desk/actions/", {**form, "action": "call", "desk": office.desks.first().pk})
    desk.post("/console/desk/actions/", {**form, "action": "attended", "appointment": booked.pk})
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.ATTENDED

    path = "/" + _delivered_link(party, settings)
    citizen = Client(HTTP_ACCEPT_LANGUAGE="en")
    question = citizen.get(path)
    assert question.status_code == 200
    assert "how we attended your visit" in question.content.decode()
    thanks = citizen.post(path, {"score": "5", "comment": "Quick and kind"})

    assert "Thank you for your answer" in thanks.content.decode()
    answer = SatisfactionAnswer.objects.get(party=party)
    assert (answer.channel_id, answer.about, answer.score) == ("desk", booked.reference, 5)
    assert answer.comment == "Quick and kind" and answer.answered_at is not None

    again = citizen.post(path, {"score": "1"})
    assert again.status_code == 409
    assert "already been answered" in again.content.decode()
    answer.refresh_from_db()
    assert answer.score == 5


def test_a_logged_call_asks_and_its_answer_carries_the_phone(
    agent_user: Any, actor: Any, service: Any, settings: Any
) -> None:
    party = make_party(actor, preferred_language="es")
    desk = sign_in(Client(HTTP_ACCEPT_LANGUAGE="es"), agent_user)
    desk.post(
        f"/console/parties/{party.pk}/contacts/new/",
        {"channel": "phone", "direction": "inbound", "kind": "question", "summary": "Horario"}
        | {"service": service.code, "minutes": "2", "seconds": "0", "outcome": "answered"},
    )
    path = "/" + _delivered_link(party, settings)
    [email] = [m for m in mail.outbox if LINK.search(m.body)]
    assert email.body.startswith("Gracias por su ") and "una sola pregunta" in email.body

    page = Client(HTTP_ACCEPT_LANGUAGE="es").post(path, {"score": "2", "comment": ""})

    assert "Gracias por su respuesta" in page.content.decode()
    answer = SatisfactionAnswer.objects.get(party=party)
    assert (answer.channel_id, answer.score) == ("phone", 2)
    assert answer.interaction is not None and answer.interaction.channel_id == "phone"


def test_a_call_that_reached_no_one_asks_nothing_and_a_second_call_soon_after_asks_once(
    agent_user: Any, actor: Any
) -> None:
    party = make_party(actor)
    desk = sign_in(Client(), agent_user)
    url = f"/console/parties/{party.pk}/contacts/new/"
    call = {"channel": "phone", "direction": "inbound", "kind": "question", "summary": "Hola"}
    desk.post(url, call | {"outcome": "no_answer"})
    assert not SatisfactionAnswer.objects.exists()
    desk.post(url, call | {"outcome": "answered"})
    desk.post(url, call | {"outcome": "answered"})
    assert SatisfactionAnswer.objects.filter(party=party).count() == 1


def test_an_expired_or_altered_link_gets_a_page_that_says_so(
    agent_user: Any, actor: Any, settings: Any
) -> None:
    party = make_party(
        actor, contact_points=[ContactPointInput(kind="email", value="luis@example.org")]
    )
    desk = sign_in(Client(), agent_user)
    desk.post(
        f"/console/parties/{party.pk}/contacts/new/",
        {"channel": "phone", "direction": "inbound", "kind": "question", "summary": "Tasas"}
        | {"outcome": "answered"},
    )
    [email] = Notification.objects.filter(party=party, event="satisfaction")
    code = LINK.search(email.body).group(0).rsplit("/", 1)[1]  # type: ignore[union-attr]
    path = f"/portal/satisfaction/{code}/"
    SatisfactionAnswer.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    citizen = Client(HTTP_ACCEPT_LANGUAGE="en")

    expired = citizen.post(path, {"score": "4"})
    altered = citizen.get(path.replace("/satisfaction/", "/satisfaction/x"))
    unknown = citizen.get(path.replace(code, "2" * 10), follow=True)

    assert expired.status_code == 410
    assert "This link has expired" in expired.content.decode()
    assert SatisfactionAnswer.objects.get().score is None
    assert altered.status_code == 404
    assert "This link is not valid" in altered.content.decode()
    assert unknown.status_code == 404


def test_an_answer_out_of_the_scale_is_refused_with_the_question_again(
    agent_user: Any, actor: Any
) -> None:
    party = make_party(actor)
    sign_in(Client(), agent_user).post(
        f"/console/parties/{party.pk}/contacts/new/",
        {"channel": "desk", "direction": "inbound", "kind": "request", "summary": "Padrón"}
        | {"outcome": "answered"},
    )
    [email] = Notification.objects.filter(party=party, event="satisfaction", medium="email")
    code = LINK.search(email.body).group(0).rsplit("/", 1)[1]  # type: ignore[union-attr]

    page = Client(HTTP_ACCEPT_LANGUAGE="en").post(f"/portal/satisfaction/{code}/", {"score": "9"})

    assert page.status_code == 422
    assert "Choose from 1 to 5." in page.content.decode()
    assert SatisfactionAnswer.objects.get().answered_at is None


def test_a_code_typed_in_small_letters_and_a_long_link_sent_before_both_work(
    agent_user: Any, actor: Any
) -> None:
    party = make_party(
        actor, contact_points=[ContactPointInput(kind="email", value="rosa@example.org")]
    )
    desk = sign_in(Client(), agent_user)
    desk.post(
        f"/console/parties/{party.pk}/contacts/new/",
        {"channel": "phone", "direction": "inbound", "kind": "question", "summary": "Tasas"}
        | {"outcome": "answered"},
    )
    question = SatisfactionAnswer.objects.get(party=party)
    citizen = Client(HTTP_ACCEPT_LANGUAGE="en")

    typed = citizen.get(f"/s/{question.code.lower()}", follow=True)
    # A question asked before links were short kept its signed link.
    SatisfactionAnswer.objects.filter(pk=question.pk).update(code=None)
    question.refresh_from_db()
    long_link = satisfaction_link(question)
    answered = citizen.post(
        "/" + long_link.split("://", 1)[1].split("/", 1)[1], {"score": "4", "comment": ""}
    )

    assert typed.status_code == 200 and "how we attended your call" in typed.content.decode()
    assert "/portal/satisfaction/" in long_link
    assert "Thank you for your answer" in answered.content.decode()
    assert SatisfactionAnswer.objects.get(pk=question.pk).score == 4
