"""Reads of the associations room: the last run's rules for the managers' report, and the
services a person may need next, for the 360° view. Counts and services, never another person."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.associations.models import AssociationRun, ServiceAssociation
from ventanilla.cases.models import Case
from ventanilla.catalog.models import PublicService

# The panel on the 360° view stays short: the strongest few.
MAX_SUGGESTIONS = 5


def last_run(*, actor: Actor) -> AssociationRun | None:
    require(actor, Scope.ANALYTICS_READ)
    return AssociationRun.objects.order_by("-number").first()


def rules_of_run(*, actor: Actor, run: AssociationRun) -> list[ServiceAssociation]:
    """The rules of ``run``, strongest first."""
    require(actor, Scope.ANALYTICS_READ)
    return list(
        ServiceAssociation.objects.filter(run=run)
        .select_related("antecedent", "consequent")
        .order_by("-confidence", "-lift", "antecedent__code", "consequent__code")
    )


@dataclass(frozen=True)
class Suggestion:
    antecedent: PublicService
    consequent: PublicService
    confidence: float
    window_days: int

    @property
    def in_ten(self) -> int:
        """The confidence as "n in 10", never rounded up to all of them."""
        if self.confidence >= 1:
            return 10
        return max(1, min(9, round(self.confidence * 10)))


def next_services(
    *, actor: Actor, cases: Iterable[Case], now: datetime | None = None
) -> list[Suggestion]:
    """What a person often needs next, from the cases of theirs the actor was shown: for each
    service they asked for within the rules' window and have not asked for since, the services
    that people who asked for it asked for next. One query, for the rules."""
    require(actor, Scope.PARTIES_READ)
    latest: dict[Any, datetime] = {}
    services: dict[Any, PublicService] = {}
    for case in cases:
        services[case.service_id] = case.service
        if case.service_id not in latest or case.opened_at > latest[case.service_id]:
            latest[case.service_id] = case.opened_at
    if not latest:
        return []
    now = now or timezone.now()
    rules = (
        ServiceAssociation.objects.filter(antecedent_id__in=list(latest))
        .select_related("antecedent", "consequent")
        .order_by("-confidence", "consequent__code")
    )
    chosen: dict[Any, Suggestion] = {}
    for rule in rules:
        asked = latest[rule.antecedent_id]
        if asked < now - timedelta(days=rule.window_days):
            continue
        since = latest.get(rule.consequent_id)
        if since is not None and since >= asked:
            continue
        if rule.consequent_id in chosen or not rule.consequent.active:
            continue
        chosen[rule.consequent_id] = Suggestion(
            antecedent=services[rule.antecedent_id],
            consequent=rule.consequent,
            confidence=rule.confidence,
            window_days=rule.window_days,
        )
    return list(chosen.values())[:MAX_SUGGESTIONS]
