"""Deadlines of cases: the daily sweep warns the cases whose due date is near and escalates the
ones past it (once each), then mails one digest per department to its supervisors and one to each
assignee; and the due date moves on by the working days a case spent waiting for the citizen.

The sweep works on sets, not case by case: the candidates' keys are read in one query, then
each batch is one transaction of an UPDATE, a bulk INSERT of the case events and one audit entry.
A case is picked only while ``warned_at`` / ``escalated_at`` is empty, so a second run (or two
workers at once) changes nothing more."""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import connection, models, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.models import Membership, Role
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_record
from ventanilla.cases.models import Case, CaseEvent, CaseStatus, Priority
from ventanilla.catalog.models import Agency
from ventanilla.catalog.selectors import holidays_for
from ventanilla.core.calendar import add_working_days, working_days_between

logger = logging.getLogger("ventanilla.cases.deadlines")

BATCH = 5000
# A digest lists this many cases and counts the rest, so a bad day does not make a huge email.
DIGEST_LISTED = 100
SYSTEM = Actor(label="system:deadlines", sees_everything=True)
NEXT_PRIORITY = {
    Priority.LOW: Priority.NORMAL,
    Priority.NORMAL: Priority.HIGH,
    Priority.HIGH: Priority.URGENT,
    Priority.URGENT: Priority.URGENT,
}


def resume_due_date(
    case: Case, now: datetime | None = None, *, holidays: frozenset[date] = frozenset()
) -> date:
    """The due date of a case that stops waiting for the citizen at ``now``: moved on by the
    working days it waited (the clock stops while the citizen has to act). Saving it is the
    caller's: this only computes the date."""
    if case.waiting_since is None:
        return case.due_date
    now = now or timezone.now()
    waited = working_days_between(
        timezone.localdate(case.waiting_since), timezone.localdate(now), holidays
    )
    return add_working_days(case.due_date, waited, holidays) if waited else case.due_date


@dataclass
class _Digest:
    count: int = 0
    listed: list[tuple[str, date, str]] = field(default_factory=list)

    def add(self, reference: str, due: date, priority: str) -> None:
        self.count += 1
        if len(self.listed) < DIGEST_LISTED:
            self.listed.append((reference, due, priority))


@dataclass
class SweepReport:
    today: date
    dry_run: bool
    warned: int = 0
    escalated: int = 0
    digests: int = 0
    seconds: float = 0.0
    # Digests to build after the batches: escalations by department; warnings by assignee, and
    # by department for cases nobody is assigned to.
    escalated_by_department: dict[Any, _Digest] = field(default_factory=dict)
    warned_by_assignee: dict[Any, _Digest] = field(default_factory=dict)
    warned_by_department: dict[Any, _Digest] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "dry_run": self.dry_run,
            "warned": self.warned,
            "escalated": self.escalated,
            "digests": self.digests,
            "seconds": round(self.seconds, 3),
        }


def _running() -> QuerySet[Case]:
    """Open cases whose clock runs (not waiting for the citizen)."""
    return Case.objects.filter(is_open=True).exclude(status=CaseStatus.WAITING_CITIZEN)


def warning_due(today: date) -> QuerySet[Case]:
    """Running cases due within the warning window, counted in working days of each case's
    department calendar: departments are grouped by the last day their window reaches."""
    days = settings.VENTANILLA_DEADLINE_WARNING_DAYS
    by_limit: dict[date, list[Any]] = defaultdict(list)
    for agency in Agency.objects.only("id", "path"):
        by_limit[add_working_days(today, days, holidays_for(agency))].append(agency.pk)
    window = Q()
    for limit, departments in by_limit.items():
        window |= Q(department_id__in=departments, due_date__lte=limit)
    return _running().filter(window, warned_at__isnull=True, due_date__gte=today)


def escalation_due(today: date) -> QuerySet[Case]:
    return _running().filter(escalated_at__isnull=True, due_date__lt=today)


