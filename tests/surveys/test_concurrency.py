"""Racing submits of one person's answers (a double click, two tabs) count once: the database's
unique constraints refuse the second, identified or anonymous alike."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from tests.surveys.conftest import full_answers, load
from ventanilla.access.actors import Actor
from ventanilla.core.errors import Conflict
from ventanilla.interactions.models import Interaction
from ventanilla.surveys.models import Answer, Response
from ventanilla.surveys.services import responses_mix, survey_respond

pytestmark = pytest.mark.django_db(transaction=True)

RUNS = 8


@pytest.mark.parametrize("anonymous", [False, True])
def test_racing_submits_of_one_person_count_exactly_once(
    town: Any, citizen_actor: Actor, anonymous: bool
) -> None:
    survey = load(anonymous=anonymous, once_per_person=True)
    answers = full_answers(survey)
    start = threading.Barrier(RUNS)
    refused: list[Conflict] = []
    failures: list[BaseException] = []

    def run() -> None:
        try:
            start.wait()
            survey_respond(actor=citizen_actor, survey_id=survey.pk, answers=answers)
        except Conflict as clash:
            refused.append(clash)
        except BaseException as failure:  # noqa: BLE001 - reported to the test below
            failures.append(failure)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(RUNS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert len(refused) == RUNS - 1
    responses_mix(survey_id=survey.pk, everything=True)
    assert Response.objects.filter(survey=survey).count() == 1
    assert Answer.objects.filter(response__survey=survey).count() == 6
    assert Interaction.objects.count() == (0 if anonymous else 1)
