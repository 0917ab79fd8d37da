"""Every write of surveys: a person's answers (checked question by question, once per person
where the survey says so, on the person's contact history when the survey is identified), and
loading a survey prepared elsewhere from its JSON description.

An anonymous answer is kept sealed (``SealedResponse``: the answers, no time, no person) and
joins the counted responses only when ``VENTANILLA_SEALED_MIX_SIZE`` wait, or the survey has
closed (``responses_mix``): then they are written together by a transaction of their own, in
shuffled order, stamped with the time of the mix. So neither the once-per-person hash written
beside it, nor its place in the table, nor its time, tells whose answer a counted one is.

An answer to a question its condition hides is dropped, not refused: without the page's script
every question is shown, and a person who filled one in that turned out not to apply has done
nothing wrong. What is kept is only what the survey would have asked them."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.guards import refuse, require
from ventanilla.access.models import Scope
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_record
from ventanilla.catalog.models import Agency
from ventanilla.core.errors import Conflict, NotFound, ValidationFailed
from ventanilla.core.models import full_clean_or_refuse
from ventanilla.interactions.models import Interaction
from ventanilla.interactions.services import interaction_record_for_case
from ventanilla.parties.models import Party
from ventanilla.parties.residence import NotEligible, participant_check
from ventanilla.surveys.models import (
    MAX_TEXT,
    Answer,
    Participation,
    Question,
    Response,
    SealedResponse,
    Survey,
    question_problems,
)

logger = logging.getLogger(__name__)

# The key of the hash kept for an anonymous answer given once per person: derived from the
# installation's secret, so the hash of a known party cannot be worked out without it.
_VOTER_SALT = b"ventanilla.surveys.voter"


def voter_hash(*, survey_id: Any, party_id: Any) -> str:
    """Who answered an anonymous survey, as a keyed hash that only tells a second answer from
    the same person apart: it differs from survey to survey and names no one."""
    key = hmac.new(settings.SECRET_KEY.encode(), _VOTER_SALT, hashlib.sha256).digest()
    message = f"{survey_id}:{party_id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _empty(raw: Any) -> bool:
    if raw is None or raw == "" or raw == []:
        return True
    return isinstance(raw, list) and all(item is None or item == "" for item in raw)


def _number(raw: Any) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
        return int(raw.strip())
    return None


def answer_checked(question: Question, raw: Any) -> tuple[Any, str]:
    """The value to keep for ``raw`` (None when unanswered) and what is wrong with it, in the
    reader's language ("" when nothing)."""
    if _empty(raw):
        return None, (_("Please answer this question.") if question.required else "")
    kind = question.kind
    count = len(question.options_es)
    if kind == Question.Kind.TEXT:
        text = str(raw).strip() if isinstance(raw, str | int) else ""
        if not text:
            return None, _("Write your answer as text.")
        if len(text) > MAX_TEXT:
            return None, _("Write at most %(n)d characters.") % {"n": MAX_TEXT}
        return text, ""
    if kind == Question.Kind.SINGLE:
        choice = _number(raw)
        if choice is None or not 0 <= choice < count:
            return None, _("Choose one of the options.")
        return choice, ""
    if kind == Question.Kind.SCALE:
        score = _number(raw)
        if score is None or not 1 <= score <= question.scale_max:
            return None, _("Choose a number from 1 to %(n)d.") % {"n": question.scale_max}
        return score, ""
    items = raw if isinstance(raw, list) else [raw]
    if kind == Question.Kind.MULTIPLE:
        choices = [_number(item) for item in items]
        if any(c is None or not 0 <= c < count for c in choices) or len(set(choices)) != len(
            choices
        ):
            return None, _("Choose among the options.")
        return sorted(c for c in choices if c is not None), ""
    if kind == Question.Kind.RANKING:
        # The rank given to each option, in the options' order: each rank from 1 once.
        ranks = [_number(item) for item in items]
        if len(ranks) != count or sorted(r or 0 for r in ranks) != list(range(1, count + 1)):
            return None, _("Give each option a different place, from 1 to %(n)d.") % {"n": count}
        return ranks, ""
    if kind == Question.Kind.MATRIX:
        if len(items) != count:
            return None, _("Answer each row on the scale.")
        values: list[int | None] = []
        for item in items:
            if item is None or item == "":
                values.append(None)
                continue
            score = _number(item)
            if score is None or not 1 <= score <= question.scale_max:
                return None, _("Choose a number from 1 to %(n)d.") % {"n": question.scale_max}
            values.append(score)
        if question.required and None in values:
            return None, _("Answer each row on the scale.")
        return values, ""
    return None, _("Unknown kind of question.")


