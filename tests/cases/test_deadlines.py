"""The deadline sweep warns cases near their due date and escalates overdue ones once each,
leaves cases waiting for the citizen alone, and mails the digests to the right people."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.factories import make_party
from ventanilla.access.actors import Actor
from ventanilla.audit.models import AuditEntry
from ventanilla.cases import deadlines
from ventanilla.cases.deadlines import deadline_sweep, resume_due_date
from ventanilla.cases.jobs import apply_deadlines
from ventanilla.cases.models import Case, CaseEvent
from ventanilla.cases.services import case_open

pytestmark = pytest.mark.django_db

WEDNESDAY = date(2026, 11, 25)
MADRID = ZoneInfo("Europe/Madrid")


@pytest.fixture
def new_case(actor: Actor, service: Any) -> Callable[..., Case]:
    party = make_party(actor)

    def make(due: date, **changes: Any) -> Case:
        case = case_open(actor=actor, party_id=party.pk, service_code=service.code, channel="web")
        Case.objects.filter(pk=case.pk).update(due_date=due, **changes)
        case.refresh_from_db()
        return case

    return make


def events(case: Case, kind: str) -> int:
    return CaseEvent.objects.filter(case=case, kind=kind).count()


def test_cases_due_within_the_warning_days_are_warned_once(
    new_case: Callable[..., Case], settings: Any
) -> None:
    settings.VENTANILLA_DEADLINE_WARNING_DAYS = 2
    today, friday, monday = (
        new_case(WEDNESDAY),
        new_case(date(2026, 11, 27)),
        new_case(date(2026, 11, 30)),
    )

    first = deadline_sweep(today=WEDNESDAY)
    second = deadline_sweep(today=WEDNESDAY)

    assert (first.warned, second.warned) == (2, 0)
    assert [events(case, "warning") for case in (today, friday, monday)] == [1, 1, 0]
    today.refresh_from_db()
    assert today.warned_at is not None and today.escalated_at is None


def test_the_warning_window_counts_the_departments_holidays(
    new_case: Callable[..., Case], settings: Any, town: dict[str, Any]
) -> None:
    """With Thursday 26 November a local holiday of the town hall, two working days from Wednesday
    reach Monday for its departments."""
    from ventanilla.catalog.services import holiday_ensure

    settings.VENTANILLA_DEADLINE_WARNING_DAYS = 2
    holiday_ensure(agency_code="ayto", day=date(2026, 11, 26), name_es="Fiesta local")
    monday = new_case(date(2026, 11, 30))
    tuesday = new_case(date(2026, 12, 1))

    report = deadline_sweep(today=WEDNESDAY)

    assert report.warned == 1
    assert (events(monday, "warning"), events(tuesday, "warning")) == (1, 0)


def test_overdue_cases_are_escalated_once_with_a_higher_priority(
    new_case: Callable[..., Case],
) -> None:
    normal = new_case(date(2026, 11, 24))
    urgent = new_case(date(2026, 11, 2), priority="urgent")

    first = deadline_sweep(today=WEDNESDAY)
    second = deadline_sweep(today=WEDNESDAY)

    assert (first.escalated, second.escalated) == (2, 0)
    normal.refresh_from_db()
    urgent.refresh_from_db()
    assert (normal.priority, urgent.priority) == ("high", "urgent")
    assert normal.version == 2  # an open edit form of the case now sees the change
    assert events(normal, "escalation") == 1
    event = CaseEvent.objects.get(case=normal, kind="escalation")
    assert event.actor_label == "system:deadlines" and not event.public


def test_cases_waiting_for_the_citizen_or_closed_are_left_alone(
    new_case: Callable[..., Case],
) -> None:
    waiting = new_case(date(2026, 11, 20), status="waiting_citizen", waiting_since=timezone.now())
    closed = new_case(date(2026, 11, 20), status="closed")
    near = new_case(WEDNESDAY, status="waiting_citizen")

    report = deadline_sweep(today=WEDNESDAY)

    assert (report.warned, report.escalated) == (0, 0)
    assert not CaseEvent.objects.filter(
        case__in=[waiting, closed, near], kind__in=["warning", "escalation"]
    )


def test_the_escalation_digest_goes_to_the_supervisors_of_that_department_only(
    new_case: Callable[..., Case], make_staff: Callable[..., Any]
) -> None:
    for username, agency in [("sup-urb", "urbanismo"), ("sup-ayto", "ayto"), ("sup-pad", "padron")]:
        user = make_staff(username, agency, "supervisor")
        user.email = f"{username}@villanueva.es"
        user.save(update_fields=["email"])
    late = new_case(date(2026, 11, 24))

    report = deadline_sweep(today=WEDNESDAY)

    assert report.digests == 1
    [digest] = mail.outbox
    assert sorted(digest.to) == ["sup-ayto@villanueva.es", "sup-urb@villanueva.es"]
    assert late.reference in digest.body
    assert "Urbanismo" in digest.subject


def test_a_mail_backend_that_fails_in_any_way_leaves_the_nightly_run_to_schedule_the_next(
    new_case: Callable[..., Case], make_staff: Callable[..., Any], settings: Any, caplog: Any
) -> None:
    user = make_staff("sup-urb", "urbanismo", "supervisor")
    user.email = "sup-urb@villanueva.es"
    user.save(update_fields=["email"])
    new_case(date(2026, 11, 24))
    DBTaskResult.objects.all().delete()
    settings.EMAIL_BACKEND = "tests.cases.test_notifications.BrokenBackend"

    apply_deadlines.call()

    assert DBTaskResult.objects.filter(task_path__endswith="apply_deadlines").count() == 1
    assert any("Deadline digests not sent" in r.getMessage() for r in caplog.records)


def test_warnings_go_to_the_assignee(
    new_case: Callable[..., Case], make_staff: Callable[..., Any]
) -> None:
    worker = make_staff("tramitadora", "urbanismo", "case_worker")
    worker.email = "tramitadora@villanueva.es"
    worker.save(update_fields=["email"])
    mine = new_case(WEDNESDAY, assignee=worker)

    deadline_sweep(today=WEDNESDAY)

    [digest] = mail.outbox
    assert digest.to == ["tramitadora@villanueva.es"]
    assert mine.reference in digest.body


def test_each_batch_leaves_one_audit_entry(
    new_case: Callable[..., Case], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(deadlines, "BATCH", 2)
    for _ in range(3):
        new_case(date(2026, 11, 20))

    deadline_sweep(today=WEDNESDAY)

    entries = AuditEntry.objects.filter(action="case.update", actor="system:deadlines")
    assert sorted(entry.detail["cases"] for entry in entries) == [1, 2]


def test_the_command_dry_run_counts_and_changes_nothing(new_case: Callable[..., Case]) -> None:
    new_case(date(2026, 11, 20))
    out = StringIO()

    call_command("deadlines", "--dry-run", "--today", "2026-11-25", stdout=out)

    assert "escalated          1" in out.getvalue()
    assert not CaseEvent.objects.filter(kind="escalation").exists()


def test_the_due_date_moves_on_by_the_working_days_spent_waiting(
    new_case: Callable[..., Case],
) -> None:
    # Waiting from Friday to the next Tuesday: Monday and Tuesday are the working days lost.
    friday = datetime(2026, 11, 20, 10, 0, tzinfo=MADRID)
    tuesday = datetime(2026, 11, 24, 9, 0, tzinfo=MADRID)
    case = new_case(date(2026, 11, 26), status="waiting_citizen", waiting_since=friday)

    assert resume_due_date(case, tuesday) == date(2026, 11, 30)
    assert resume_due_date(case, tuesday, holidays=frozenset({date(2026, 11, 23)})) == date(
        2026, 11, 27
    )
