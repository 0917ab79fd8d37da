"""Notifications: a change writes the messages to the outbox in each reporter's language, the
worker sends them, and a failing mail server only delays them."""

from __future__ import annotations

import os
import smtplib
import socket
import subprocess
import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from freezegun import freeze_time

from tests.factories import make_party
from ventanilla.access.actors import Actor
from ventanilla.audit.models import AuditEntry
from ventanilla.cases.models import Case
from ventanilla.cases.notifications import notify_case
from ventanilla.cases.services import case_open
from ventanilla.notifications.models import Notification, NotificationTemplate
from ventanilla.notifications.sending import notifications_send
from ventanilla.notifications.templates import render
from ventanilla.parties.models import Party
from ventanilla.parties.services import ContactPointInput

pytestmark = pytest.mark.django_db


def open_case(actor: Actor, service: Any, **party: Any) -> Case:
    reporter = make_party(actor, **party)
    return case_open(actor=actor, party_id=reporter.pk, service_code=service.code, channel="web")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_party_who_prefers_english_is_told_in_english_by_email_and_sms(
    actor: Actor, service: Any
) -> None:
    case = open_case(actor, service, preferred_language="en")

    rows = notify_case(case=case, event="accepted")

    assert sorted(row.medium for row in rows) == ["email", "sms"]
    email = next(row for row in rows if row.medium == "email")
    assert email.language == "en"
    assert email.subject == f"Your request {case.reference} is being handled"
    assert "Minor works permit" in email.body
    sms = next(row for row in rows if row.medium == "sms")
    assert sms.recipient.startswith("+346")
    assert len(sms.body) <= 160


def test_a_party_with_an_unknown_language_is_told_in_spanish(actor: Actor, service: Any) -> None:
    case = open_case(actor, service)
    # Older records (imports, other channels) may hold a language the service no longer accepts.
    Party.objects.filter(pk=case.party_id).update(preferred_language="fr")
    case.refresh_from_db()

    rows = notify_case(case=case, event="accepted")

    assert {row.language for row in rows} == {"es"}
    assert "Licencia de obra menor" in rows[0].body + rows[1].body


def test_the_reporters_of_duplicates_hear_about_the_main_case(actor: Actor, service: Any) -> None:
    main = open_case(actor, service)
    duplicate = open_case(actor, service, preferred_language="en")
    Case.objects.filter(pk=duplicate.pk).update(duplicate_of=main)

    rows = notify_case(case=main, event="resolved", text="The streetlight is fixed.")

    emails = {row.party_id: row for row in rows if row.medium == "email"}
    assert set(emails) == {main.party_id, duplicate.party_id}
    theirs = emails[duplicate.party_id]
    assert theirs.case_id == duplicate.pk
    assert duplicate.reference in theirs.subject
    assert "The streetlight is fixed." in theirs.body


def test_the_closed_message_links_to_the_satisfaction_page(
    actor: Actor, service: Any, settings: Any
) -> None:
    settings.VENTANILLA_PUBLIC_URL = "https://sede.villanueva.es/"
    case = open_case(actor, service)

    rows = notify_case(case=case, event="closed")

    link = f"https://sede.villanueva.es/portal/me/cases/{case.reference}/satisfaction/"
    assert all(link in row.body for row in rows)


def test_without_a_template_or_an_address_nothing_is_queued_and_nothing_fails(
    actor: Actor, service: Any
) -> None:
    no_address = open_case(actor, service, contact_points=[])
    NotificationTemplate.objects.filter(event="reply", medium="sms").delete()
    case = open_case(actor, service)

    assert notify_case(case=no_address, event="accepted") == []
    assert [row.medium for row in notify_case(case=case, event="reply")] == ["email"]


def test_templates_fill_known_placeholders_and_cannot_reach_into_values() -> None:
    template = "{reference} {unknown} {0} {reference.__class__} {reference[0]} {{x}} {text!r}"

    rendered = render(template, {"reference": "AY-1", "text": "hi"})

    assert rendered == "AY-1 {unknown} {0} {reference.__class__} {reference[0]} {x} {text!r}"


def test_a_failing_mail_server_keeps_the_message_queued_and_a_later_run_sends_it(
    actor: Actor, service: Any, settings: Any
) -> None:
    case = open_case(actor, service, contact_points=[ContactPointInput("email", "ana@example.es")])
    Notification.objects.filter(case=case).delete()  # the "case opened" message; one is enough
    [row] = notify_case(case=case, event="accepted")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()

    first = notifications_send()

    row.refresh_from_db()
    assert (first.sent, first.retrying) == (0, 1)
    assert (row.status, row.attempts) == ("queued", 1)
    assert "Connection" in row.last_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notifications_send().sent == 0  # too soon: the pause after a failure is not over
    later = notifications_send(now=timezone.now() + timedelta(minutes=2))
    row.refresh_from_db()
    assert later.sent == 1
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, "")
    assert [message.to for message in mail.outbox] == [["ana@example.es"]]
    assert AuditEntry.objects.filter(action="case.notify", object_id=str(row.pk)).count() == 1


