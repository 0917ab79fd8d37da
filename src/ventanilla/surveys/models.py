"""Consultations of the public: a survey an agency opens for a while, its questions (single and
multiple choice, scale, ranking, free text, matrix; some shown only after a given answer), and
the responses to it. A response to an anonymous survey holds no party; "one answer per person"
is kept apart from it, as a keyed hash of the party that says only that the person took part."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.catalog.models import Agency
from ventanilla.core.i18n import current_language, localized
from ventanilla.core.models import BaseModel
from ventanilla.parties.models import Party

MAX_OPTIONS = 30
MAX_SCALE = 10
MAX_TEXT = 2000


class Survey(BaseModel):
    """Open to answers from ``opens_at`` until ``closes_at``. An identified survey needs the
    citizen signed in, and each answer goes on their contact history; an anonymous one links
    nothing to anyone."""

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="surveys", verbose_name=_("agency")
    )
    title_es = models.CharField(max_length=200, verbose_name=_("title in Spanish"))
    title_en = models.CharField(max_length=200, blank=True, verbose_name=_("title in English"))
    introduction_es = models.TextField(
        max_length=4000, blank=True, verbose_name=_("introduction in Spanish")
    )
    introduction_en = models.TextField(
        max_length=4000, blank=True, verbose_name=_("introduction in English")
    )
    opens_at = models.DateTimeField(verbose_name=_("opens at"))
    closes_at = models.DateTimeField(verbose_name=_("closes at"))
    anonymous = models.BooleanField(
        default=False,
        verbose_name=_("anonymous"),
        help_text=_("Answers are counted but never linked to the person who gave them."),
    )
    once_per_person = models.BooleanField(
        default=True,
        verbose_name=_("one answer per person"),
        help_text=_("The person must sign in to answer, even when the survey is anonymous."),
    )
    residents_only = models.BooleanField(
        default=False,
        verbose_name=_("registered residents only"),
        help_text=_(
            "Only people the municipal register has living here, of the age set for taking "
            "part, may answer; they sign in to do so."
        ),
    )
    created_by_label = models.CharField(max_length=150, blank=True, verbose_name=_("created by"))

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-opens_at"]
        indexes = [models.Index(fields=["opens_at", "closes_at"], name="survey_window")]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="survey_closes_after_it_opens",
            )
        ]

    def __str__(self) -> str:
        return self.title_es

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def introduction(self) -> str:
        return localized(self, "introduction")

    @property
    def needs_sign_in(self) -> bool:
        return not self.anonymous or self.once_per_person or self.residents_only

    def is_open(self, now: Any = None) -> bool:
        moment = now or timezone.now()
        return bool(self.opens_at <= moment < self.closes_at)

    def clean(self) -> None:
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("A survey must close after it opens.")})


class Question(BaseModel):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        SCALE = "scale", _("Scale")
        RANKING = "ranking", _("Ranking")
        TEXT = "text", _("Free text")
        MATRIX = "matrix", _("Matrix (rows on one scale)")

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="questions", verbose_name=_("survey")
    )
    position = models.PositiveSmallIntegerField(verbose_name=_("position"))
    kind = models.CharField(max_length=10, choices=Kind.choices, verbose_name=_("kind"))
    text_es = models.CharField(max_length=500, verbose_name=_("question in Spanish"))
    text_en = models.CharField(max_length=500, blank=True, verbose_name=_("question in English"))
    # Choices (single, multiple, ranking) or the matrix's rows, as lists of strings; an answer
    # keeps the index of a choice, so the English list follows the Spanish one line by line.
    options_es = models.JSONField(default=list, blank=True, verbose_name=_("options in Spanish"))
    options_en = models.JSONField(default=list, blank=True, verbose_name=_("options in English"))
    # The top of a scale, or of the scale every row of a matrix is answered on (1 to this).
    scale_max = models.PositiveSmallIntegerField(default=5, verbose_name=_("top of the scale"))
    required = models.BooleanField(default=False, verbose_name=_("required"))
    # Shown only when an earlier single or multiple choice question got this option (its index).
    condition_question = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dependants",
        verbose_name=_("shown only if this question"),
    )
    condition_option = models.PositiveSmallIntegerField(
        null=True, blank=True, verbose_name=_("was answered with option number (from 1)")
    )

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["survey", "position"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "position"], name="question_position"),
            models.CheckConstraint(
                condition=Q(scale_max__gte=2, scale_max__lte=MAX_SCALE), name="question_scale"
            ),
            models.CheckConstraint(
                condition=Q(condition_question__isnull=True, condition_option__isnull=True)
                | Q(condition_question__isnull=False, condition_option__isnull=False),
                name="question_condition_whole",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.text_es}"

    @property
    def text(self) -> str:
        return localized(self, "text")

    @property
    def options(self) -> list[str]:
        """The choices (or rows) in the reader's language, each falling back to Spanish."""
        english = self.options_en if current_language() == "en" else []
        return [
            str(english[i]) if i < len(english) and english[i] else str(value)
            for i, value in enumerate(self.options_es)
        ]

    @property
    def scale(self) -> range:
        return range(1, self.scale_max + 1)

    @property
    def condition_label(self) -> str:
        """The option that shows this question, in the reader's language."""
        if self.condition_question is None or self.condition_option is None:
            return ""
        options = self.condition_question.options
        index = self.condition_option - 1
        return options[index] if 0 <= index < len(options) else ""

    def clean(self) -> None:
        errors = question_problems(self)
        if errors:
            raise ValidationError(errors)


