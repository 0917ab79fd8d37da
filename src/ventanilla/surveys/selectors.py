"""Reads of surveys: those open to the public now, one survey to answer, the surveys of a member
of staff's agencies, and a survey's results: counts per option with small cells hidden, and its
free-text answers grouped by topic, the answers themselves only for staff who read people."""

from __future__ import annotations

import json
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, OuterRef, QuerySet, Subquery, TextField
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.guards import refuse
from ventanilla.access.models import Scope
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_record
from ventanilla.core.errors import NotFound
from ventanilla.surveys.models import (
    Answer,
    Participation,
    Question,
    Response,
    SealedResponse,
    Survey,
)
from ventanilla.surveys.services import voter_hash
from ventanilla.surveys.topics import Topic, topics_of


def surveys_open() -> QuerySet[Survey]:
    """The surveys taking answers now, those closing soonest first."""
    now = timezone.now()
    return (
        Survey.objects.filter(opens_at__lte=now, closes_at__gt=now)
        .select_related("agency")
        .order_by("closes_at", "title_es")
    )


def survey_published(*, survey_id: Any) -> Survey:
    """A survey whose opening has come (open or closed since), with its questions."""
    survey = (
        Survey.objects.filter(pk=survey_id, opens_at__lte=timezone.now())
        .select_related("agency")
        .first()
    )
    if survey is None:
        raise NotFound(_("No such survey, or it is not open yet."))
    return survey


def questions_of(survey: Survey) -> list[Question]:
    return list(survey.questions.select_related("condition_question").order_by("position"))


def already_answered(*, actor: Actor, survey: Survey) -> bool:
    """Whether the signed-in citizen has answered a survey that takes one answer each."""
    if not actor.is_citizen or not survey.once_per_person:
        return False
    if survey.anonymous:
        voter = voter_hash(survey_id=survey.pk, party_id=actor.party_id)
        return Participation.objects.filter(survey=survey, voter=voter).exists()
    return Response.objects.filter(survey=survey, party_id=str(actor.party_id)).exists()


def _may_read_results(actor: Actor) -> bool:
    return actor.can(Scope.ANALYTICS_READ) or actor.can(Scope.CATALOG_MANAGE)


