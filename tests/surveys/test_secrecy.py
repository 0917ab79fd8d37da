"""Anonymous answers against someone who reads the database's own bookkeeping or the times: a
counted answer was not written by the transaction that kept its giver's once-per-person hash,
carries the time it was mixed rather than the time it was given, and the answers do not lie in
the order they were given. A closed survey's last answers are mixed however few."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from tests.factories import make_party
from tests.surveys.conftest import answers_given, full_answers, load
from ventanilla.access.actors import Actor, actor_for_citizen, actor_for_user
from ventanilla.surveys.jobs import mix_closed_surveys
from ventanilla.surveys.models import Answer, Participation, Response, SealedResponse, Survey
from ventanilla.surveys.selectors import survey_results
from ventanilla.surveys.services import survey_respond

pytestmark = pytest.mark.django_db


def texts_in_stored_order(survey: Survey) -> list[str]:
    """The free-text answers of the counted responses in the order the responses lie in their
    table (SQLite's row ids, PostgreSQL's physical places)."""
    place = "ctid" if connection.vendor == "postgresql" else "rowid"
    table = Response._meta.db_table
    order = [
        response.pk
        for response in Response.objects.raw(
            f"SELECT * FROM {table} ORDER BY {place}"  # noqa: S608
        )
    ]
    texts = dict(
        Answer.objects.filter(response__survey=survey, question__kind="text").values_list(
            "response_id", "value"
        )
    )
    return [texts[key] for key in order]


def test_anonymous_answers_wait_sealed_then_join_the_count_shuffled_at_one_time(
    town: Any, settings: Any, make_staff: Any
) -> None:
    settings.VENTANILLA_SEALED_MIX_SIZE = 10
    survey = load(anonymous=True, once_per_person=False)
    visitor = Actor(label="anonymous")
    given = [
        f"Texto {n:02d}: {topic}"
        for n, topic in enumerate(
            ["más bancos", "perros sueltos", "fuente rota", "poca sombra", "césped seco"] * 2
        )
    ]
    before = timezone.now()

    for text in given[:9]:
        survey_respond(actor=visitor, survey_id=survey.pk, answers=full_answers(survey, text))
    assert not Response.objects.exists()
    assert SealedResponse.objects.filter(survey=survey).count() == 9
    # Counted all the same by the results the staff read.
    reader = actor_for_user(make_staff("lectora", "ayto", "analyst"))
    assert survey_results(actor=reader, survey_id=survey.pk).responses == 9

    survey_respond(actor=visitor, survey_id=survey.pk, answers=full_answers(survey, given[9]))

    assert not SealedResponse.objects.exists()
    stored = texts_in_stored_order(survey)
    assert sorted(stored) == given
    # Ten different answers keep the order given by chance once in 3.6 million.
    assert stored != given
    times = set(Response.objects.values_list("submitted_at", flat=True))
    assert len(times) == 1 and times.pop() >= before
    assert answers_given(survey) == 10


def test_no_counted_answer_shares_a_transaction_with_who_took_part(
    town: Any, settings: Any, make_staff: Any
) -> None:
    settings.VENTANILLA_SEALED_MIX_SIZE = 4
    survey = load(anonymous=True, once_per_person=True)
    staff = actor_for_user(make_staff("alta", "ayto", "agent"))
    for _ in range(8):
        citizen = actor_for_citizen(make_party(staff))
        survey_respond(actor=citizen, survey_id=survey.pk, answers=full_answers(survey))

    assert Response.objects.filter(survey=survey).count() == 8
    assert not SealedResponse.objects.exists()
    if connection.vendor != "postgresql":
        # SQLite keeps no transaction on a row: its row order is the test above.
        return

    def transactions(table: str) -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT DISTINCT xmin::text FROM {table}")  # noqa: S608
            return {row[0] for row in cursor.fetchall()}

    counted = transactions(Response._meta.db_table)
    assert len(counted) == 2  # two mixes of four
    assert counted.isdisjoint(transactions(Participation._meta.db_table))


def test_a_closed_surveys_last_answers_are_mixed_by_the_hourly_job(town: Any) -> None:
    survey = load(anonymous=True, once_per_person=False)
    visitor = Actor(label="anonymous")
    for _ in range(3):
        survey_respond(actor=visitor, survey_id=survey.pk, answers=full_answers(survey))
    assert SealedResponse.objects.count() == 3

    mix_closed_surveys.call()  # still open: they wait for more
    assert SealedResponse.objects.count() == 3
    Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    result = mix_closed_surveys.call()

    assert result == {"mixed": 3}
    assert not SealedResponse.objects.exists()
    assert Response.objects.filter(survey=survey, party=None).count() == 3
