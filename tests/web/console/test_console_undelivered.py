"""Supervisors see the messages to citizens that could not be delivered after days of retrying,
with what went wrong in words, and send them again; each sending again is audited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tests.conftest import sign_in
from tests.factories import make_party
from ventanilla.access.actors import Actor, actor_for_user
from ventanilla.audit.models import AuditEntry
from ventanilla.cases.models import Case
from ventanilla.cases.services import case_open
from ventanilla.catalog.models import PublicService
from ventanilla.core.errors import NotFound
from ventanilla.notifications.models import Notification
from ventanilla.notifications.sending import notifications_send
from ventanilla.notifications.undelivered import notification_resend
from ventanilla.parties.services import ContactPointInput

pytestmark = pytest.mark.django_db


def open_case(actor: Actor, service: PublicService) -> Case:
    party = make_party(
        actor,
        given_name="Lucía",
        family_name_1="Pardo",
        contact_points=[ContactPointInput("email", "lucia@example.es")],
    )
    return case_open(actor=actor, party_id=party.pk, service_code=service.code, channel="web")


def given_up(case: Case, failure: str = "recipient_refused") -> Notification:
    row = Notification.objects.get(case=case)
    row.status, row.attempts, row.failure = "failed", 45, failure
    row.last_error = "SMTPRecipientsRefused: {'lucia@example.es': (550, b'No such user')}"
    row.save()
    return row


@pytest.fixture
def supervisor_user(make_staff: Any) -> Any:
    return make_staff("jefa", "ayto", "supervisor")


def client_for(user: Any, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    sign_in(client, user)
    return client


def test_a_supervisor_sees_what_went_wrong_in_words_and_the_case_it_is_about(
    supervisor_user: Any, actor: Actor, service: PublicService
) -> None:
    case = open_case(actor, service)
    row = given_up(case)

    page = client_for(supervisor_user).get("/console/messages/undelivered/")

    html = page.content.decode()
    assert page.status_code == 200
    assert case.reference in html and "Lucía" in html
    assert "The address or number was refused" in html
    assert "Case opened" in html and "Email" in html
    assert f"/console/messages/undelivered/{row.pk}/resend/" in html


def test_the_page_speaks_spanish(
    supervisor_user: Any, actor: Actor, service: PublicService
) -> None:
    given_up(open_case(actor, service))

    html = client_for(supervisor_user, "es").get("/console/messages/undelivered/").content.decode()

    # The page's own new phrases are in the Spanish catalogue once it is compiled; the labels it
    # shares with the rest of the console show the page is rendered in the visitor's language.
    assert '<html lang="es">' in html
    assert "Mensajes a la ciudadanía" in html
    assert "Expediente abierto" in html and "Correo electrónico" in html


def test_reading_the_list_is_audited_with_what_it_showed(
    supervisor_user: Any, actor: Actor, service: PublicService
) -> None:
    row = given_up(open_case(actor, service))

    client_for(supervisor_user).get("/console/messages/undelivered/")

    entry = AuditEntry.objects.filter(action="notification.list").latest("id")
    assert entry.detail["shown"] == [str(row.pk)]


def test_send_again_queues_the_message_with_fresh_days_and_a_later_run_delivers_it(
    supervisor_user: Any, actor: Actor, service: PublicService
) -> None:
    row = given_up(open_case(actor, service))
    client = client_for(supervisor_user)

    answer = client.post(f"/console/messages/undelivered/{row.pk}/resend/")

    assert answer.status_code == 302
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("queued", 0)
    assert row.resent_at is not None and row.next_attempt_at <= timezone.now()
    resend = AuditEntry.objects.get(action="notification.resend", object_id=str(row.pk))
    assert resend.detail["attempts_before"] == 45
    assert resend.party_id == row.party_id
    notifications_send()
    row.refresh_from_db()
    assert row.status == "sent"
    assert [message.to for message in mail.outbox] == [["lucia@example.es"]]


def test_a_message_sent_again_gets_the_full_give_up_age_again(
    supervisor_user: Any, actor: Actor, service: PublicService, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "tests.cases.test_notifications.DisconnectedBackend"
    row = given_up(open_case(actor, service))
    Notification.objects.filter(pk=row.pk).update(created_at=timezone.now() - timedelta(days=30))
    notification_resend(actor=actor_for_user(supervisor_user), notification_id=row.pk)

    notifications_send()

    row.refresh_from_db()
    assert (row.status, row.attempts) == ("queued", 1)


def test_sending_again_twice_is_refused_the_second_time(
    supervisor_user: Any, actor: Actor, service: PublicService
) -> None:
    row = given_up(open_case(actor, service))
    supervisor = actor_for_user(supervisor_user)
    notification_resend(actor=supervisor, notification_id=row.pk)

    with pytest.raises(NotFound):
        notification_resend(actor=supervisor, notification_id=row.pk)

    assert AuditEntry.objects.filter(action="notification.resend").count() == 1


def test_a_supervisor_of_another_agency_neither_sees_nor_resends_the_message(
    make_staff: Any, actor: Actor, service: PublicService
) -> None:
    row = given_up(open_case(actor, service))
    health_supervisor = make_staff("jefe-salud", "salud", "supervisor")
    client = client_for(health_supervisor)

    page = client.get("/console/messages/undelivered/")
    answer = client.post(f"/console/messages/undelivered/{row.pk}/resend/")

    assert str(row.pk) not in page.content.decode()
    assert answer.status_code == 302
    row.refresh_from_db()
    assert row.status == "failed"


def test_the_page_warns_when_the_outbox_is_not_draining(
    supervisor_user: Any, actor: Actor, service: PublicService, settings: Any
) -> None:
    settings.VENTANILLA_OUTBOX_ALERT_MINUTES = 60
    case = open_case(actor, service)
    Notification.objects.filter(case=case).update(created_at=timezone.now() - timedelta(hours=3))

    html = client_for(supervisor_user).get("/console/messages/undelivered/").content.decode()

    assert 'data-testid="outbox-warning"' in html
    assert "the oldest has waited 3\xa0hours" in html


def test_the_operator_sends_again_everything_given_up_since_a_day(
    actor: Actor, service: PublicService
) -> None:
    old = given_up(open_case(actor, service))
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=20))
    recent = given_up(open_case(actor, service))
    since = (timezone.now() - timedelta(days=10)).date()

    call_command("notifications", "resend", "--failed", "--since", since.isoformat())

    statuses = dict(Notification.objects.values_list("pk", "status"))
    assert (statuses[old.pk], statuses[recent.pk]) == ("failed", "queued")


def test_an_administrator_sees_a_consent_message_that_belongs_to_no_case(
    make_staff: Any, supervisor_user: Any, actor: Actor
) -> None:
    from tests.factories import signed_form
    from ventanilla.consent.services import consent_record

    party = make_party(
        actor, given_name="Lucía", contact_points=[ContactPointInput("email", "lucia@example.es")]
    )
    consent_record(
        actor=actor,
        party_id=party.pk,
        purpose="Bonificación del IBI",
        recipient_code="ayto",
        data_categories=["income"],
        channel="desk",
        evidence=signed_form(),
    )
    Notification.objects.filter(party=party).update(status="failed", attempts=45)
    administrator = make_staff("gestora", "ayto", "administrator")

    shown = client_for(administrator).get("/console/messages/undelivered/").content.decode()
    hidden = client_for(supervisor_user).get("/console/messages/undelivered/").content.decode()

    assert "lucia@example.es" in shown
    assert "lucia@example.es" not in hidden
