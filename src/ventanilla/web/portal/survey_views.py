"""Surveys in the portal: the list of those open now, a survey's one-page form (conditional
questions shown and hidden by a small script, all shown with their condition in words without
it, and checked on the server either way), and the thanks. A survey that takes one answer per
person, or links answers to the person, asks the citizen to sign in first."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods

from ventanilla.access.actors import Actor
from ventanilla.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from ventanilla.surveys.models import Question, Survey
from ventanilla.surveys.selectors import (
    already_answered,
    questions_of,
    survey_published,
    surveys_open,
)
from ventanilla.surveys.services import survey_respond
from ventanilla.web.portal.notice_views import _signed_in
from ventanilla.web.portal.views import _to_sign_in


def surveys(request: HttpRequest) -> HttpResponse:
    """The surveys open now."""
    return render(request, "portal/surveys.html", {"surveys": list(surveys_open())})


def answers_from(post: QueryDict, questions: list[Question]) -> dict[str, Any]:
    """The form's fields as the service takes them: one value, or a list, per question."""
    answers: dict[str, Any] = {}
    for question in questions:
        name = f"q-{question.pk}"
        if question.kind == Question.Kind.MULTIPLE:
            answers[str(question.pk)] = post.getlist(name)
        elif question.kind in (Question.Kind.RANKING, Question.Kind.MATRIX):
            answers[str(question.pk)] = [
                post.get(f"{name}-{index}", "") for index in range(len(question.options_es))
            ]
        else:
            answers[str(question.pk)] = post.get(name, "")
    return answers


def _survey(survey_id: UUID) -> Survey:
    try:
        return survey_published(survey_id=survey_id)
    except NotFound as missing:
        raise Http404(missing.message) from missing


@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, survey_id: UUID) -> HttpResponse:
    """A survey's form; sent, the answers are kept and the person thanked."""
    found = _survey(survey_id)
    citizen: Actor | None = _signed_in(request)
    if found.is_open() and found.needs_sign_in and citizen is None:
        return _to_sign_in(request)
    questions = questions_of(found)
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        answers = answers_from(request.POST, questions)
        try:
            survey_respond(
                actor=citizen or Actor(label="anonymous"), survey_id=found.pk, answers=answers
            )
        except ValidationFailed as failure:
            errors, status = failure.errors, 422
        except Conflict as clash:
            errors, status = {"survey": clash.message}, 409
        except PermissionDenied as denied:
            raise DjangoPermissionDenied(denied.message) from denied
        else:
            return redirect("portal:survey-thanks", survey_id=found.pk)
    context = {
        "survey": found,
        "questions": [_shown(question, answers, errors) for question in questions],
        "errors": errors,
        "answered": citizen is not None and already_answered(actor=citizen, survey=found),
        "is_open": found.is_open(),
        "municipality": settings.VENTANILLA_MUNICIPALITY,
    }
    response = render(request, "portal/survey.html", context, status=status)
    if citizen is not None:
        add_never_cache_headers(response)
    return response


def _shown(question: Question, answers: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    """What the template needs of one question: its fields' names, what was given, its error."""
    given = answers.get(str(question.pk))
    name = f"q-{question.pk}"
    items = list(enumerate(question.options))
    entry: dict[str, Any] = {
        "question": question,
        "name": name,
        "error": errors.get(str(question.pk), ""),
        "given": "" if given is None or isinstance(given, list) else str(given),
        "given_list": [str(v) for v in given] if isinstance(given, list) else [],
        "options": [(str(i), label) for i, label in items],
        "scale": [str(v) for v in question.scale],
    }
    if question.kind in (Question.Kind.RANKING, Question.Kind.MATRIX):
        previous = given if isinstance(given, list) else []
        entry["rows"] = [
            {
                "name": f"{name}-{i}",
                "label": label,
                "given": str(previous[i]) if i < len(previous) else "",
            }
            for i, label in items
        ]
        entry["places"] = [str(p) for p in range(1, len(items) + 1)]
    if question.condition_question_id is not None:
        entry["condition_name"] = f"q-{question.condition_question_id}"
        entry["condition_value"] = str((question.condition_option or 1) - 1)
        entry["condition_position"] = question.condition_question.position  # type: ignore[union-attr]
    return entry


def survey_thanks(request: HttpRequest, survey_id: UUID) -> HttpResponse:
    return render(request, "portal/survey_thanks.html", {"survey": _survey(survey_id)})