def question_shown(question: Question, kept: dict[Any, Any]) -> bool:
    """Whether the survey asks ``question`` given the answers kept so far (of earlier ones)."""
    if question.condition_question_id is None or question.condition_option is None:
        return True
    given = kept.get(question.condition_question_id)
    wanted = question.condition_option - 1
    if isinstance(given, list):
        return wanted in given
    return bool(given == wanted)


def _questions(survey: Survey) -> list[Question]:
    return list(survey.questions.order_by("position"))


def answers_checked(survey: Survey, answers: dict[str, Any]) -> dict[Question, Any]:
    """The answers to keep, by question, or ``ValidationFailed`` with one message per question
    (keyed by the question's id). Answers to hidden questions are dropped (see the module)."""
    kept: dict[Any, Any] = {}
    by_question: dict[Question, Any] = {}
    errors: dict[str, str] = {}
    for question in _questions(survey):
        if not question_shown(question, kept):
            continue
        value, problem = answer_checked(question, answers.get(str(question.pk)))
        if problem:
            errors[str(question.pk)] = problem
        elif value is not None:
            kept[question.pk] = value
            by_question[question] = value
    if errors:
        raise ValidationFailed(errors)
    return by_question


def _survey_open(survey_id: Any) -> Survey:
    survey = Survey.objects.select_related("agency").filter(pk=survey_id).first()
    if survey is None:
        raise NotFound(_("No such survey."))
    now = timezone.now()
    if now < survey.opens_at:
        raise ValidationFailed({"survey": _("This survey is not open yet.")})
    if now >= survey.closes_at:
        raise ValidationFailed({"survey": _("This survey is closed.")})
    return survey


def survey_respond(
    *, actor: Actor, survey_id: Any, answers: dict[str, Any]
) -> Response | SealedResponse:
    """Keep a person's answers to an open survey.

    An identified survey takes answers from a signed-in citizen only, keeps their party on the
    response and records the answer on their contact history (web, "consultation"). An
    anonymous survey keeps no party and records no contact, and its answers wait sealed until
    they can be mixed with others (see the module); when it takes one answer per person, the
    citizen must be signed in and a ``Participation`` keeps a keyed hash of their party
    (``voter_hash``), apart from the response. A second answer where one per person is
    allowed is refused by the database's unique constraints, so two racing submits count once."""
    survey = _survey_open(survey_id)
    if survey.needs_sign_in and not actor.is_citizen:
        refuse(
            actor,
            detail={"survey": str(survey.pk)},
            message=_("Sign in to answer this survey."),
        )
    if (
        survey.needs_sign_in
        and not Party.objects.filter(pk=str(actor.party_id), status=Party.Status.ACTIVE).exists()
    ):
        # A record merged into another since the sign-in answers through the one it joined.
        raise ValidationFailed({"survey": _("Sign in again to answer this survey.")})
    if survey.residents_only:
        try:
            participant_check(Party.objects.get(pk=str(actor.party_id)))
        except NotEligible as refused:
            raise ValidationFailed({"survey": refused.message}) from refused
    by_question = answers_checked(survey, answers)
    if survey.anonymous:
        return _sealed(actor, survey, by_question)
    party_id = actor.party_id
    try:
        with transaction.atomic():
            response = Response.objects.create(survey=survey, party_id=party_id)
            Answer.objects.bulk_create(
                Answer(response=response, question=question, value=value)
                for question, value in by_question.items()
            )
            interaction_record_for_case(
                actor=actor,
                case_id=None,
                party_id=party_id,
                agency_id=survey.agency_id,
                service_id=None,
                channel="web",
                direction=Interaction.Direction.INBOUND,
                kind=Interaction.Kind.SUGGESTION,
                relationship=Interaction.Relationship.CONSULTATION,
                summary=_("Answered the survey “%(title)s”.") % {"title": survey.title_es},
                occurred_at=response.submitted_at,
            )
    except IntegrityError as clash:
        raise Conflict(_("You have already answered this survey.")) from clash
    return response


