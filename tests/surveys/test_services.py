"""Answering a survey: each kind of answer checked, conditional questions, the opening dates,
one answer per person, and what an answer leaves on the person's history (or does not)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone, translation

from tests.factories import make_party
from tests.surveys.conftest import (
    OPERATOR,
    answers_given,
    full_answers,
    load,
    questions,
    survey_data,
)
from ventanilla.access.actors import Actor, actor_for_citizen, actor_for_user
from ventanilla.audit.models import AuditEntry
from ventanilla.core.errors import Conflict, PermissionDenied, ValidationFailed
from ventanilla.interactions.models import Interaction
from ventanilla.merging.services import party_merge
from ventanilla.parties.models import Party
from ventanilla.parties.services import ContactPointInput
from ventanilla.surveys.models import (
    Answer,
    Participation,
    Question,
    Response,
    SealedResponse,
    Survey,
)
from ventanilla.surveys.services import (
    answer_checked,
    responses_mix,
    survey_load,
    survey_respond,
    voter_hash,
)

pytestmark = pytest.mark.django_db


def question(kind: str, **fields: Any) -> Question:
    return Question(kind=kind, text_es="¿?", **fields)


@pytest.mark.parametrize(
    ("kind", "fields", "raw", "kept"),
    [
        ("single", {"options_es": ["a", "b"]}, "1", 1),
        ("multiple", {"options_es": ["a", "b", "c"]}, ["2", "0"], [0, 2]),
        ("scale", {"scale_max": 5}, "5", 5),
        ("ranking", {"options_es": ["a", "b", "c"]}, ["3", "1", "2"], [3, 1, 2]),
        ("matrix", {"options_es": ["a", "b"], "scale_max": 4}, ["4", ""], [4, None]),
        ("text", {}, "  Más sombra  ", "Más sombra"),
    ],
)
def test_a_valid_answer_of_each_kind_is_kept_in_its_plain_form(
    kind: str, fields: dict[str, Any], raw: Any, kept: Any
) -> None:
    assert answer_checked(question(kind, **fields), raw) == (kept, "")


@pytest.mark.parametrize(
    ("kind", "fields", "raw"),
    [
        ("single", {"options_es": ["a", "b"]}, "2"),
        ("single", {"options_es": ["a", "b"]}, "b"),
        ("multiple", {"options_es": ["a", "b"]}, ["0", "0"]),
        ("multiple", {"options_es": ["a", "b"]}, ["5"]),
        ("scale", {"scale_max": 5}, "6"),
        ("scale", {"scale_max": 5}, "0"),
        ("ranking", {"options_es": ["a", "b", "c"]}, ["1", "1", "2"]),
        ("ranking", {"options_es": ["a", "b", "c"]}, ["1", "2"]),
        ("matrix", {"options_es": ["a", "b"], "scale_max": 4}, ["5", "1"]),
        ("matrix", {"options_es": ["a", "b"], "scale_max": 4}, ["1"]),
        ("text", {}, "x" * 2001),
    ],
)
def test_an_answer_that_does_not_fit_its_question_is_refused_with_a_reason(
    kind: str, fields: dict[str, Any], raw: Any
) -> None:
    value, problem = answer_checked(question(kind, **fields), raw)
    assert value is None
    assert problem


def test_a_required_question_left_blank_is_refused_and_an_optional_one_is_not() -> None:
    with translation.override("en"):
        blank = answer_checked(question("text", required=True), "")[1]
    assert blank == "Please answer this question."
    assert answer_checked(question("text"), "") == (None, "")
    assert answer_checked(question("matrix", options_es=["a"], required=True), [""])[1]


def test_errors_come_back_per_question_in_the_readers_language(
    survey: Survey, citizen_actor: Actor
) -> None:
    q = questions(survey)
    answers = {**full_answers(survey), str(q[2].pk): "9"}
    for language, message in (
        ("en", "Choose a number from 1 to 5."),
        ("es", "Elija un número del 1 al 5."),
    ):
        with translation.override(language), pytest.raises(ValidationFailed) as refused:
            survey_respond(actor=citizen_actor, survey_id=survey.pk, answers=answers)
        assert refused.value.errors == {str(q[2].pk): message}
    assert not Response.objects.exists()


def test_an_answer_to_a_question_its_condition_hides_is_dropped(
    survey: Survey, citizen_actor: Actor
) -> None:
    q = questions(survey)
    # "No, I do not use the parks", yet which parks filled in (the page without its script).
    answers = {**full_answers(survey), str(q[0].pk): "1"}

    response = survey_respond(actor=citizen_actor, survey_id=survey.pk, answers=answers)

    kept = dict(Answer.objects.filter(response=response).values_list("question_id", "value"))
    assert q[1].pk not in kept
    assert kept[q[0].pk] == 1


def test_a_required_question_its_condition_hides_need_not_be_answered(
    survey: Survey, citizen_actor: Actor
) -> None:
    q = questions(survey)
    answers = {str(q[0].pk): "1"}  # "No": the required "which parks?" is not asked

    survey_respond(actor=citizen_actor, survey_id=survey.pk, answers=answers)

    assert Response.objects.count() == 1


def test_a_required_question_its_condition_shows_must_be_answered(
    survey: Survey, citizen_actor: Actor
) -> None:
    q = questions(survey)
    with pytest.raises(ValidationFailed) as refused:
        survey_respond(actor=citizen_actor, survey_id=survey.pk, answers={str(q[0].pk): "0"})
    assert list(refused.value.errors) == [str(q[1].pk)]


@pytest.mark.parametrize(
    ("opens", "closes", "message"),
    [
        (timedelta(hours=1), timedelta(days=1), "This survey is not open yet."),
        (-timedelta(days=2), -timedelta(seconds=1), "This survey is closed."),
    ],
)
def test_answers_before_the_opening_or_after_the_closing_are_refused(
    town: Any, citizen_actor: Actor, opens: timedelta, closes: timedelta, message: str
) -> None:
    now = timezone.now()
    survey = load(opens_at=(now + opens).isoformat(), closes_at=(now + closes).isoformat())
    with translation.override("en"), pytest.raises(ValidationFailed) as refused:
        survey_respond(actor=citizen_actor, survey_id=survey.pk, answers=full_answers(survey))
    assert refused.value.errors == {"survey": message}
    assert not Response.objects.exists()


def test_a_person_answers_once_where_the_survey_says_so(
    survey: Survey, citizen_actor: Actor
) -> None:
    survey_respond(actor=citizen_actor, survey_id=survey.pk, answers=full_answers(survey))
    with pytest.raises(Conflict):
        survey_respond(actor=citizen_actor, survey_id=survey.pk, answers=full_answers(survey))
    assert Response.objects.count() == 1
    assert Interaction.objects.count() == 1


def test_an_identified_answer_goes_on_the_persons_history_as_a_consultation(
    survey: Survey, citizen: Party, citizen_actor: Actor
) -> None:
    response = survey_respond(
        actor=citizen_actor, survey_id=survey.pk, answers=full_answers(survey)
    )

    response.refresh_from_db()
    assert response.party_id == citizen.pk
    contact = Interaction.objects.get(party=citizen)
    assert contact.relationship == Interaction.Relationship.CONSULTATION
    assert contact.channel_id == "web"
    assert contact.agency_id == survey.agency_id
    assert "Parques del barrio" in contact.summary
    assert AuditEntry.objects.filter(action="interaction.create", party_id=citizen.pk).exists()


def test_an_anonymous_answer_is_counted_but_linked_to_no_one(
    town: Any, citizen: Party, citizen_actor: Actor
) -> None:
    survey = load(anonymous=True, once_per_person=True)

    sealed = survey_respond(actor=citizen_actor, survey_id=survey.pk, answers=full_answers(survey))

    assert isinstance(sealed, SealedResponse)
    assert {f.name for f in SealedResponse._meta.concrete_fields} == {"id", "survey", "answers"}
    responses_mix(survey_id=survey.pk, everything=True)
    assert Response.objects.get(survey=survey).party_id is None
    # Who took part is kept apart from what they answered, as a hash that names no one.
    [taking_part] = Participation.objects.filter(survey=survey)
    assert taking_part.voter == voter_hash(survey_id=survey.pk, party_id=citizen.pk)
    assert str(citizen.pk) not in taking_part.voter
    assert {f.name for f in Participation._meta.concrete_fields} == {"id", "survey", "voter"}
    assert not Interaction.objects.filter(party=citizen).exists()
    assert not AuditEntry.objects.filter(party_id=citizen.pk, action="interaction.create").exists()
    # Once only, still: the hash tells the second answer apart.
    with pytest.raises(Conflict):
        survey_respond(actor=citizen_actor, survey_id=survey.pk, answers=full_answers(survey))


def test_the_voters_hash_differs_from_survey_to_survey(citizen: Party) -> None:
    one = voter_hash(survey_id="a", party_id=citizen.pk)
    assert one != voter_hash(survey_id="b", party_id=citizen.pk)


def test_an_anonymous_survey_open_to_all_takes_answers_without_signing_in(town: Any) -> None:
    survey = load(anonymous=True, once_per_person=False)
    visitor = Actor(label="anonymous")

    survey_respond(actor=visitor, survey_id=survey.pk, answers=full_answers(survey))
    survey_respond(actor=visitor, survey_id=survey.pk, answers=full_answers(survey))

    assert answers_given(survey) == 2
    assert not Participation.objects.exists()


def test_an_identified_survey_refuses_who_is_not_signed_in(survey: Survey) -> None:
    with pytest.raises(PermissionDenied):
        survey_respond(
            actor=Actor(label="anonymous"), survey_id=survey.pk, answers=full_answers(survey)
        )
    assert AuditEntry.objects.filter(action="access.denied").exists()


def test_a_citizen_whose_record_was_erased_since_signing_in_cannot_answer(
    survey: Survey, citizen: Party
) -> None:
    Party.objects.filter(pk=citizen.pk).update(status=Party.Status.ERASED)
    with pytest.raises(ValidationFailed):
        survey_respond(
            actor=actor_for_citizen(citizen), survey_id=survey.pk, answers=full_answers(survey)
        )
    assert not Response.objects.exists()


def test_loading_checks_every_question_and_keeps_nothing_when_one_is_wrong(town: Any) -> None:
    data = survey_data()
    data["questions"][3]["options_es"] = ["Solo una"]
    with translation.override("en"), pytest.raises(ValidationFailed) as refused:
        survey_load(actor=OPERATOR, data=data)
    assert "Question 4" in refused.value.errors["questions"]
    assert not Survey.objects.exists()


def test_a_misspelt_field_is_refused_not_left_out(town: Any) -> None:
    misspelt = {**survey_data(), "closes": "2027-01-31T23:59:00+01:00"}
    with translation.override("en"), pytest.raises(ValidationFailed) as refused:
        survey_load(actor=OPERATOR, data=misspelt)
    assert "Unknown field" in refused.value.errors["closes"]

    data = survey_data()
    data["questions"][0]["requierd"] = True
    with translation.override("en"), pytest.raises(ValidationFailed) as refused:
        survey_load(actor=OPERATOR, data=data)
    assert "Question 1: Unknown field requierd" in refused.value.errors["questions"]
    assert not Survey.objects.exists()


def test_a_condition_must_name_an_earlier_choice_question(town: Any) -> None:
    data = survey_data()
    data["questions"][3]["show_if"] = {"question": 3, "option": 1}  # a scale
    with pytest.raises(ValidationFailed):
        survey_load(actor=OPERATOR, data=data)
    assert not Survey.objects.exists()


def test_loading_needs_the_catalogue_scope(town: Any, citizen_actor: Actor) -> None:
    with pytest.raises(PermissionDenied):
        survey_load(actor=citizen_actor, data=survey_data())


def test_loading_records_who_loaded_it(town: Any) -> None:
    survey = load()
    entry = AuditEntry.objects.get(action="survey.change")
    assert entry.object_id == str(survey.pk)
    assert survey.questions.count() == 6


def test_merging_two_records_keeps_one_answer_per_survey(
    survey: Survey, citizen: Party, make_staff: Any
) -> None:
    supervisor = actor_for_user(make_staff("jefa", "ayto", "supervisor"))
    other = make_party(supervisor)
    second = load(title_es="Otra")
    survey_respond(
        actor=actor_for_citizen(citizen), survey_id=survey.pk, answers=full_answers(survey)
    )
    survey_respond(
        actor=actor_for_citizen(other), survey_id=survey.pk, answers=full_answers(survey)
    )
    survey_respond(
        actor=actor_for_citizen(other), survey_id=second.pk, answers=full_answers(second)
    )

    party_merge(actor=supervisor, survivor_id=citizen.pk, merged_id=other.pk, reason="El mismo")

    assert Response.objects.filter(party=citizen, survey=survey).count() == 1
    assert Response.objects.filter(party=citizen, survey=second).count() == 1


def test_a_residents_only_survey_takes_answers_from_the_register_only(
    town: Any, make_staff: Any
) -> None:
    survey = load(anonymous=True, residents_only=True)
    assert survey.needs_sign_in
    staff = actor_for_user(make_staff("alta", "ayto", "agent"))
    visitor = make_party(staff)  # no address here: not on the register
    with translation.override("en"), pytest.raises(ValidationFailed) as refused:
        survey_respond(
            actor=actor_for_citizen(visitor), survey_id=survey.pk, answers=full_answers(survey)
        )
    assert "registered" in str(refused.value.errors["survey"])
    neighbour = make_party(
        staff, contact_points=[ContactPointInput(kind="postal", value="Plaza 1", district="Centro")]
    )
    survey_respond(
        actor=actor_for_citizen(neighbour), survey_id=survey.pk, answers=full_answers(survey)
    )
    assert answers_given(survey) == 1
