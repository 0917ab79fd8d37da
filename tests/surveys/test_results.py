"""A survey's results: counts and percentages per option, small cells hidden as on the
dashboards, free-text answers grouped by topic (the answers only for staff who read people),
the console's pages and the CSV of the same figures."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.conftest import sign_in
from tests.surveys.conftest import full_answers, load, questions
from ventanilla.access.actors import Actor, actor_for_user
from ventanilla.audit.models import AuditEntry
from ventanilla.surveys.models import Survey
from ventanilla.surveys.selectors import _suppressed, survey_results
from ventanilla.surveys.services import survey_respond

pytestmark = pytest.mark.django_db

VISITOR = Actor(label="anonymous")
TEXTS = [
    "Faltan bancos a la sombra en el parque",
    "Más bancos y sombra, por favor",
    "Bancos rotos junto a la fuente",
    "Los perros sueltos molestan en el césped",
    "Perros sin correa por todo el césped",
    "Demasiados perros sueltos en el parque",
]


def answered(survey: Survey, uses: list[str]) -> None:
    q = questions(survey)
    for number, use in enumerate(uses):
        answers = {**full_answers(survey, text=TEXTS[number % len(TEXTS)]), str(q[0].pk): use}
        survey_respond(actor=VISITOR, survey_id=survey.pk, answers=answers)


@pytest.fixture
def open_survey(town: Any, settings: Any) -> Survey:
    settings.VENTANILLA_SMALL_CELL_THRESHOLD = 2
    survey = load(anonymous=True, once_per_person=False)
    answered(survey, ["0", "0", "0", "0", "1", "1"])
    return survey


def test_small_cells_are_hidden_with_the_one_that_would_reveal_them() -> None:
    assert _suppressed([10, 1, 7], 5) == [10, None, None]
    assert _suppressed([10, 1, 2, 7], 5) == [10, None, None, 7]
    assert _suppressed([10, 0, 7], 5) == [10, 0, 7]


def test_the_results_count_each_option_with_its_percentage(
    open_survey: Survey, make_staff: Any
) -> None:
    analyst = actor_for_user(make_staff("ana", "ayto", "analyst"))

    results = survey_results(actor=analyst, survey_id=open_survey.pk)

    assert results.responses == 6
    first, which, scale, ranking, matrix, text = results.questions
    assert [(r.label, r.count, r.percent) for r in first.rows] == [
        ("Sí", 4, 66.7),
        ("No", 2, 33.3),
    ]
    # Only the four who use the parks were asked which ones.
    assert which.answered == 4
    assert [(r.label, r.count) for r in which.rows] == [("Norte", 4), ("Sur", 0), ("Ribera", 4)]
    assert scale.mean == 4
    assert [r.count for r in scale.rows] == [0, 0, 0, 6, 0]
    assert [(r.label, r.count, r.mean) for r in ranking.rows] == [
        ("Bancos", 0, 2.0),
        ("Fuentes", 6, 1.0),
        ("Sombra", 0, 3.0),
    ]
    assert [(r.label, r.count, r.mean) for r in matrix.rows] == [
        ("Iluminación", 6, 3.0),
        ("Juegos", 0, None),
    ]
    assert text.answered == 6


def test_free_text_is_grouped_by_topic_and_analysts_see_words_and_counts_only(
    open_survey: Survey, make_staff: Any
) -> None:
    analyst = actor_for_user(make_staff("ana", "ayto", "analyst"))

    text = survey_results(actor=analyst, survey_id=open_survey.pk).questions[-1]

    assert sorted(topic.size for topic in text.topics) == [3, 3]
    words = [set(topic.words) for topic in text.topics]
    assert any("bancos" in w for w in words)
    assert any("perros" in w for w in words)
    assert all(topic.examples == [] for topic in text.topics)
    assert not AuditEntry.objects.filter(action="survey.answers_read").exists()


def test_staff_who_read_people_see_example_answers_and_the_reading_is_recorded(
    open_survey: Survey, make_staff: Any
) -> None:
    supervisor = actor_for_user(make_staff("jefa", "ayto", "supervisor"))

    text = survey_results(actor=supervisor, survey_id=open_survey.pk).questions[-1]

    examples = [e for topic in text.topics for e in topic.examples]
    assert "Perros sin correa por todo el césped" in examples
    assert AuditEntry.objects.filter(action="survey.answers_read").count() == 1


def test_a_survey_with_fewer_responses_than_the_threshold_shows_no_counts(
    town: Any, make_staff: Any
) -> None:
    survey = load(anonymous=True, once_per_person=False)
    answered(survey, ["0", "1"])  # threshold 5

    results = survey_results(
        actor=actor_for_user(make_staff("ana", "ayto", "analyst")), survey_id=survey.pk
    )

    assert results.responses is None
    assert all(q.answered is None and q.rows == [] for q in results.questions)
    assert results.questions[-1].topics == []
    # The page says there are too few to show, not that there are none.
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), make_staff("luis", "ayto", "analyst"))
    page = client.get(f"/console/surveys/{survey.pk}/").content.decode()
    assert "Too few answers yet to show how they split." in page
    assert "No answers to count yet." not in page


def test_reading_the_results_costs_the_same_few_queries_however_many_answers(
    open_survey: Survey, make_staff: Any
) -> None:
    analyst = actor_for_user(make_staff("ana", "ayto", "analyst"))
    with CaptureQueriesContext(connection) as few:
        survey_results(actor=analyst, survey_id=open_survey.pk)
    answered(open_survey, ["0"] * 20)
    with CaptureQueriesContext(connection) as many:
        survey_results(actor=analyst, survey_id=open_survey.pk)
    assert len(few) == len(many) <= 5


def test_staff_of_another_agency_do_not_see_the_results(
    open_survey: Survey, make_staff: Any
) -> None:
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), make_staff("otra", "salud", "analyst"))
    assert client.get(f"/console/surveys/{open_survey.pk}/").status_code == 404
    assert open_survey.title_es not in client.get("/console/surveys/").content.decode()


def test_the_console_page_draws_bars_and_a_table(open_survey: Survey, make_staff: Any) -> None:
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), make_staff("ana", "ayto", "analyst"))

    listing = client.get("/console/surveys/").content.decode()
    page = client.get(f"/console/surveys/{open_survey.pk}/").content.decode()

    assert f'href="/console/surveys/{open_survey.pk}/"' in listing
    assert '<meter min="0" max="4" value="4"></meter> <span class="bar-value">4 (66.7%)' in page
    assert '<th scope="row">Yes</th>' in page
    assert "6 responses" in page
    assert "only staff who read people" in page


def test_the_csv_holds_the_aggregated_figures(open_survey: Survey, make_staff: Any) -> None:
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), make_staff("ana", "ayto", "analyst"))

    response = client.get(f"/console/surveys/{open_survey.pk}/results.csv")

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Question", "Answer", "People", "Percentage", "Mean", "Words"]
    assert ["1. Do you use the parks?", "No", "2", "33.3", "", ""] in rows
    assert any(row[1] == "Topic 1" and row[2] == "3" for row in rows)
    assert not any("Perros sin correa" in cell for row in rows for cell in row)
