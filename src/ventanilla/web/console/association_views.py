"""/console/analytics/associations/: the services that follow each other, as the last nightly
run found them, for managers and analysts: a table and its CSV. Counts only, never a person."""

from __future__ import annotations

import csv
import io

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.associations.models import ServiceAssociation
from ventanilla.associations.selectors import last_run, rules_of_run
from ventanilla.web.console.views import staff_view


def _csv(rules: list[ServiceAssociation], number: int) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            _("Service asked for first"),
            _("Service asked for next"),
            _("People who asked for the first"),
            _("Of them, asked for the next"),
            _("Confidence"),
            _("Lift"),
        ]
    )
    for rule in rules:
        writer.writerow(
            [
                rule.antecedent.name,
                rule.consequent.name,
                rule.with_antecedent,
                rule.with_both,
                f"{rule.confidence:.3f}",
                f"{rule.lift:.2f}",
            ]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="associations-{number}.csv"'
    return response


@staff_view
def associations(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The rules of the last run, strongest first, or how a run comes to be."""
    run = last_run(actor=actor)
    rules = rules_of_run(actor=actor, run=run) if run is not None else []
    if run is not None and request.GET.get("format") == "csv":
        return _csv(rules, run.number)
    return render(
        request,
        "console/associations.html",
        {
            "run": run,
            "rules": rules,
            "hour": f"{settings.VENTANILLA_ASSOCIATION_HOUR:02d}",
            "window": run.window_days if run else settings.VENTANILLA_ASSOCIATION_WINDOW_DAYS,
            "threshold": run.min_people if run else settings.VENTANILLA_SMALL_CELL_THRESHOLD,
            "confidence": round(
                100
                * (run.min_confidence if run else settings.VENTANILLA_ASSOCIATION_MIN_CONFIDENCE)
            ),
        },
    )
