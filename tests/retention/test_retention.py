"""Retention rules: a dry run reports what is past its period and changes nothing; applying removes
it in audited batches, keeps what statistics need, and the daily task runs on the real worker."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.conftest import sign_in
from tests.factories import make_party
from ventanilla.access.actors import Actor
from ventanilla.audit.models import AuditEntry
from ventanilla.cases.models import Case
from ventanilla.cases.services import case_contact_record, case_open
from ventanilla.interactions.models import Interaction
from ventanilla.interactions.services import interaction_record
from ventanilla.parties.models import ContactPoint, ProfileAttribute
from ventanilla.retention.jobs import apply_retention_rules, next_run_after
from ventanilla.retention.models import RetentionRule, RetentionRun
from ventanilla.retention.services import retention_apply

pytestmark = pytest.mark.django_db

YEAR = timedelta(days=365)


@pytest.fixture
def rules(db: None) -> None:
    for category, days in [("cases", 5 * 365), ("address", 4 * 365), ("income", 4 * 365)]:
        RetentionRule.objects.update_or_create(
            category=category, defaults={"keep_days": days, "enabled": True}
        )


@pytest.fixture
def history(rules: None, actor: Actor, service: Any) -> dict[str, Any]:
    """One person with old and recent data of every kind the rules reach."""
    now = timezone.now()
    party = make_party(actor)
    old_contact = interaction_record(
        actor=actor, party_id=party.pk, channel="phone", summary="Old", occurred_at=now - 7 * YEAR
    )
    recent = interaction_record(
        actor=actor, party_id=party.pk, channel="phone", summary="New", occurred_at=now - YEAR
    )
    closed = case_open(
        actor=actor,
        party_id=party.pk,
        service_code=service.code,
        channel="desk",
        description="Obra en Calle Mayor 3, 2º B",
    )
    Case.objects.filter(pk=closed.pk).update(
        status="closed", opened_at=now - 7 * YEAR, closed_at=now - 6 * YEAR, satisfaction=4
    )
    still_open = case_open(
        actor=actor, party_id=party.pk, service_code=service.code, channel="desk"
    )
    open_old_contact = case_contact_record(
        actor=actor,
        party_id=party.pk,
        channel="desk",
        summary="About an open case",
        occurred_at=now - 8 * YEAR,
        case_reference=still_open.reference,
    )
    old_address = ContactPoint.objects.create(
        party=party,
        kind="postal",
        value="Calle Vieja 1",
        normalized="calle vieja 1",
        valid_until=date.today() - 5 * YEAR,  # noqa: DTZ011 - a date, not a moment
    )
    income = ProfileAttribute.objects.create(
        party=party, name="income_band", value="C", category="income"
    )
    ProfileAttribute.objects.filter(pk=income.pk).update(updated_at=now - 5 * YEAR)
    return {
        "party": party,
        "old_contact": old_contact,
        "recent": recent,
        "closed": closed,
        "open_old_contact": open_old_contact,
        "old_address": old_address,
        "income": income,
    }


def test_a_dry_run_reports_what_is_due_and_changes_nothing(history: dict[str, Any]) -> None:
    before = (Interaction.objects.count(), ContactPoint.objects.count())

    run = retention_apply(dry_run=True)

    assert run.status == "done" and run.dry_run
    assert run.report["cases.interactions"]["rows"] == 1
    assert run.report["cases.cases_redacted"]["rows"] == 1
    assert run.report["address.addresses"]["rows"] == 1
    assert run.report["income.facts"]["rows"] == 1
    assert (Interaction.objects.count(), ContactPoint.objects.count()) == before
    assert not AuditEntry.objects.filter(action="retention.apply").exists()


def test_applying_removes_what_is_past_its_period_and_keeps_the_rest(
    history: dict[str, Any],
) -> None:
    run = retention_apply(dry_run=False)

    assert run.status == "done" and run.rows_done == run.rows_due == 4
    assert not Interaction.objects.filter(pk=history["old_contact"].pk).exists()
    assert Interaction.objects.filter(pk=history["recent"].pk).exists()
    assert Interaction.objects.filter(pk=history["open_old_contact"].pk).exists()
    assert not ContactPoint.objects.filter(pk=history["old_address"].pk).exists()
    assert not ProfileAttribute.objects.filter(pk=history["income"].pk).exists()
    closed = Case.objects.get(pk=history["closed"].pk)
    assert closed.description == ""
    assert (closed.status, closed.satisfaction, closed.service_id) == (
        "closed",
        4,
        history["closed"].service_id,
    )


def test_each_batch_leaves_an_audit_entry_and_a_second_run_finds_nothing(
    history: dict[str, Any],
) -> None:
    retention_apply(dry_run=False)

    again = retention_apply(dry_run=False)

    entries = AuditEntry.objects.filter(action="retention.apply")
    assert sorted(e.detail["step"] for e in entries) == [
        "addresses",
        "cases_redacted",
        "facts",
        "interactions",
    ]
    assert all(e.actor == "system:retention" for e in entries)
    assert again.rows_due == 0


def test_a_disabled_rule_removes_nothing(history: dict[str, Any]) -> None:
    RetentionRule.objects.filter(category="cases").update(enabled=False)

    retention_apply(dry_run=False)

    assert Interaction.objects.filter(pk=history["old_contact"].pk).exists()


def run_worker() -> subprocess.CompletedProcess[str]:
    """The real worker, as an operator runs it, in its own process on the test database."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{db['NAME']}"
    else:
        url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [str(Path(sys.executable).with_name("ventanilla")), "worker", "--batch"],
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_queued_task_and_schedules_the_next_day(
    history: dict[str, Any],
) -> None:
    apply_retention_rules.enqueue()

    run_worker()

    assert not Interaction.objects.filter(pk=history["old_contact"].pk).exists()
    # Opening the history's case queued its message to the citizen too; this is about retention.
    finished = DBTaskResult.objects.get(
        status="SUCCESSFUL", task_path=apply_retention_rules.module_path
    )
    assert finished.return_value["rows"] == 4
    # The worker schedules the daily deadline sweep too; this is about retention's run.
    waiting = DBTaskResult.objects.get(status="READY", task_path=apply_retention_rules.module_path)
    assert waiting.run_after == next_run_after()
    assert RetentionRun.objects.get().triggered_by == "system:retention"


