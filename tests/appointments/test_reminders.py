"""The day before, the citizen is reminded of their appointment through the outbox, by the real
worker as an operator runs it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.appointments.conftest import build_office
from tests.appointments.test_services import SERVICE, tomorrow_at
from tests.cases.test_notifications import run_worker
from tests.conftest import PASSWORD, build_service, build_town
from tests.factories import make_party
from ventanilla.access.actors import actor_for_user
from ventanilla.access.services import staff_member_ensure
from ventanilla.appointments.jobs import send_reminders
from ventanilla.appointments.models import Appointment
from ventanilla.appointments.services import appointment_book, reminders_queue
from ventanilla.notifications.models import Notification


def test_a_reminder_is_written_once_in_the_citizens_language(office: Any, actor: Any) -> None:
    party = make_party(actor, preferred_language="en")
    booked = appointment_book(
        actor=actor,
        party_id=party.pk,
        office_id=office.pk,
        service_code=SERVICE,
        start=tomorrow_at(10),
    )
    assert reminders_queue(day=tomorrow_at(10).date()) == 1
    assert reminders_queue(day=tomorrow_at(10).date()) == 0
    rows = Notification.objects.filter(party=party, event="appointment_reminder")
    assert {row.medium for row in rows} == {"email", "sms"}
    email = rows.get(medium="email")
    assert email.language == "en" and booked.reference in email.body
    assert "Plaza Mayor 1" in email.body and "/portal/me/appointments/" in email.body


def test_a_cancelled_appointment_is_not_reminded(office: Any, actor: Any) -> None:
    party = make_party(actor)
    booked = appointment_book(
        actor=actor,
        party_id=party.pk,
        office_id=office.pk,
        service_code=SERVICE,
        start=tomorrow_at(10),
    )
    Appointment.objects.filter(pk=booked.pk).update(status="cancelled")
    assert reminders_queue(day=tomorrow_at(10).date()) == 0


@pytest.mark.django_db(transaction=True)
def test_the_worker_reminds_tomorrows_appointments_by_email_and_sms(tmp_path: Path) -> None:
    town = build_town()
    office = build_office(town, build_service(town))
    membership = staff_member_ensure(
        username="desk", password=PASSWORD, agency_code="ayto", role="agent"
    )
    actor = actor_for_user(membership.user)
    party = make_party(actor)
    booked = appointment_book(
        actor=actor,
        party_id=party.pk,
        office_id=office.pk,
        service_code=SERVICE,
        start=tomorrow_at(10),
    )
    # The morning run, come due now.
    send_reminders.using(run_after=timezone.now() - timedelta(seconds=1)).enqueue()

    result = run_worker(tmp_path)

    assert "Scheduled the daily appointment reminders." not in result.stdout
    rows = Notification.objects.filter(party=party, event="appointment_reminder")
    assert set(rows.values_list("status", flat=True)) == {"sent"}
    [email] = (tmp_path / "mail").iterdir()
    assert booked.reference in email.read_text(encoding="utf-8")
    assert (tmp_path / "sms").exists()
    # The run scheduled the next morning's.
    assert DBTaskResult.objects.filter(
        task_path__endswith="send_reminders", status="READY"
    ).exists()
