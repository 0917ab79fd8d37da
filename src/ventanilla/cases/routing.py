"""Routing: which department owns a new case and at what priority.

The active rules are tried in ``position`` order and the first one whose every condition holds
wins. With no rule, the service's own department takes the case; a service without one sends it
to the triage department (``VENTANILLA_TRIAGE_DEPARTMENT``), whose staff place it by hand. So a
case always has an owner.

Rules are read once and kept for ``RULES_TTL`` seconds per process (and dropped at once in the
process that changes one through ``services.routing_rule_save`` or ``routing_rule_delete``), so
routing costs no query per case.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from uuid import UUID

from django.conf import settings

from ventanilla.cases.models import Case, RoutingRule
from ventanilla.catalog.models import Agency, PublicService
from ventanilla.core.text import fold
from ventanilla.parties.models import Party
from ventanilla.parties.selectors import age_of

RULES_TTL = 30.0
SENIOR_AGE = 65
ADULT_AGE = 18


@dataclass(frozen=True)
class _Rule:
    rule: RoutingRule
    keywords: tuple[str, ...]
    district: str


@dataclass(frozen=True)
class Routing:
    department_id: UUID
    department: Agency | None
    priority: str
    rule: RoutingRule | None
    routed_by: str
    triage: bool


_cache: dict[str, tuple[float, list[_Rule]]] = {}


def _rules() -> list[_Rule]:
    cached = _cache.get("rules")
    if cached is not None and time.monotonic() - cached[0] < RULES_TTL:
        return cached[1]
    rules = [
        _Rule(
            rule=rule,
            keywords=tuple(fold(word) for word in rule.keywords.split(",") if word.strip()),
            district=fold(rule.district),
        )
        for rule in RoutingRule.objects.filter(active=True)
        .select_related("department")
        .order_by("position", "name")
    ]
    _cache["rules"] = (time.monotonic(), rules)
    return rules


def forget_rules() -> None:
    """Drop this process's copy of the rules (after a change, and between tests)."""
    _cache.clear()


def _party_matches(condition: str, party: Party) -> bool:
    if not condition:
        return True
    if condition == RoutingRule.PartyCondition.ORGANISATION:
        return party.kind == Party.Kind.ORGANISATION
    if condition == RoutingRule.PartyCondition.ACCESSIBILITY:
        return bool(party.accessibility_needs)
    age = age_of(party)
    if age is None:
        return False
    if condition == RoutingRule.PartyCondition.MINOR:
        return age < ADULT_AGE
    if condition == RoutingRule.PartyCondition.SENIOR:
        return age >= SENIOR_AGE
    return False


def _matches(
    entry: _Rule,
    *,
    service: PublicService,
    channel: str,
    district: str,
    description: str,
    party: Party,
) -> bool:
    rule = entry.rule
    if rule.service_id is not None and rule.service_id != service.pk:
        return False
    if rule.channel_id is not None and rule.channel_id != channel:
        return False
    if entry.district and entry.district != district:
        return False
    if entry.keywords and not any(word in description for word in entry.keywords):
        return False
    return _party_matches(rule.party_condition, party)


def triage_department_id(service: PublicService) -> UUID:
    code = settings.VENTANILLA_TRIAGE_DEPARTMENT
    triage = Agency.objects.filter(code=code).values_list("pk", flat=True).first()
    return triage or service.competent_agency_id


def route(
    *,
    service: PublicService,
    channel: str,
    district: str,
    description: str,
    party: Party,
    priority: str,
) -> Routing:
    """Where a new case goes, and why."""
    folded_district = fold(district)
    folded_description = fold(description)
    for entry in _rules():
        if _matches(
            entry,
            service=service,
            channel=channel,
            district=folded_district,
            description=folded_description,
            party=party,
        ):
            return Routing(
                department_id=entry.rule.department_id,
                department=entry.rule.department,
                priority=entry.rule.priority or priority,
                rule=entry.rule,
                routed_by=Case.RoutedBy.RULE,
                triage=False,
            )
    if service.department_id is not None:
        return Routing(
            department_id=service.department_id,
            department=service.department,
            priority=priority,
            rule=None,
            routed_by=Case.RoutedBy.SERVICE,
            triage=False,
        )
    return Routing(
        department_id=triage_department_id(service),
        department=None,
        priority=priority,
        rule=None,
        routed_by=Case.RoutedBy.TRIAGE,
        triage=True,
    )
