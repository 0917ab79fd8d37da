"""API of surveys (at /surveys): load a survey prepared elsewhere (catalogue managers), list the
surveys of the caller's agencies, and read a survey's results as the console shows them —
counts, percentages and means, small cells hidden, free-text answers as topics (their words and
sizes, never the answers themselves)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field

from ventanilla.access.actors import actor_of
from ventanilla.core.problems import PROBLEM_RESPONSES
from ventanilla.surveys.models import Survey
from ventanilla.surveys.selectors import survey_results, surveys_of_actor
from ventanilla.surveys.services import survey_load

router = Router(tags=["surveys"])

Kind = Literal["single", "multiple", "scale", "ranking", "text", "matrix"]


class ConditionIn(Schema):
    model_config = ConfigDict(extra="forbid")
    question: int = Field(description="An earlier question's number, from 1")
    option: int = Field(description="Its option's number, from 1")


class QuestionIn(Schema):
    model_config = ConfigDict(extra="forbid")
    kind: Kind
    text_es: str = Field(max_length=500)
    text_en: str = Field("", max_length=500)
    options_es: list[str] = Field(default_factory=list, description="Options, or a matrix's rows")
    options_en: list[str] = Field(default_factory=list)
    scale_max: int | None = Field(None, description="A scale's or matrix's top (2 to 10)")
    required: bool = False
    show_if: ConditionIn | None = None


class SurveyIn(Schema):
    model_config = ConfigDict(extra="forbid")
    agency: str = Field(description="The code of one of your agencies")
    title_es: str = Field(max_length=200)
    title_en: str = Field("", max_length=200)
    introduction_es: str = ""
    introduction_en: str = ""
    opens_at: datetime
    closes_at: datetime
    anonymous: bool = False
    once_per_person: bool = True
    residents_only: bool = False
    questions: list[QuestionIn] = Field(min_length=1)


class SurveyOut(Schema):
    id: UUID
    agency: str
    title_es: str
    title_en: str
    opens_at: datetime
    closes_at: datetime
    anonymous: bool
    once_per_person: bool
    residents_only: bool
    questions: int


class SurveyListed(SurveyOut):
    responses: int | None = Field(description="Hidden (null) below the small-cell threshold")


class RowOut(Schema):
    label: str
    count: int | None = Field(description="Hidden (null) below the small-cell threshold")
    percent: float | None
    mean: float | None


class TopicOut(Schema):
    size: int
    words: list[str]


class QuestionResultOut(Schema):
    number: int
    kind: str
    text: str
    answered: int | None
    mean: float | None
    rows: list[RowOut]
    topics: list[TopicOut]


class ResultsOut(Schema):
    survey: UUID
    title: str
    responses: int | None
    small_cell_threshold: int
    questions: list[QuestionResultOut]


def _survey_out(survey: Survey, questions: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": survey.pk,
        "agency": survey.agency.code,
        "title_es": survey.title_es,
        "title_en": survey.title_en,
        "opens_at": survey.opens_at,
        "closes_at": survey.closes_at,
        "anonymous": survey.anonymous,
        "once_per_person": survey.once_per_person,
        "residents_only": survey.residents_only,
        "questions": questions,
        **extra,
    }


@router.post(
    "",
    response={201: SurveyOut, **PROBLEM_RESPONSES},
    summary="Load a survey and its questions, all or nothing (catalog:manage)",
    description="The same description `ventanilla surveys load` reads; see docs/operations.md.",
)
def load_survey(request: HttpRequest, payload: SurveyIn) -> Status[dict[str, Any]]:
    loaded = survey_load(
        actor=actor_of(request), data=payload.model_dump(mode="json", exclude_none=True)
    )
    return Status(201, _survey_out(loaded.survey, loaded.questions))


@router.get(
    "",
    response={200: list[SurveyListed], **PROBLEM_RESPONSES},
    summary="The surveys of your agencies, newest first, with their number of responses",
)
def list_surveys(request: HttpRequest) -> object:
    threshold = settings.VENTANILLA_SMALL_CELL_THRESHOLD
    listed = []
    for survey in surveys_of_actor(actor=actor_of(request)):
        answered: int = survey.answered  # type: ignore[attr-defined]  # annotated
        listed.append(
            _survey_out(
                survey,
                survey.question_count,  # type: ignore[attr-defined]  # annotated
                # As on the console: a small number of responses is not told.
                responses=answered if not 0 < answered < threshold else None,
            )
        )
    return listed


@router.get(
    "/{survey_id}/results",
    response={200: ResultsOut, **PROBLEM_RESPONSES},
    summary="A survey's results: counts, percentages and means; free text as topics",
    description=(
        "Counts below `small_cell_threshold` are null, as on the console. Free-text answers "
        "are given as topics (their commonest words and sizes), never as the answers."
    ),
)
def read_results(request: HttpRequest, survey_id: UUID) -> object:
    results = survey_results(actor=actor_of(request), survey_id=survey_id, with_answers=False)
    return {
        "survey": results.survey.pk,
        "title": results.survey.title,
        "responses": results.responses,
        "small_cell_threshold": results.threshold,
        "questions": [
            {
                "number": item.question.position,
                "kind": item.question.kind,
                "text": item.question.text,
                "answered": item.answered,
                "mean": item.mean,
                "rows": [
                    {"label": r.label, "count": r.count, "percent": r.percent, "mean": r.mean}
                    for r in item.rows
                ],
                "topics": [{"size": t.size, "words": t.words} for t in item.topics],
            }
            for item in results.questions
        ],
    }
