"""Applying the retention rules: find what each category has kept past its period, report it
(dry run) or remove it in batches, each batch one transaction with its audit entry.

What "past its period" means is defined here, per category, next to what is done about it:
- cases: contacts older than the period (unless their case is still open) are deleted, and the
  free text of cases closed before it (description, place, form answers) is redacted, so the
  statistics (service, dates, outcome, district) keep working;
- address / contact: addresses, emails and phones that stopped being valid before it are deleted;
- every other category: profile facts not updated since before it are deleted, to be asked again.
Identity is kept while the person is on the register; erasing a person is `party_erase`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Min, Q, QuerySet
from django.utils import timezone

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_record
from ventanilla.cases.models import Case
from ventanilla.interactions.models import Interaction
from ventanilla.parties.models import ContactPoint, DataCategory, ProfileAttribute
from ventanilla.retention.models import RetentionRule, RetentionRun

BATCH = 2000
SYSTEM = Actor(label="system:retention", sees_everything=True)


@dataclass(frozen=True)
class Step:
    """One kind of record a category's rule reaches, and what happens to it when it is due."""

    name: str
    due: Callable[[datetime], QuerySet[Any]]
    age_field: str
    apply: Callable[[QuerySet[Any]], int]


def _delete(rows: QuerySet[Any]) -> int:
    return rows.delete()[1].get(rows.model._meta.label, 0)


def _redact_cases(rows: QuerySet[Any]) -> int:
    return rows.update(
        description="", location_text="", latitude=None, longitude=None, form_data={}
    )


def _contacts_due(cutoff: datetime) -> QuerySet[Interaction]:
    return Interaction.objects.filter(occurred_at__lt=cutoff).exclude(case__is_open=True)


def _closed_cases_due(cutoff: datetime) -> QuerySet[Case]:
    not_yet_redacted = (
        ~Q(description="") | ~Q(location_text="") | Q(latitude__isnull=False) | ~Q(form_data={})
    )
    return Case.objects.filter(not_yet_redacted, is_open=False, closed_at__lt=cutoff)


def _contact_points_due(kinds: tuple[str, ...]) -> Callable[[datetime], QuerySet[ContactPoint]]:
    def due(cutoff: datetime) -> QuerySet[ContactPoint]:
        return ContactPoint.objects.filter(kind__in=kinds, valid_until__lt=cutoff.date())

    return due


def _facts_due(category: str) -> Callable[[datetime], QuerySet[ProfileAttribute]]:
    def due(cutoff: datetime) -> QuerySet[ProfileAttribute]:
        return ProfileAttribute.objects.filter(category=category, updated_at__lt=cutoff)

    return due


def steps_for(category: str) -> list[Step]:
    if category == DataCategory.CASES:
        return [
            Step("interactions", _contacts_due, "occurred_at", _delete),
            Step("cases_redacted", _closed_cases_due, "closed_at", _redact_cases),
        ]
    if category == DataCategory.ADDRESS:
        return [Step("addresses", _contact_points_due(("postal",)), "valid_until", _delete)]
    if category == DataCategory.CONTACT:
        return [
            Step("emails_phones", _contact_points_due(("email", "phone")), "valid_until", _delete)
        ]
    if category == DataCategory.IDENTITY:
        return []
    return [Step("facts", _facts_due(category), "updated_at", _delete)]


def _survey(rules: list[RetentionRule], now: datetime) -> dict[str, Any]:
    report: dict[str, Any] = {}
    for rule in rules:
        cutoff = now - timedelta(days=rule.keep_days)
        for step in steps_for(rule.category):
            found = step.due(cutoff).aggregate(rows=Count("pk"), oldest=Min(step.age_field))
            report[f"{rule.category}.{step.name}"] = {
                "category": rule.category,
                "keep_days": rule.keep_days,
                "cutoff": cutoff.isoformat(),
                "rows": found["rows"],
                "oldest": found["oldest"].isoformat() if found["oldest"] else None,
                "done": 0,
            }
    return report


def retention_apply(
    *,
    actor: Actor = SYSTEM,
    dry_run: bool,
    now: datetime | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    triggered_by: str = "",
) -> RetentionRun:
    """Apply every enabled rule (or, with ``dry_run``, only report what is due). Safe to run
    twice: a second run finds nothing due. ``on_progress(done, due)`` follows the batches."""
    now = now or timezone.now()
    rules = list(RetentionRule.objects.filter(enabled=True))
    report = _survey(rules, now)
    run = RetentionRun.objects.create(
        dry_run=dry_run,
        started_at=now,
        triggered_by=(triggered_by or actor.label)[:150],
        rows_due=sum(item["rows"] for item in report.values()),
        report=report,
    )
    if dry_run:
        return _finish(run, RetentionRun.Status.DONE)
    done = 0
    try:
        for rule in rules:
            cutoff = now - timedelta(days=rule.keep_days)
            for step in steps_for(rule.category):
                key = f"{rule.category}.{step.name}"
                while True:
                    with transaction.atomic():
                        due = step.due(cutoff)
                        ids = list(due.order_by("pk").values_list("pk", flat=True)[:BATCH])
                        if not ids:
                            break
                        handled = step.apply(due.model.objects.filter(pk__in=ids))
                        audit_record(
                            actor=actor,
                            action=Action.RETENTION_APPLY,
                            object_type=due.model._meta.model_name or "",
                            purpose=rule.legal_reference or "retention rule",
                            detail={
                                "category": rule.category,
                                "step": step.name,
                                "rows": handled,
                                "cutoff": cutoff.isoformat(),
                                "run": str(run.pk),
                            },
                        )
                        RetentionRun.objects.filter(pk=run.pk).update(
                            rows_done=F("rows_done") + handled
                        )
                    report[key]["done"] += handled
                    done += handled
                    if on_progress:
                        on_progress(done, run.rows_due)
    except Exception as failure:  # recorded on the run for the operator, then re-raised
        run.report = report
        run.error = repr(failure)
        _finish(run, RetentionRun.Status.FAILED)
        raise
    run.report = report
    return _finish(run, RetentionRun.Status.DONE)


def _finish(run: RetentionRun, status: str) -> RetentionRun:
    run.refresh_from_db(fields=["rows_done"])
    run.status = status
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "finished_at", "report", "error", "updated_at"])
    return run


def retention_request_run(*, actor: Actor, dry_run: bool) -> None:
    """Queue a run (or a dry run) for the worker, once the asking transaction commits."""
    require(actor, Scope.RETENTION_MANAGE)
    from ventanilla.retention.jobs import run_retention

    transaction.on_commit(lambda: run_retention.enqueue(dry_run=dry_run, triggered_by=actor.label))