def surveys_of_actor(*, actor: Actor) -> list[Survey]:
    """The surveys of the actor's agencies, newest first, each with its number of responses
    (``answered``) and of questions (``question_count``)."""
    if not _may_read_results(actor):
        refuse(actor, detail={"scope": Scope.ANALYTICS_READ})
    sealed = (
        SealedResponse.objects.filter(survey=OuterRef("pk"))
        .values("survey")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = Survey.objects.select_related("agency").annotate(
        # Anonymous answers still sealed count all the same.
        answered=Count("responses", distinct=True) + Coalesce(Subquery(sealed), 0),
        question_count=Count("questions", distinct=True),
    )
    if not actor.sees_everything:
        rows = rows.filter(agency_id__in=list(actor.agency_ids))
    return list(rows.order_by("-opens_at")[:200])


@dataclass
class Row:
    label: str
    count: int | None
    percent: float | None = None
    mean: float | None = None


@dataclass
class QuestionResult:
    question: Question
    answered: int | None
    rows: list[Row] = field(default_factory=list)
    mean: float | None = None
    topics: list[Topic] = field(default_factory=list)
    # Free-text topics counted but told in words only, or the answers too.
    examples_shown: bool = False
    hidden_topics: int = 0


@dataclass
class Results:
    survey: Survey
    responses: int | None
    questions: list[QuestionResult]
    threshold: int


def _suppressed(counts: list[int], threshold: int) -> list[int | None]:
    """Counts below the threshold hidden, and when exactly one is hidden the smallest shown one
    too, so that none can be worked out from the total (as the dashboards do)."""
    shown: list[int | None] = [None if 0 < c < threshold else c for c in counts]
    hidden = [i for i, c in enumerate(shown) if c is None]
    others = [i for i, c in enumerate(shown) if c]
    if len(hidden) == 1 and others:
        shown[min(others, key=lambda i: counts[i])] = None
    return shown


def _percent(count: int | None, total: int) -> float | None:
    return None if count is None or total == 0 else round(100 * count / total, 1)


def _counted(question: Question, values: list[Any], threshold: int) -> QuestionResult:
    answered = len(values)
    result = QuestionResult(
        question=question, answered=answered if answered >= threshold or not answered else None
    )
    if answered < threshold and answered:
        return result
    kind = question.kind
    options = question.options
    if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        tally: Counter[int] = Counter()
        for value in values:
            tally.update(value if isinstance(value, list) else [value])
        counts = [tally[i] for i in range(len(options))]
        labels = options
    elif kind == Question.Kind.SCALE:
        tally = Counter(values)
        counts = [tally[i] for i in question.scale]
        labels = [str(i) for i in question.scale]
        result.mean = round(sum(values) / answered, 2) if answered else None
    elif kind == Question.Kind.RANKING:
        # How many put each option first, and each option's mean place.
        counts = [sum(1 for v in values if v[i] == 1) for i in range(len(options))]
        labels = options
        means = [
            round(sum(v[i] for v in values) / answered, 2) if answered else None
            for i in range(len(options))
        ]
        result.rows = [
            Row(label=label, count=count, percent=_percent(count, answered), mean=mean)
            for label, count, mean in zip(
                labels, _suppressed(counts, threshold), means, strict=True
            )
        ]
        return result
    elif kind == Question.Kind.MATRIX:
        # Each row: how many answered it and their mean on the scale.
        for index, label in enumerate(options):
            scores = [v[index] for v in values if v[index] is not None]
            count = len(scores)
            shown = count if count >= threshold or count == 0 else None
            mean = round(sum(scores) / count, 2) if shown else None
            result.rows.append(
                Row(label=label, count=shown, percent=_percent(shown, answered), mean=mean)
            )
        return result
    else:
        return result
    result.rows = [
        Row(label=label, count=count, percent=_percent(count, answered))
        for label, count in zip(labels, _suppressed(counts, threshold), strict=True)
    ]
    return result


def _answers_by_question(survey: Survey) -> dict[Any, list[Any]]:
    """Every answer kept to the survey, by question: read as the text the database holds and
    decoded in one call, not value by value and id by id, which cost most of a long
    consultation's results."""
    rows = list(
        Answer.objects.filter(response__survey=survey)
        .annotate(of=Cast("question_id", TextField()), text=Cast("value", TextField()))
        .values_list("of", "text")
    )
    decoded = json.loads("[" + ",".join(text for _of, text in rows) + "]")
    values: dict[Any, list[Any]] = defaultdict(list)
    ids: dict[str, uuid.UUID] = {}
    for (of, _text), value in zip(rows, decoded, strict=True):
        question_id = ids.get(of) or ids.setdefault(of, uuid.UUID(of))
        values[question_id].append(value)
    return values


def survey_results(*, actor: Actor, survey_id: Any, with_answers: bool = True) -> Results:
    """A survey's results for staff of its agency who read aggregates or manage the catalogue.
    Free-text answers are grouped by topic; the answers themselves are shown only to staff who
    read people (they may name someone), and that reading is recorded. A door that shows no
    answer (the API gives topics only) asks ``with_answers=False``: none is read, none is
    recorded."""
    if not _may_read_results(actor):
        refuse(actor, detail={"scope": Scope.ANALYTICS_READ})
    survey = Survey.objects.select_related("agency").filter(pk=survey_id).first()
    if survey is None or not actor.sees_agency(survey.agency_id):
        raise NotFound(_("No such survey."))
    threshold = settings.VENTANILLA_SMALL_CELL_THRESHOLD
    questions = questions_of(survey)
    responses = Response.objects.filter(survey=survey).count()
    values = _answers_by_question(survey)
    # Anonymous answers still sealed count all the same.
    for answers in SealedResponse.objects.filter(survey=survey).values_list("answers", flat=True):
        responses += 1
        for question_id, value in answers:
            values[uuid.UUID(question_id)].append(value)
    readable = with_answers and actor.can(Scope.PARTIES_READ)
    results = []
    shown_text = False
    for question in questions:
        result = _counted(question, values[question.pk], threshold)
        if question.kind == Question.Kind.TEXT and result.answered:
            for topic in topics_of(values[question.pk], min_answers=threshold):
                if topic.size < threshold:
                    result.hidden_topics += topic.size
                    continue
                if not readable:
                    topic.examples = []
                result.topics.append(topic)
            result.examples_shown = readable
            shown_text = shown_text or (readable and bool(result.topics))
        results.append(result)
    if shown_text:
        audit_record(
            actor=actor,
            action=Action.SURVEY_ANSWERS_READ,
            object_type="survey",
            object_id=survey.pk,
            detail=None,
        )
    return Results(
        survey=survey,
        responses=responses if responses == 0 or responses >= threshold else None,
        questions=results,
        threshold=threshold,
    )