def test_a_message_that_keeps_failing_is_retried_for_days_before_it_is_given_up(
    actor: Actor, service: Any, settings: Any
) -> None:
    case = open_case(actor, service, contact_points=[ContactPointInput("email", "ana@example.es")])
    Notification.objects.filter(case=case).delete()  # the "case opened" message; one is enough
    [row] = notify_case(case=case, event="accepted")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()
    settings.VENTANILLA_NOTIFICATION_GIVE_UP_DAYS = 7
    start = timezone.now()

    for hours in range(6 * 24 + 1):  # six days of a mail server that refuses connections
        notifications_send(now=start + timedelta(hours=hours))
    row.refresh_from_db()
    assert (row.status, row.failure) == ("queued", "unreachable")
    assert row.attempts > 30
    notifications_send(now=start + timedelta(days=7, minutes=1))

    row.refresh_from_db()
    assert row.status == "failed"


def run_worker(var_dir: Path) -> subprocess.CompletedProcess[str]:
    """The real worker, as an operator runs it, writing its mail and SMS as files."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{db['NAME']}"
    else:
        url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [sys.executable, "-m", "ventanilla", "worker", "--batch"],
        env={
            **os.environ,
            "DATABASE_URL": url,
            "VENTANILLA_VAR_DIR": str(var_dir),
            "VENTANILLA_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "VENTANILLA_SMS_BACKEND": "ventanilla.core.sms.FileBackend",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_what_a_change_queued_once_it_committed(
    actor: Actor, service: Any, tmp_path: Path
) -> None:
    case = open_case(actor, service)
    # Opening the case queued its own message; start from an empty queue to see this one's.
    Notification.objects.all().delete()
    DBTaskResult.objects.all().delete()
    with transaction.atomic():
        rows = notify_case(case=case, event="accepted")
        assert not DBTaskResult.objects.exists()  # queued only when the change commits
    assert DBTaskResult.objects.filter(task_path__endswith="send_notifications").count() == 1

    run_worker(tmp_path)

    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}
    [email] = (tmp_path / "mail").iterdir()
    assert case.reference in email.read_text(encoding="utf-8")
    [sms] = (tmp_path / "sms").iterdir()
    sms_row = next(row for row in rows if row.medium == "sms")
    assert sms.read_text(encoding="utf-8").startswith(f"To: {sms_row.recipient}")


@pytest.mark.django_db(transaction=True)
def test_many_messages_wait_for_one_sending_run(actor: Actor, service: Any) -> None:
    case = open_case(actor, service)
    later = open_case(actor, service)
    with transaction.atomic():
        notify_case(case=case, event="accepted")
    with transaction.atomic():
        notify_case(case=later, event="accepted")

    waiting = DBTaskResult.objects.filter(task_path__endswith="send_notifications", status="READY")
    assert waiting.count() == 1
    assert Notification.objects.filter(status="queued").count() >= 4
    # A run scheduled for later (a retry) does not hold back a new message.
    waiting.update(run_after=timezone.now() + timedelta(minutes=30))
    with transaction.atomic():
        notify_case(case=case, event="resolved")
    assert DBTaskResult.objects.filter(task_path__endswith="send_notifications").count() == 2


# -- A mail server or SMS gateway down for a day -----------------------------------------------


class DisconnectedBackend(BaseEmailBackend):
    """A mail server that drops the connection, as one being restarted does."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class BrokenBackend(BaseEmailBackend):
    """A mail backend with a bug of its own: it raises something that is not an OSError."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        raise ValueError("bad header from a plug-in")


class BrokenSms:
    def send(self, recipient: str, body: str) -> None:
        raise RuntimeError("gateway answered 502")


class RecordingSms:
    sent: list[str] = []

    def send(self, recipient: str, body: str) -> None:
        RecordingSms.sent.append(recipient)


def test_a_mail_backend_error_that_is_not_an_oserror_counts_as_a_recorded_attempt(
    actor: Actor, service: Any, settings: Any
) -> None:
    case = open_case(actor, service, contact_points=[ContactPointInput("email", "ana@example.es")])
    [row] = Notification.objects.filter(case=case)
    settings.EMAIL_BACKEND = "tests.cases.test_notifications.BrokenBackend"

    report = notifications_send()

    row.refresh_from_db()
    assert report.retrying == 1
    assert (row.status, row.attempts, row.failure) == ("queued", 1, "software")
    assert row.last_error == "ValueError: bad header from a plug-in"
    assert row.next_attempt_at > timezone.now()


def test_an_sms_gateway_that_fails_is_recorded_and_retried(
    actor: Actor, service: Any, settings: Any
) -> None:
    case = open_case(actor, service)
    settings.VENTANILLA_SMS_BACKEND = "tests.cases.test_notifications.BrokenSms"

    notifications_send()

    sms = Notification.objects.get(case=case, medium="sms")
    assert (sms.status, sms.attempts) == ("queued", 1)
    assert sms.last_error == "RuntimeError: gateway answered 502"


class LongWindedBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        raise smtplib.SMTPServerDisconnected("x" * 5000)


def test_a_long_error_is_kept_short(actor: Actor, service: Any, settings: Any) -> None:
    case = open_case(actor, service, contact_points=[ContactPointInput("email", "ana@example.es")])
    settings.EMAIL_BACKEND = "tests.cases.test_notifications.LongWindedBackend"

    notifications_send()

    row = Notification.objects.get(case=case)
    assert len(row.last_error) == 500
    assert row.failure == "unreachable"


def test_a_day_long_outage_loses_no_message_and_sends_each_exactly_once(
    actor: Actor, service: Any, settings: Any
) -> None:
    RecordingSms.sent = []
    with freeze_time("2026-03-02 08:00:00+00:00") as clock:
        # Given messages written at the start of an outage of mail and SMS alike
        cases = [open_case(actor, service) for _ in range(3)]
        written = list(Notification.objects.filter(case__in=cases))
        assert len(written) == 6  # one email and one SMS for each case
        settings.VENTANILLA_SMS_BACKEND = "tests.cases.test_notifications.BrokenSms"
        # when the mail server drops connections for twelve hours, then fails with a bug of its
        # own for twelve more, while the worker runs every five minutes
        settings.EMAIL_BACKEND = "tests.cases.test_notifications.DisconnectedBackend"
        for _ in range(12 * 12):
            notifications_send()
            clock.tick(timedelta(minutes=5))
        settings.EMAIL_BACKEND = "tests.cases.test_notifications.BrokenBackend"
        for _ in range(12 * 12):
            notifications_send()
            clock.tick(timedelta(minutes=5))
        waiting = Notification.objects.filter(case__in=cases)
        assert set(waiting.values_list("status", flat=True)) == {"queued"}
        assert min(waiting.values_list("attempts", flat=True)) >= 8
        assert not mail.outbox and not RecordingSms.sent
        # then both come back
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        settings.VENTANILLA_SMS_BACKEND = "tests.cases.test_notifications.RecordingSms"
        for _ in range(5 * 12):
            notifications_send()
            clock.tick(timedelta(minutes=5))

    # every message was sent, exactly once
    assert set(waiting.values_list("status", flat=True)) == {"sent"}
    emails = sorted(row.recipient for row in written if row.medium == "email")
    assert sorted(message.to[0] for message in mail.outbox) == emails
    assert sorted(RecordingSms.sent) == sorted(
        row.recipient for row in written if row.medium == "sms"
    )
    sent_ids = {str(row.pk) for row in written}
    notified = AuditEntry.objects.filter(action="case.notify", object_id__in=sent_ids)
    assert notified.count() == 6


def test_after_a_failure_the_sending_run_comes_back_when_the_first_retry_is_due(
    actor: Actor, service: Any, settings: Any
) -> None:
    from ventanilla.notifications.jobs import send_notifications

    case = open_case(actor, service, contact_points=[ContactPointInput("email", "ana@example.es")])
    DBTaskResult.objects.all().delete()
    settings.EMAIL_BACKEND = "tests.cases.test_notifications.DisconnectedBackend"

    send_notifications.call()

    row = Notification.objects.get(case=case)
    [retry] = DBTaskResult.objects.filter(task_path__endswith="send_notifications")
    assert retry.run_after == row.next_attempt_at
    assert row.next_attempt_at - row.updated_at < timedelta(minutes=2)


def test_a_life_event_request_tells_the_citizen_once_listing_every_case(
    actor: Actor, service: Any, town: Any
) -> None:
    from ventanilla.cases.services import life_event_open
    from ventanilla.catalog.services import life_event_ensure, service_ensure

    birth = life_event_ensure(code="nacimiento", kind="life", name_es="Nacimiento", name_en="Birth")
    service.life_events.add(birth)
    service_ensure(
        code="tarjeta-sanitaria", name_es="Tarjeta sanitaria", name_en="Health card",
        department=town["salud"], life_events=[birth],
    )  # fmt: skip
    party = make_party(actor, preferred_language="en")

    request = life_event_open(
        actor=actor, party_id=party.pk, life_event_code="nacimiento", channel="desk"
    )

    rows = list(Notification.objects.filter(party=party))
    assert sorted((row.event, row.medium) for row in rows) == [
        ("life_event_opened", "email"),
        ("life_event_opened", "sms"),
    ]
    email = next(row for row in rows if row.medium == "email")
    assert email.subject == "We have received your request: Birth"
    for case in request.cases.all():
        assert case.reference in email.body and case.reference in next(
            row.body for row in rows if row.medium == "sms"
        )
    assert "Health card · Health · due " in email.body
    assert f"/portal/me/life-events/{request.pk}/" in email.body
