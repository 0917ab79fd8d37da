"""Surveys in the portal: the list, the one-page form with and without signing in, the
conditions in words for a page without its script, errors per question, and the thanks; and
loading a survey from a file at the command line."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from tests.conftest import portal_client
from tests.surveys.conftest import load, questions, survey_data
from ventanilla.interactions.models import Interaction
from ventanilla.parties.models import Party
from ventanilla.surveys.models import Response, SealedResponse, Survey

pytestmark = pytest.mark.django_db


def form(survey: Survey, **changes: Any) -> dict[str, Any]:
    q = questions(survey)
    data: dict[str, Any] = {
        f"q-{q[0].pk}": "0",
        f"q-{q[1].pk}": ["0", "2"],
        f"q-{q[2].pk}": "4",
        f"q-{q[3].pk}-0": "2",
        f"q-{q[3].pk}-1": "1",
        f"q-{q[3].pk}-2": "3",
        f"q-{q[4].pk}-0": "3",
        f"q-{q[5].pk}": "Más sombra",
    }
    data.update(changes)
    return data


def test_the_list_shows_the_surveys_open_now_only(town: Any) -> None:
    now = timezone.now()
    load(title_es="Abierta", title_en="Open one")
    load(
        title_es="Futura",
        title_en="Future one",
        opens_at=(now + timedelta(days=1)).isoformat(),
        closes_at=(now + timedelta(days=2)).isoformat(),
    )
    load(
        title_es="Cerrada",
        title_en="Closed one",
        opens_at=(now - timedelta(days=3)).isoformat(),
        closes_at=(now - timedelta(days=1)).isoformat(),
    )

    page = Client(HTTP_ACCEPT_LANGUAGE="en").get("/portal/surveys/").content.decode()

    assert "Open one" in page
    assert "Future one" not in page
    assert "Closed one" not in page


def test_an_anonymous_survey_is_answered_without_signing_in(town: Any) -> None:
    survey = load(anonymous=True, once_per_person=False)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")

    page = client.get(f"/portal/surveys/{survey.pk}/").content.decode()
    assert "Which parks?" in page
    # Without the page's script every question is shown, its condition said in words.
    assert "Answer only if you chose “Yes” in question 1." in page
    assert 'src="/static/js/surveys.js"' in page
    assert ">None</textarea>" not in page

    response = client.post(f"/portal/surveys/{survey.pk}/", form(survey))

    assert response.status_code == 302
    assert response["Location"] == f"/portal/surveys/{survey.pk}/thanks/"
    assert not Response.objects.exists()  # sealed, to be mixed with others before it counts
    assert SealedResponse.objects.filter(survey=survey).count() == 1
    thanks = client.get(response["Location"]).content.decode()
    assert "counted without being linked to you" in thanks


def test_a_wrong_answer_comes_back_with_its_error_beside_the_question(town: Any) -> None:
    survey = load(anonymous=True, once_per_person=False)
    q = questions(survey)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")

    response = client.post(f"/portal/surveys/{survey.pk}/", form(survey, **{f"q-{q[3].pk}-1": "2"}))

    page = response.content.decode()
    assert response.status_code == 422
    assert f'<p class="error" id="e-q-{q[3].pk}">Give each option a different place' in page
    assert "Más sombra" in page  # what was written is kept
    assert not Response.objects.exists()


def test_an_identified_survey_asks_to_sign_in_first(town: Any) -> None:
    survey = load()
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/portal/surveys/{survey.pk}/")
    assert response.status_code == 302
    assert response["Location"] == "/portal/sign-in/"


def test_a_signed_in_citizen_answers_and_it_shows_on_their_history(
    town: Any, citizen: Party
) -> None:
    survey = load()
    client = portal_client(citizen)

    response = client.post(f"/portal/surveys/{survey.pk}/", form(survey))

    assert response.status_code == 302
    assert Interaction.objects.get(party=citizen).relationship == "consultation"
    again = client.get(f"/portal/surveys/{survey.pk}/").content.decode()
    assert "You have already answered this survey." in again
    second = client.post(f"/portal/surveys/{survey.pk}/", form(survey))
    assert second.status_code == 409
    assert Response.objects.count() == 1


def test_a_closed_survey_says_so_and_takes_no_answer(town: Any, citizen: Party) -> None:
    now = timezone.now()
    survey = load(
        opens_at=(now - timedelta(days=3)).isoformat(),
        closes_at=(now - timedelta(days=1)).isoformat(),
    )
    client = portal_client(citizen)

    assert "This survey is closed." in client.get(f"/portal/surveys/{survey.pk}/").content.decode()
    assert client.post(f"/portal/surveys/{survey.pk}/", form(survey)).status_code == 422
    assert not Response.objects.exists()


def test_a_survey_not_open_yet_is_not_found(town: Any) -> None:
    now = timezone.now()
    survey = load(
        opens_at=(now + timedelta(days=1)).isoformat(),
        closes_at=(now + timedelta(days=2)).isoformat(),
    )
    assert Client().get(f"/portal/surveys/{survey.pk}/").status_code == 404


def test_the_command_loads_a_survey_from_a_file(town: Any, tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "encuesta.json"
    path.write_text(json.dumps(survey_data()), encoding="utf-8")

    call_command("surveys", "load", str(path))

    assert Survey.objects.get().questions.count() == 6
    assert "with 6 questions" in capsys.readouterr().out


def test_the_command_says_what_is_wrong_and_loads_nothing(town: Any, tmp_path: Path) -> None:
    path = tmp_path / "encuesta.json"
    path.write_text(json.dumps(survey_data(agency="nadie")), encoding="utf-8")

    with pytest.raises(CommandError, match="agency"):
        call_command("surveys", "load", str(path))
    assert not Survey.objects.exists()