def _chunks(ids: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _raised_priority() -> models.Case:
    return models.Case(
        *(
            models.When(priority=old, then=models.Value(str(new)))
            for old, new in NEXT_PRIORITY.items()
        ),
        default=F("priority"),
    )


def _sweep_step(
    *,
    kind: str,
    due: QuerySet[Case],
    now: datetime,
    today: date,
    report: SweepReport,
    progress: Callable[[int], None],
) -> None:
    ids = list(due.order_by("due_date", "pk").values_list("pk", flat=True))
    escalating = kind == CaseEvent.Kind.ESCALATION
    for chunk in _chunks(ids, BATCH):
        with transaction.atomic():
            # Re-read under lock with the same conditions: another sweep may have got there first.
            batch = due.filter(pk__in=chunk)
            if connection.vendor == "postgresql":
                batch = batch.select_for_update(of=("self",))
            rows = list(
                batch.values_list(
                    "pk", "reference", "department_id", "assignee_id", "due_date", "priority"
                )
            )
            if not rows:
                continue
            keys = [row[0] for row in rows]
            if escalating:
                Case.objects.filter(pk__in=keys).update(
                    escalated_at=now,
                    priority=_raised_priority(),
                    version=F("version") + 1,
                    updated_at=now,
                )
            else:
                Case.objects.filter(pk__in=keys).update(warned_at=now, updated_at=now)
            CaseEvent.objects.bulk_create([_event(kind, row, now) for row in rows], batch_size=1000)
            audit_record(
                actor=SYSTEM,
                action=Action.CASE_UPDATE,
                object_type="case",
                purpose="deadlines",
                detail={
                    "step": "escalation" if escalating else "warning",
                    "today": today.isoformat(),
                    "cases": len(rows),
                    "references": [row[1] for row in rows],
                },
            )
        for _pk, reference, department_id, assignee_id, due_date, priority in rows:
            if escalating:
                raised = str(NEXT_PRIORITY[Priority(priority)])
                report.escalated_by_department.setdefault(department_id, _Digest()).add(
                    reference, due_date, raised
                )
            elif assignee_id is not None:
                report.warned_by_assignee.setdefault(assignee_id, _Digest()).add(
                    reference, due_date, priority
                )
            else:
                report.warned_by_department.setdefault(department_id, _Digest()).add(
                    reference, due_date, priority
                )
        if escalating:
            report.escalated += len(rows)
        else:
            report.warned += len(rows)
        progress(len(rows))


def _event(kind: str, row: tuple[Any, ...], now: datetime) -> CaseEvent:
    _pk, _reference, _department, _assignee, due_date, priority = row
    with translation.override(settings.LANGUAGE_CODE):
        if kind == CaseEvent.Kind.ESCALATION:
            raised = NEXT_PRIORITY[Priority(priority)]
            text = _("Past its due date (%(due)s): priority raised from %(old)s to %(new)s.") % {
                "due": due_date.isoformat(),
                "old": Priority(priority).label,
                "new": raised.label,
            }
        else:
            text = _("Due on %(due)s.") % {"due": due_date.isoformat()}
    return CaseEvent(
        case_id=_pk,
        kind=kind,
        action=str(kind),
        text=text,
        public=False,
        actor_label=SYSTEM.label,
        occurred_at=now,
    )


def deadline_sweep(
    *,
    today: date | None = None,
    dry_run: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
) -> SweepReport:
    """Warn the open cases due within VENTANILLA_DEADLINE_WARNING_DAYS working days and escalate
    those past due (each once; cases waiting for the citizen are left alone), then send the
    digests. With ``dry_run`` only count. ``on_progress(done, total)`` follows the batches."""
    started = time.perf_counter()
    now = timezone.now()
    today = today or timezone.localdate(now)
    report = SweepReport(today=today, dry_run=dry_run)
    warn, escalate = warning_due(today), escalation_due(today)
    if dry_run:
        report.warned, report.escalated = warn.count(), escalate.count()
        report.seconds = time.perf_counter() - started
        return report
    total = warn.count() + escalate.count()
    done = 0

    def progress(rows: int) -> None:
        nonlocal done
        done += rows
        if on_progress:
            on_progress(done, total)

    _sweep_step(
        kind=CaseEvent.Kind.ESCALATION,
        due=escalate,
        now=now,
        today=today,
        report=report,
        progress=progress,
    )
    _sweep_step(
        kind=CaseEvent.Kind.WARNING,
        due=warn,
        now=now,
        today=today,
        report=report,
        progress=progress,
    )
    report.digests = send_digests(report)
    report.seconds = time.perf_counter() - started
    logger.info("Deadline sweep: %s", report.as_dict())
    return report


def _prefixes(path: str) -> list[str]:
    parts = path.split("/")
    return ["/".join(parts[: n + 1]) for n in range(len(parts))]


def department_recipients(
    department_ids: Iterable[Any], *, roles: Iterable[str] = (Role.SUPERVISOR,)
) -> dict[Any, set[str]]:
    """The email addresses of the supervisors of each department: members with the role on the
    department itself or on an agency above it. Two queries, whatever the number of departments."""
    paths = dict(Agency.objects.filter(pk__in=list(department_ids)).values_list("pk", "path"))
    wanted = {prefix for path in paths.values() for prefix in _prefixes(path)}
    by_path: dict[str, set[str]] = defaultdict(set)
    for path, email in (
        Membership.objects.filter(
            role__in=list(roles), agency__path__in=wanted, user__is_active=True
        )
        .exclude(user__email="")
        .values_list("agency__path", "user__email")
    ):
        by_path[path].add(email)
    return {
        pk: set().union(*(by_path.get(prefix, set()) for prefix in _prefixes(path)))
        for pk, path in paths.items()
    }


def _department_case_workers(department_ids: Iterable[Any]) -> dict[Any, set[str]]:
    found: dict[Any, set[str]] = defaultdict(set)
    for agency_id, email in (
        Membership.objects.filter(
            role=Role.CASE_WORKER, agency_id__in=list(department_ids), user__is_active=True
        )
        .exclude(user__email="")
        .values_list("agency_id", "user__email")
    ):
        found[agency_id].add(email)
    return found


def _body(intro: str, digest: _Digest) -> str:
    lines = [intro, ""]
    for reference, due, priority in digest.listed:
        lines.append(
            _("%(reference)s  due %(due)s  priority %(priority)s")
            % {"reference": reference, "due": due.isoformat(), "priority": Priority(priority).label}
        )
    if digest.count > len(digest.listed):
        lines.append(_("… and %(more)d more.") % {"more": digest.count - len(digest.listed)})
    return "\n".join(lines) + "\n"


def _digest_messages(report: SweepReport) -> list[EmailMessage]:
    departments = set(report.escalated_by_department) | set(report.warned_by_department)
    names = {agency.pk: agency.name for agency in Agency.objects.filter(pk__in=departments)}
    supervisors = department_recipients(departments)
    case_workers = _department_case_workers(report.warned_by_department)
    user_model = get_user_model()
    assignees = dict(
        user_model.objects.filter(pk__in=list(report.warned_by_assignee), is_active=True)
        .exclude(email="")
        .values_list("pk", "email")
    )
    day = report.today.isoformat()
    messages: list[EmailMessage] = []
    for department_id, digest in report.escalated_by_department.items():
        to = sorted(supervisors.get(department_id, set()))
        name = names.get(department_id, "")
        if not to:
            logger.warning("No supervisor with an email for %s: escalations not mailed", name)
            continue
        subject = _("%(count)d cases escalated in %(department)s") % {
            "count": digest.count,
            "department": name,
        }
        intro = _(
            "These cases of %(department)s passed their due date and were escalated on %(day)s:"
        ) % {"department": name, "day": day}
        messages.append(EmailMessage(subject, _body(intro, digest), None, to))
    for department_id, digest in report.warned_by_department.items():
        to = sorted(supervisors.get(department_id, set()) | case_workers.get(department_id, set()))
        name = names.get(department_id, "")
        if not to:
            logger.warning("Nobody with an email in %s: deadline warnings not mailed", name)
            continue
        subject = _("%(count)d unassigned cases of %(department)s are nearly due") % {
            "count": digest.count,
            "department": name,
        }
        intro = _("Nobody is assigned these cases of %(department)s, due soon:") % {
            "department": name
        }
        messages.append(EmailMessage(subject, _body(intro, digest), None, to))
    for user_id, digest in report.warned_by_assignee.items():
        if user_id not in assignees:
            continue
        subject = _("%(count)d of your cases are nearly due") % {"count": digest.count}
        intro = _("These cases assigned to you are due soon:")
        messages.append(EmailMessage(subject, _body(intro, digest), None, [assignees[user_id]]))
    return messages


def send_digests(report: SweepReport) -> int:
    """Mail the digests of a sweep in the administration's language, over one connection. A mail
    server that fails is logged: the sweep's changes stand, and the console shows them anyway.
    Whatever the mail backend raises is caught, or the nightly run would fail before it
    schedules the next night's."""
    with translation.override(settings.LANGUAGE_CODE):
        messages = _digest_messages(report)
    if not messages:
        return 0
    try:
        return get_connection(fail_silently=False).send_messages(messages) or 0
    except Exception as error:
        logger.error(
            "Deadline digests not sent (%d messages): %s: %s",
            len(messages),
            type(error).__name__,
            error,
        )
        return 0
