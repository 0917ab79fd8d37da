"""Debates an agency opens, and comments: on a debate, or on anything else that names itself by
a subject key ("debate:<uuid>", "proposal:<uuid>"), so that apps above this one reuse the thread
and its moderation. A comment is hidden by a moderator with a stated reason, never deleted: its
author still reads it, with the reason, and may appeal once."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.catalog.models import Agency
from ventanilla.core.models import BaseModel
from ventanilla.parties.models import Party

MAX_BODY = 2000
MAX_REASON = 500
# Levels of a thread: a comment (0), a reply (1), a reply to a reply (2); a reply to a comment
# of the last level joins that level, under the same comment, so the thread stays readable on
# a phone.
DEEPEST = 2


class Debate(BaseModel):
    """A question put to the public, open to comments from ``opens_at`` until ``closes_at``
    (for good when that is empty). Opened by staff of the agency (see ``services``)."""

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="debates", verbose_name=_("agency")
    )
    district = models.CharField(
        max_length=100,
        blank=True,
        verbose_name=_("district"),
        help_text=_("Leave empty for the whole municipality."),
    )
    title = models.CharField(max_length=200, verbose_name=_("title"))
    body = models.TextField(max_length=8000, verbose_name=_("text"))
    opens_at = models.DateTimeField(default=timezone.now, verbose_name=_("opens at"))
    closes_at = models.DateTimeField(null=True, blank=True, verbose_name=_("closes at"))
    residents_only = models.BooleanField(
        default=False,
        verbose_name=_("registered residents only"),
        help_text=_(
            "Only people the municipal register has living here (in the district, when one is "
            "set), of the age set for taking part, may comment."
        ),
    )
    opened_by_label = models.CharField(max_length=150, blank=True, verbose_name=_("opened by"))

    class Meta:
        verbose_name = _("debate")
        verbose_name_plural = _("debates")
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__isnull=True) | Q(closes_at__gt=models.F("opens_at")),
                name="debate_closes_after_it_opens",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def subject(self) -> str:
        return f"debate:{self.pk}"

    def is_open(self, now: Any = None) -> bool:
        moment = now or timezone.now()
        return bool(self.opens_at <= moment and (self.closes_at is None or moment < self.closes_at))


class Comment(BaseModel):
    class Status(models.TextChoices):
        VISIBLE = "visible", _("Visible")
        HIDDEN = "hidden", _("Hidden by moderation")

    subject = models.CharField(max_length=80, db_index=True, verbose_name=_("where"))
    # What the subject was called when the comment was posted: for the person's data export
    # and the history, which name it without asking the app that owns it.
    subject_title = models.CharField(max_length=200, blank=True, verbose_name=_("on"))
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replies",
        verbose_name=_("in reply to"),
    )
    depth = models.PositiveSmallIntegerField(default=0, verbose_name=_("level"))
    author = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="comments", verbose_name=_("author")
    )
    body = models.TextField(max_length=MAX_BODY, verbose_name=_("text"))
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.VISIBLE, verbose_name=_("status")
    )
    hidden_reason = models.CharField(
        max_length=MAX_REASON, blank=True, verbose_name=_("reason for hiding")
    )
    hidden_by = models.CharField(max_length=150, blank=True, verbose_name=_("hidden by"))
    hidden_at = models.DateTimeField(null=True, blank=True, verbose_name=_("hidden at"))

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["subject", "created_at"]
        indexes = [models.Index(fields=["subject", "created_at"], name="comment_thread")]
        constraints = [
            models.CheckConstraint(condition=Q(depth__lte=DEEPEST), name="comment_depth"),
            models.CheckConstraint(
                condition=Q(status="visible") | ~Q(hidden_reason=""),
                name="comment_hidden_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_hidden(self) -> bool:
        return self.status == self.Status.HIDDEN


class Report(BaseModel):
    """A citizen's word that a comment breaks the rules: once per citizen and comment."""

    class Reason(models.TextChoices):
        OFFENSIVE = "offensive", _("Insulting or offensive")
        PERSONAL_DATA = "personal_data", _("Reveals someone's personal data")
        SPAM = "spam", _("Advertising or spam")
        OFF_TOPIC = "off_topic", _("Nothing to do with the subject")
        OTHER = "other", _("Something else")

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="reports", verbose_name=_("comment")
    )
    reporter = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="comment_reports", verbose_name=_("by")
    )
    reason = models.CharField(max_length=20, choices=Reason.choices, verbose_name=_("reason"))
    text = models.CharField(max_length=MAX_REASON, blank=True, verbose_name=_("details"))

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            # Racing reports of one person count once: the database refuses the second.
            models.UniqueConstraint(fields=["comment", "reporter"], name="report_once")
        ]

    def __str__(self) -> str:
        return f"{self.comment_id} {self.reason}"


class Appeal(BaseModel):
    """The author's request to show a hidden comment again: one per comment."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        UPHELD = "upheld", _("Upheld: the comment is shown again")
        DISMISSED = "dismissed", _("Dismissed: the comment stays hidden")

    comment = models.OneToOneField(
        Comment, on_delete=models.CASCADE, related_name="appeal", verbose_name=_("comment")
    )
    text = models.TextField(max_length=MAX_REASON * 2, verbose_name=_("why it should be shown"))
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, verbose_name=_("status")
    )
    decided_by = models.CharField(max_length=150, blank=True, verbose_name=_("decided by"))
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))
    decision_note = models.CharField(
        max_length=MAX_REASON, blank=True, verbose_name=_("note on the decision")
    )

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")

    def __str__(self) -> str:
        return f"{self.comment_id} {self.status}"
