"""Reads of the deadline-risk room: the model in use and its rules in words, a case's risk and
the rule that gives it, and how many open cases are at risk in each department. Counts, codes
and rules: never a person."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.cases.models import Case, Priority
from ventanilla.cases.selectors import visible_cases
from ventanilla.catalog.models import Agency, Channel, PublicService
from ventanilla.risk import tree as trees
from ventanilla.risk.models import CaseRisk, RiskModel
from ventanilla.risk.services import case_features


def today() -> date:
    """The administration's date today: a case past its due date has no risk left to tell."""
    return timezone.localdate()


def current_model() -> RiskModel | None:
    return RiskModel.objects.order_by("-version").first()


def model_in_use(*, actor: Actor) -> RiskModel | None:
    require(actor, Scope.ANALYTICS_READ)
    return current_model()


@dataclass(frozen=True)
class Rule:
    leaf: int
    conditions: list[str]
    cases: int
    late: int
    share: float
    flags: bool
    open_now: int = 0

    @property
    def percent(self) -> int:
        """Rounded down, so that a share just under the threshold never reads as reaching it."""
        return math.floor(100 * self.share + 1e-9)


class _Names:
    """The names the conditions speak of, read once for a page."""

    def __init__(self, conditions: list[dict[str, Any]]) -> None:
        wanted: dict[str, set[str]] = {}
        for condition in conditions:
            values = [condition["is"]] if "is" in condition else condition.get("not", [])
            wanted.setdefault(condition["feature"], set()).update(values)
        self.names: dict[str, dict[str, str]] = {
            "service": {
                str(s.pk).replace("-", ""): s.name
                for s in PublicService.objects.filter(pk__in=_ids(wanted.get("service")))
            },
            "department": {
                str(a.pk).replace("-", ""): a.name
                for a in Agency.objects.filter(pk__in=_ids(wanted.get("department")))
            },
            "channel": {
                c.code: c.name for c in Channel.objects.filter(code__in=wanted.get("channel", ()))
            },
            "priority": {str(value): str(label) for value, label in Priority.choices},
            "month": {str(number): str(name) for number, name in MONTHS.items()},
        }

    def of(self, feature: str, value: str) -> str:
        key = value.replace("-", "") if feature in ("service", "department") else value
        return self.names.get(feature, {}).get(key, _("(no longer in the catalogue)"))

    def say(self, condition: dict[str, Any]) -> str:
        feature = condition["feature"]
        if feature in trees.NUMERIC:
            return _number(feature, condition.get("above"), condition.get("at_most"))
        label = {
            "service": _("Service"),
            "department": _("Department"),
            "channel": _("Channel"),
            "priority": _("Priority"),
            "month": _("Opened in"),
        }[feature]
        if "is" in condition:
            return _("%(what)s: %(value)s") % {
                "what": label,
                "value": self.of(feature, condition["is"]),
            }
        others = ", ".join(sorted(self.of(feature, value) for value in condition["not"]))
        return _("%(what)s: other than %(values)s") % {"what": label, "values": others}


def _ids(values: set[str] | None) -> list[UUID]:
    out = []
    for value in values or ():
        try:
            out.append(UUID(value))
        except ValueError:
            continue
    return out


def _number(feature: str, above: float | None, at_most: float | None) -> str:
    # Splits fall between whole numbers: "above 12.5" is "13 or more", "at most 12.5" "12 or
    # fewer".
    low = int(above) + 1 if above is not None else None
    high = int(at_most) if at_most is not None else None
    what = {
        "backlog": _("Cases open in the department when it came in"),
        "days_allowed": _("Days given to answer"),
    }[feature]
    if low is not None and high is not None:
        return _("%(what)s: %(low)d to %(high)d") % {"what": what, "low": low, "high": high}
    if low is not None:
        return _("%(what)s: %(low)d or more") % {"what": what, "low": low}
    return _("%(what)s: %(high)d or fewer") % {"what": what, "high": high}


def rules_in_words(*, actor: Actor, model: RiskModel) -> list[Rule]:
    """The model's rules, riskiest first, each with the open cases it holds now."""
    require(actor, Scope.ANALYTICS_READ)
    names = _Names([c for rule in model.rules for c in rule["conditions"]])
    open_now = dict(
        CaseRisk.objects.filter(model=model)
        .values_list("leaf")
        .annotate(n=Count("case"))
        .values_list("leaf", "n")
    )
    return [
        Rule(
            leaf=rule["leaf"],
            conditions=[names.say(c) for c in rule["conditions"]] or [_("Every case")],
            cases=rule["cases"],
            late=rule["late"],
            share=rule["share"],
            flags=rule["share"] >= model.threshold,
            open_now=open_now.get(rule["leaf"], 0),
        )
        for rule in model.rules
    ]


@dataclass(frozen=True)
class AtRisk:
    department: Agency
    flagged: int
    scored: int


def at_risk_by_department(*, actor: Actor, model: RiskModel) -> list[AtRisk]:
    require(actor, Scope.ANALYTICS_READ)
    counts = (
        CaseRisk.objects.filter(model=model)
        .values("case__department")
        .annotate(scored=Count("case"), flagged=Count("case", filter=Q(flagged=True)))
    )
    agencies = Agency.objects.in_bulk([row["case__department"] for row in counts])
    out = [
        AtRisk(
            department=agencies[row["case__department"]],
            flagged=row["flagged"],
            scored=row["scored"],
        )
        for row in counts
        if row["case__department"] in agencies
    ]
    out.sort(key=lambda item: (-item.flagged, item.department.name))
    return out


@dataclass(frozen=True)
class CaseRiskView:
    share: float
    flagged: bool
    reasons: list[str]
    version: int
    cases: int

    @property
    def percent(self) -> int:
        """Rounded down, so that a share just under the threshold never reads as reaching it."""
        return math.floor(100 * self.share + 1e-9)


def risk_of_case(case: Case) -> CaseRiskView | None:
    """The risk of an open case within its due date, for whoever may see the case: its stored
    score, or, for a case that came in since the last training, the model's answer now (with
    its department's open cases standing for the backlog it joined)."""
    if not case.is_open or case.due_date < today():
        return None
    stored = CaseRisk.objects.filter(case=case).select_related("model").first()
    model = stored.model if stored is not None else current_model()
    if model is None:
        return None
    if stored is not None:
        leaf = stored.leaf
    else:
        backlog = Case.objects.filter(department_id=case.department_id, is_open=True).count()
        row = case_features(
            service=case.service_id,
            department=case.department_id,
            channel=case.channel_id,
            priority=case.priority,
            opened_at=case.opened_at,
            due_date=case.due_date,
            backlog=max(0, backlog - 1),
        )
        if not trees.knows(model.tree, row):
            return None
        leaf = trees.leaf_of(model.tree, row)
    rule = next((r for r in model.rules if r["leaf"] == leaf), None)
    if rule is None:
        return None
    names = _Names(rule["conditions"])
    return CaseRiskView(
        share=rule["share"],
        flagged=rule["share"] >= model.threshold,
        reasons=[names.say(c) for c in rule["conditions"]],
        version=model.version,
        cases=rule["cases"],
    )


def flagged_cases(*, actor: Actor, limit: int = 50) -> list[Case]:
    """The open cases at risk that the actor may see, the soonest due first: the work list of a
    supervisor who can still do something about them."""
    return list(
        visible_cases(actor)
        .filter(is_open=True, risk__flagged=True, due_date__gte=today())
        .select_related("service", "department")
        .order_by("due_date", "reference")[:limit]
    )
