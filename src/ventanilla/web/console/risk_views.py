"""/console/analytics/deadline-risk/: the tree that flags open cases likely to be answered late,
explained: what it learns from, how it did on cases it did not see, its rules in words with the
open cases each holds now, and how many are at risk in each department. Supervisors, who see
cases, also get the list of their flagged cases. A CSV of the rules."""

from __future__ import annotations

import csv
import io

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.models import Scope
from ventanilla.risk.selectors import (
    Rule,
    at_risk_by_department,
    flagged_cases,
    model_in_use,
    rules_in_words,
)
from ventanilla.web.console.views import staff_view


def _csv(rules: list[Rule], version: int) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            _("Rule"),
            _("Cases learnt from"),
            _("Answered late"),
            _("Share answered late"),
            _("Flags its cases"),
            _("Open cases now"),
        ]
    )
    for rule in rules:
        writer.writerow(
            [
                "; ".join(rule.conditions),
                rule.cases,
                rule.late,
                f"{rule.share:.3f}",
                _("yes") if rule.flags else _("no"),
                rule.open_now,
            ]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="deadline-risk-v{version}.csv"'
    return response


@staff_view
def deadline_risk(request: HttpRequest, actor: Actor) -> HttpResponse:
    model = model_in_use(actor=actor)
    rules = rules_in_words(actor=actor, model=model) if model is not None else []
    if model is not None and request.GET.get("format") == "csv":
        return _csv(rules, model.version)
    evaluation = model.evaluation if model is not None else {}
    methods = []
    if evaluation:
        for key, label, auc in (
            ("tree", _("The tree"), evaluation["tree_auc"]),
            (
                "by_service",
                _("The service's own share of late cases"),
                evaluation["by_service_auc"],
            ),
            ("none", _("Flagging no case"), 0.5),
        ):
            scores = evaluation[key]
            methods.append(
                {
                    "label": label,
                    "flagged": scores["flagged"],
                    "precision": round(100 * scores["precision"]),
                    "recall": round(100 * scores["recall"]),
                    "accuracy": round(100 * scores["accuracy"]),
                    "auc": auc,
                }
            )
    return render(
        request,
        "console/deadline_risk.html",
        {
            "model": model,
            "rules": rules,
            "methods": methods,
            "evaluation": evaluation,
            "late_percent": round(100 * model.late / model.cases) if model and model.cases else 0,
            "held_out_percent": round(100 * evaluation["late_share"]) if evaluation else 0,
            "threshold": round(
                100 * (model.threshold if model else settings.VENTANILLA_DEADLINE_RISK_THRESHOLD)
            ),
            "hour": f"{settings.VENTANILLA_DEADLINE_RISK_HOUR:02d}",
            "departments": at_risk_by_department(actor=actor, model=model) if model else [],
            "cases": flagged_cases(actor=actor)
            if model is not None and actor.can(Scope.CASES_READ)
            else None,
        },
    )
