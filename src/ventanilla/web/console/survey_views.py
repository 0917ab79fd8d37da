"""Survey results in the console, /console/surveys/: the surveys of the staff member's
agencies, and each one's results — counts and percentages per option as bars with a table
beside them, small cells hidden as on the dashboards, a CSV of the same figures, and the
free-text answers grouped by topic (the answers themselves for staff who read people)."""

from __future__ import annotations

import csv
import io
from uuid import UUID

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.core.errors import NotFound
from ventanilla.surveys.models import Question
from ventanilla.surveys.selectors import Results, survey_results, surveys_of_actor
from ventanilla.web.console.views import staff_view


@staff_view
def survey_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    context = {
        "surveys": surveys_of_actor(actor=actor),
        "threshold": settings.VENTANILLA_SMALL_CELL_THRESHOLD,
    }
    return render(request, "console/surveys.html", context)


def _results(actor: Actor, survey_id: UUID) -> Results:
    try:
        return survey_results(actor=actor, survey_id=survey_id)
    except NotFound as missing:
        raise Http404(missing.message) from missing


@staff_view
def survey_detail(request: HttpRequest, actor: Actor, survey_id: UUID) -> HttpResponse:
    results = _results(actor, survey_id)
    figures = []
    for item in results.questions:
        shown = [row.count for row in item.rows if row.count is not None]
        figures.append({"result": item, "top": max(shown, default=0) or 1})
    context = {"results": results, "figures": figures, "threshold": results.threshold}
    return render(request, "console/survey.html", context)


@staff_view
def survey_csv(request: HttpRequest, actor: Actor, survey_id: UUID) -> HttpResponse:
    """The aggregated results, one line per option (or row, or topic), small cells hidden."""
    results = _results(actor, survey_id)
    hidden = _("fewer than %(n)s people") % {"n": results.threshold}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [_("Question"), _("Answer"), _("People"), _("Percentage"), _("Mean"), _("Words")]
    )
    for item in results.questions:
        question = item.question
        label = f"{question.position}. {question.text}"
        for row in item.rows:
            writer.writerow(
                [
                    label,
                    row.label,
                    hidden if row.count is None else row.count,
                    "" if row.percent is None else row.percent,
                    "" if row.mean is None else row.mean,
                    "",
                ]
            )
        if question.kind == Question.Kind.TEXT:
            for number, topic in enumerate(item.topics, start=1):
                writer.writerow(
                    [
                        label,
                        _("Topic %(n)d") % {"n": number},
                        topic.size,
                        "",
                        "",
                        " ".join(topic.words),
                    ]
                )
        if item.mean is not None:
            writer.writerow([label, _("Mean"), "", "", item.mean, ""])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="survey-{results.survey.pk}.csv"'
    return response
