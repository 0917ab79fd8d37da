"""The surveys API: an integrating system loads a survey and reads its results, as figures."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import OPERATOR
from tests.surveys.conftest import full_answers, load, survey_data
from ventanilla.access.actors import Actor
from ventanilla.access.services import apikey_create
from ventanilla.audit.actions import Action
from ventanilla.audit.models import AuditEntry
from ventanilla.surveys.models import Survey
from ventanilla.surveys.services import survey_respond

pytestmark = pytest.mark.django_db


def _client(*scopes: str) -> Client:
    _key, secret = apikey_create(
        actor=OPERATOR, name="participa", agency_code="ayto", scopes=list(scopes)
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")


def test_a_survey_is_loaded_whole_or_refused_with_the_reason(town: Any) -> None:
    client = _client("catalog:manage", "analytics:read")
    created = client.post("/api/v1/surveys", survey_data(), content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["questions"] == 6 and body["agency"] == "ayto"

    unknown = client.post(
        "/api/v1/surveys", survey_data(colour="blue"), content_type="application/json"
    )
    assert unknown.status_code == 422
    assert unknown["Content-Type"].startswith("application/problem+json")
    assert "colour" in unknown.content.decode()

    bad = survey_data()
    bad["questions"][1]["show_if"] = {"question": 5, "option": 1}
    refused = client.post("/api/v1/surveys", bad, content_type="application/json")
    assert refused.status_code == 422
    assert "Question 2" in refused.content.decode()
    assert Survey.objects.count() == 1

    listed = client.get("/api/v1/surveys").json()
    assert [s["title_en"] for s in listed] == ["Neighbourhood parks"]
    assert listed[0]["responses"] == 0


def test_results_are_figures_with_small_cells_hidden(town: Any, settings: Any) -> None:
    settings.VENTANILLA_SMALL_CELL_THRESHOLD = 2
    survey = load(anonymous=True, once_per_person=False)
    for text in ("Más bancos a la sombra", "Más bancos y sombra", "Bancos nuevos y sombra"):
        survey_respond(
            actor=Actor(label="anonymous"), survey_id=survey.pk, answers=full_answers(survey, text)
        )
    results = _client("analytics:read").get(f"/api/v1/surveys/{survey.pk}/results")
    assert results.status_code == 200
    body = results.json()
    assert body["responses"] == 3
    first = body["questions"][0]
    assert first["text"] == "Do you use the parks?"
    assert [(r["label"], r["count"]) for r in first["rows"]] == [("Yes", 3), ("No", 0)]
    text = body["questions"][-1]
    assert text["topics"] and "bancos" in text["topics"][0]["words"]
    assert "Más bancos a la sombra" not in results.content.decode()


def test_without_the_scope_the_caller_is_told_which_permission(town: Any) -> None:
    client = _client("cases:read")
    refused = client.post("/api/v1/surveys", survey_data(), content_type="application/json")
    assert refused.status_code == 403
    assert refused["Content-Type"].startswith("application/problem+json")
    assert client.get("/api/v1/surveys").status_code == 403


def test_the_list_hides_a_small_number_of_responses_and_results_read_no_answer(
    town: Any, settings: Any
) -> None:
    settings.VENTANILLA_SMALL_CELL_THRESHOLD = 5
    survey = load(anonymous=True, once_per_person=False)
    survey_respond(
        actor=Actor(label="anonymous"), survey_id=survey.pk, answers=full_answers(survey)
    )
    client = _client("analytics:read", "parties:read")

    [listed] = client.get("/api/v1/surveys").json()
    results = client.get(f"/api/v1/surveys/{survey.pk}/results").json()

    assert listed["responses"] is None and listed["questions"] == survey.questions.count()
    assert results["responses"] is None
    # The API gives no free-text answer, so none is recorded as read.
    assert not AuditEntry.objects.filter(action=Action.SURVEY_ANSWERS_READ).exists()