def _sealed(actor: Actor, survey: Survey, by_question: dict[Question, Any]) -> SealedResponse:
    """An anonymous answer: sealed, with the once-per-person hash where the survey asks for
    one, in one transaction; then, apart, mixed into the count if enough wait."""
    try:
        with transaction.atomic():
            if survey.once_per_person:
                voter = voter_hash(survey_id=survey.pk, party_id=actor.party_id)
                Participation.objects.create(survey=survey, voter=voter)
            sealed = SealedResponse.objects.create(
                survey=survey,
                answers=[[str(question.pk), value] for question, value in by_question.items()],
            )
    except IntegrityError as clash:
        if survey.once_per_person:
            raise Conflict(_("You have already answered this survey.")) from clash
        raise
    try:
        responses_mix(survey_id=survey.pk)
    except DatabaseError:
        # The answer is kept, sealed and counted; the next answer or the closing will mix it.
        logger.exception("Answers of survey %s could not be mixed now", survey.pk)
    return sealed


def responses_mix(*, survey_id: Any, everything: bool = False) -> int:
    """Turn the survey's sealed answers into counted responses, in shuffled order, each
    stamped with the time of the mix, in a transaction of their own: when
    ``VENTANILLA_SEALED_MIX_SIZE`` wait, or any number with ``everything`` or once the survey
    has closed. Each sealed answer is taken by one mix only, however many run at once.
    Returns how many were mixed (0: too few waiting)."""
    now = timezone.now()
    if not everything:
        # One read, no lock, for the common case of an open survey and too few waiting.
        state = (
            Survey.objects.filter(pk=survey_id)
            .annotate(waiting=Count("sealed"))
            .values_list("closes_at", "waiting")
            .first()
        )
        if state is None or (state[0] > now and state[1] < settings.VENTANILLA_SEALED_MIX_SIZE):
            return 0
    with transaction.atomic():
        waiting = list(
            SealedResponse.objects.select_for_update(skip_locked=True)
            .filter(survey_id=survey_id)
            .values_list("pk", "answers")
        )
        if not waiting:
            return 0
        if (
            len(waiting) < settings.VENTANILLA_SEALED_MIX_SIZE
            and not everything
            and Survey.objects.filter(pk=survey_id, closes_at__gt=now).exists()
        ):
            return 0
        secrets.SystemRandom().shuffle(waiting)
        responses = [Response(survey_id=survey_id, submitted_at=now) for _ in waiting]
        Response.objects.bulk_create(responses, batch_size=1000)
        Answer.objects.bulk_create(
            (
                Answer(response=response, question_id=question_id, value=value)
                for response, (_key, answers) in zip(responses, waiting, strict=True)
                for question_id, value in answers
            ),
            batch_size=2000,
        )
        keys = [key for key, _answers in waiting]
        for start in range(0, len(keys), 500):
            SealedResponse.objects.filter(pk__in=keys[start : start + 500]).delete()
    return len(waiting)


def closed_surveys_mix() -> int:
    """Mix what is left sealed in every survey that has closed; the number of answers mixed."""
    closed = (
        SealedResponse.objects.filter(survey__closes_at__lte=timezone.now())
        .values_list("survey_id", flat=True)
        .distinct()
    )
    return sum(responses_mix(survey_id=survey_id, everything=True) for survey_id in closed)


@dataclass(frozen=True)
class Loaded:
    survey: Survey
    questions: int


def _moment(value: Any, field: str, errors: dict[str, str]) -> datetime | None:
    moment = parse_datetime(value) if isinstance(value, str) else None
    if moment is None:
        errors[field] = _("Enter a date and time (ISO 8601).")
        return None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key, "")
    return value.strip() if isinstance(value, str) else ""


# What a survey's JSON description may hold (docs/operations.md, "Surveys"): anything else is a
# mistake that is refused rather than quietly left out.
SURVEY_KEYS = (
    "agency",
    "title_es",
    "title_en",
    "introduction_es",
    "introduction_en",
    "opens_at",
    "closes_at",
    "anonymous",
    "once_per_person",
    "residents_only",
    "questions",
)
QUESTION_KEYS = (
    "kind",
    "text_es",
    "text_en",
    "options_es",
    "options_en",
    "scale_max",
    "required",
    "show_if",
)


