"""What the retention page shows: the rules, and the latest runs with their progress."""

from __future__ import annotations

from dataclasses import dataclass

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.retention.models import RetentionRule, RetentionRun

RUNS_SHOWN = 10


@dataclass
class RetentionOverview:
    rules: list[RetentionRule]
    runs: list[RetentionRun]
    running: bool
    may_run: bool


def retention_overview(*, actor: Actor) -> RetentionOverview:
    """For data-protection officers (to watch) and administrators (to run)."""
    if not actor.can(Scope.AUDIT_READ):
        require(actor, Scope.RETENTION_MANAGE)
    runs = list(RetentionRun.objects.order_by("-started_at")[:RUNS_SHOWN])
    return RetentionOverview(
        rules=list(RetentionRule.objects.order_by("category")),
        runs=runs,
        running=any(run.status == RetentionRun.Status.RUNNING for run in runs),
        may_run=actor.can(Scope.RETENTION_MANAGE),
    )
