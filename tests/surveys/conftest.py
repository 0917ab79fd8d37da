"""A survey of every kind of question, loaded as an administration would load one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.factories import make_party
from ventanilla.access.actors import Actor, actor_for_citizen, actor_for_user
from ventanilla.parties.models import Party
from ventanilla.surveys.models import Question, Response, SealedResponse, Survey
from ventanilla.surveys.services import survey_load

OPERATOR = Actor(label="command:test", sees_everything=True)


def survey_data(**overrides: Any) -> dict[str, Any]:
    now = timezone.now()
    data: dict[str, Any] = {
        "agency": "ayto",
        "title_es": "Parques del barrio",
        "title_en": "Neighbourhood parks",
        "introduction_es": "Queremos saber qué opina.",
        "opens_at": (now - timedelta(days=1)).isoformat(),
        "closes_at": (now + timedelta(days=7)).isoformat(),
        "anonymous": False,
        "once_per_person": True,
        "questions": [
            {
                "kind": "single",
                "text_es": "¿Usa los parques?",
                "text_en": "Do you use the parks?",
                "options_es": ["Sí", "No"],
                "options_en": ["Yes", "No"],
                "required": True,
            },
            {
                "kind": "multiple",
                "text_es": "¿Qué parques?",
                "text_en": "Which parks?",
                "options_es": ["Norte", "Sur", "Ribera"],
                "show_if": {"question": 1, "option": 1},
                "required": True,
            },
            {"kind": "scale", "text_es": "Limpieza", "text_en": "Cleanliness", "scale_max": 5},
            {
                "kind": "ranking",
                "text_es": "Ordene las mejoras",
                "options_es": ["Bancos", "Fuentes", "Sombra"],
            },
            {
                "kind": "matrix",
                "text_es": "Valore",
                "options_es": ["Iluminación", "Juegos"],
                "scale_max": 4,
            },
            {"kind": "text", "text_es": "¿Algo más?", "text_en": "Anything else?"},
        ],
    }
    data.update(overrides)
    return data


def answers_given(survey: Survey) -> int:
    """Every answer given to the survey, counted or still sealed."""
    return (
        Response.objects.filter(survey=survey).count()
        + SealedResponse.objects.filter(survey=survey).count()
    )


def load(**overrides: Any) -> Survey:
    return survey_load(actor=OPERATOR, data=survey_data(**overrides)).survey


def questions(survey: Survey) -> list[Question]:
    return list(survey.questions.order_by("position"))


def full_answers(survey: Survey, text: str = "Más bancos") -> dict[str, Any]:
    q = questions(survey)
    return {
        str(q[0].pk): "0",
        str(q[1].pk): ["0", "2"],
        str(q[2].pk): "4",
        str(q[3].pk): ["2", "1", "3"],
        str(q[4].pk): ["3", ""],
        str(q[5].pk): text,
    }


@pytest.fixture
def survey(town: dict[str, Any]) -> Survey:
    return load()


@pytest.fixture
def citizen(make_staff: Any) -> Party:
    return make_party(actor_for_user(make_staff("alta", "ayto", "agent")))


@pytest.fixture
def citizen_actor(citizen: Party) -> Actor:
    return actor_for_citizen(citizen)