def test_the_next_run_is_at_the_configured_hour_in_the_local_zone(settings: Any) -> None:
    settings.VENTANILLA_RETENTION_HOUR = 3
    evening = timezone.make_aware(timezone.datetime(2026, 11, 25, 22, 0))

    after = timezone.localtime(next_run_after(evening))

    assert (after.day, after.hour, after.minute) == (26, 3, 0)


def test_the_command_prints_the_dry_run_report(history: dict[str, Any]) -> None:
    out = StringIO()

    call_command("retention", "apply", "--dry-run", stdout=out)

    text = out.getvalue()
    assert "dry run, nothing changed" in text
    assert "cases.interactions" in text and "income.facts" in text
    assert Interaction.objects.filter(pk=history["old_contact"].pk).exists()


@pytest.mark.django_db(transaction=True)
def test_starting_the_worker_schedules_the_daily_run_once(rules: None) -> None:
    first = run_worker()
    run_worker()

    assert "Scheduled the daily retention run." in first.stdout

    retention = DBTaskResult.objects.filter(task_path=apply_retention_rules.module_path)
    assert retention.filter(status="READY").count() == 1


def staff(make_staff: Any, role: str) -> Any:
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, make_staff(f"user-{role}", "villanueva", role))
    return client


@pytest.mark.django_db(transaction=True)
def test_an_administrator_queues_a_run_and_the_page_shows_its_progress(
    history: dict[str, Any], make_staff: Any
) -> None:
    client = staff(make_staff, "administrator")

    queued = client.post("/console/retention/", {"mode": "apply"})
    assert queued.status_code == 302
    assert DBTaskResult.objects.filter(status="READY", task_path__contains="retention").count() == 1
    run_worker()
    page = client.get("/console/retention/").content.decode()

    run = RetentionRun.objects.get(dry_run=False)
    assert run.triggered_by == "user-administrator" and run.rows_done == 4
    assert '<progress max="100" value="100">' in page and "Applied" in page


def test_a_data_protection_officer_watches_but_may_not_run(rules: None, make_staff: Any) -> None:
    client = staff(make_staff, "dpo")

    page = client.get("/console/retention/")
    refused = client.post("/console/retention/", {"mode": "apply"})

    assert page.status_code == 200 and "Apply the rules now" not in page.content.decode()
    assert refused.status_code == 403
    assert not DBTaskResult.objects.filter(task_path__contains="retention").exists()