def survey_load(*, actor: Actor, data: dict[str, Any]) -> Loaded:
    """Create a survey and its questions from the JSON description documented in
    docs/operations.md ("Surveys"), all or nothing."""
    require(actor, Scope.CATALOG_MANAGE)
    errors: dict[str, str] = {
        key: _("Unknown field: a survey is described by %(fields)s.")
        % {"fields": ", ".join(SURVEY_KEYS)}
        for key in sorted(set(data) - set(SURVEY_KEYS))
    }
    agency = Agency.objects.filter(code=_text(data, "agency")).first()
    if agency is None or not actor.sees_agency(agency.pk):
        raise ValidationFailed({"agency": _("Choose one of your agencies.")})
    opens_at = _moment(data.get("opens_at"), "opens_at", errors)
    closes_at = _moment(data.get("closes_at"), "closes_at", errors)
    questions = data.get("questions")
    if not isinstance(questions, list) or not questions:
        errors["questions"] = _("A survey needs at least one question.")
    if errors or opens_at is None or closes_at is None or not isinstance(questions, list):
        raise ValidationFailed(errors)
    with transaction.atomic():
        survey = Survey(
            agency=agency,
            title_es=_text(data, "title_es"),
            title_en=_text(data, "title_en"),
            introduction_es=_text(data, "introduction_es"),
            introduction_en=_text(data, "introduction_en"),
            opens_at=opens_at,
            closes_at=closes_at,
            anonymous=bool(data.get("anonymous", False)),
            once_per_person=bool(data.get("once_per_person", True)),
            residents_only=bool(data.get("residents_only", False)),
            created_by_label=actor.label[:150],
        )
        full_clean_or_refuse(survey)
        survey.save(force_insert=True)
        saved: list[Question] = []
        for number, item in enumerate(questions, start=1):
            saved.append(_question_loaded(survey, number, item, saved))
        audit_record(
            actor=actor,
            action=Action.SURVEY_CHANGE,
            object_type="survey",
            object_id=survey.pk,
            detail={"change": "loaded", "questions": len(saved)},
        )
    return Loaded(survey=survey, questions=len(saved))


def _question_loaded(survey: Survey, number: int, item: Any, earlier: list[Question]) -> Question:
    where = _("Question %(n)d") % {"n": number}
    if not isinstance(item, dict):
        raise ValidationFailed({"questions": f"{where}: " + _("Describe it as an object.")})
    unknown = sorted(set(item) - set(QUESTION_KEYS))
    if unknown:
        raise ValidationFailed(
            {
                "questions": f"{where}: "
                + _("Unknown field %(names)s: a question is described by %(fields)s.")
                % {"names": ", ".join(unknown), "fields": ", ".join(QUESTION_KEYS)}
            }
        )
    condition = item.get("show_if")
    condition_question = None
    condition_option = None
    if condition is not None:
        target = condition.get("question") if isinstance(condition, dict) else None
        option = condition.get("option") if isinstance(condition, dict) else None
        if not isinstance(target, int) or not 1 <= target < number or not isinstance(option, int):
            raise ValidationFailed(
                {"questions": f"{where}: " + _("“show_if” names an earlier question and option.")}
            )
        condition_question = earlier[target - 1]
        condition_option = option
    scale_max = item.get("scale_max", 5)
    question = Question(
        survey=survey,
        position=number,
        kind=_text(item, "kind"),
        text_es=_text(item, "text_es"),
        text_en=_text(item, "text_en"),
        options_es=item.get("options_es", []),
        options_en=item.get("options_en", []),
        scale_max=scale_max if isinstance(scale_max, int) else 0,
        required=bool(item.get("required", False)),
        condition_question=condition_question,
        condition_option=condition_option,
    )
    problems = question_problems(question)
    try:
        full_clean_or_refuse(question)
    except ValidationFailed as failure:
        problems = failure.errors | problems
    if problems:
        raise ValidationFailed(
            {"questions": f"{where}: " + " ".join(f"{k}: {v}" for k, v in problems.items())}
        )
    question.save(force_insert=True)
    return question