def question_problems(question: Question) -> dict[str, str]:
    """What is wrong with a question's definition, by field: one rule for the admin and the
    loader alike."""
    errors: dict[str, str] = {}
    kind = question.kind
    options = question.options_es
    if not isinstance(options, list) or not all(isinstance(o, str) and o.strip() for o in options):
        errors["options_es"] = str(_("Write the options as a list of texts."))
        return errors
    english = question.options_en
    if not isinstance(english, list) or not all(isinstance(o, str) for o in english):
        errors["options_en"] = str(_("Write the options as a list of texts."))
    elif english and len(english) != len(options):
        errors["options_en"] = str(_("Give as many options in English as in Spanish, or none."))
    if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE, Question.Kind.RANKING):
        if not 2 <= len(options) <= MAX_OPTIONS:
            errors["options_es"] = str(_("Give between 2 and %(n)d options.") % {"n": MAX_OPTIONS})
    elif kind == Question.Kind.MATRIX:
        if not 1 <= len(options) <= MAX_OPTIONS:
            errors["options_es"] = str(
                _("Give between 1 and %(n)d rows as options.") % {"n": MAX_OPTIONS}
            )
    elif options:
        errors["options_es"] = str(_("This kind of question has no options."))
    if question.condition_question_id is not None:
        condition = question.condition_question
        if (
            condition is None
            or condition.survey_id != question.survey_id
            or condition.position >= question.position
        ):
            errors["condition_question"] = str(
                _("A condition must be an earlier question of the same survey.")
            )
        elif condition.kind not in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
            errors["condition_question"] = str(
                _("A condition must be a single or multiple choice question.")
            )
        elif question.condition_option is None or not (
            1 <= question.condition_option <= len(condition.options_es)
        ):
            errors["condition_option"] = str(_("Choose one of that question's options."))
    return errors


class Response(BaseModel):
    """One person's answers to a survey. ``party`` is set on identified surveys only; an
    anonymous response holds nothing about who gave it (see ``Participation``)."""

    survey = models.ForeignKey(
        Survey, on_delete=models.PROTECT, related_name="responses", verbose_name=_("survey")
    )
    party = models.ForeignKey(
        Party,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="survey_responses",
        verbose_name=_("party"),
    )
    submitted_at = models.DateTimeField(default=timezone.now, verbose_name=_("submitted at"))

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            # Racing submits of one person count once: the database refuses the second.
            models.UniqueConstraint(
                fields=["survey", "party"],
                condition=Q(party__isnull=False),
                name="response_once_per_party",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id} {self.submitted_at:%Y-%m-%d}"


class Participation(models.Model):
    """That someone answered an anonymous survey taking one answer per person: a keyed hash of
    their party (``services.voter_hash``), apart from the response and with no time, so that
    even who can compute the hash finds only that the person took part, never their answers."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="participations", verbose_name=_("survey")
    )
    voter = models.CharField(max_length=64, verbose_name=_("voter"))

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            # Racing submits of one person count once: the database refuses the second.
            models.UniqueConstraint(fields=["survey", "voter"], name="participation_once")
        ]

    def __str__(self) -> str:
        return f"{self.survey_id} {self.voter[:8]}"


class SealedResponse(models.Model):
    """An anonymous survey's answers, given and not yet counted among the others: question ids
    and values, with no time and no person. Written with the giver's once-per-person hash (or
    at the moment they sent it), it waits until enough others arrive to be mixed with
    (``services.responses_mix``): mixing turns them into ``Response`` rows in shuffled order,
    stamped with the time of the mix, and deletes them here."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="sealed", verbose_name=_("survey")
    )
    # [[question id, value], ...] in the order of the questions.
    answers = models.JSONField(default=list, verbose_name=_("answers"))

    class Meta:
        verbose_name = _("sealed response")
        verbose_name_plural = _("sealed responses")

    def __str__(self) -> str:
        return f"{self.survey_id}"


class Answer(models.Model):
    """The answer to one question: an option's index (single), indexes (multiple), a number
    (scale), indexes in order of preference (ranking), a text, or one number per row (matrix,
    null for a row left blank)."""

    id = models.BigAutoField(primary_key=True)
    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="answers", verbose_name=_("response")
    )
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="answers", verbose_name=_("question")
    )
    value = models.JSONField(verbose_name=_("value"))

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="answer_once")]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.value}"

    def in_words(self) -> str:
        """The answer as the person gave it, in the reader's language: options by their text,
        a ranking in order of preference, a matrix row by row."""
        question, value = self.question, self.value
        options = question.options

        def option(index: Any) -> str:
            return options[index] if isinstance(index, int) and 0 <= index < len(options) else "?"

        if question.kind == Question.Kind.SINGLE:
            return option(value)
        if question.kind == Question.Kind.MULTIPLE and isinstance(value, list):
            return "; ".join(option(i) for i in value)
        if question.kind == Question.Kind.RANKING and isinstance(value, list):
            order = sorted(range(len(value)), key=lambda i: value[i])
            return "; ".join(f"{value[i]}. {option(i)}" for i in order)
        if question.kind == Question.Kind.MATRIX and isinstance(value, list):
            return "; ".join(
                f"{option(i)}: {score}" for i, score in enumerate(value) if score is not None
            )
        return str(value)
