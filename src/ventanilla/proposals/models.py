"""Citizen proposals: what a registered resident asks the administration to do, the supports of
other residents (one each, kept unique by the database), the threshold that obliges an official
answer by a date, that answer, and the cases staff cite as showing the problem.

A support is an act done in the person's name, signed in, and goes on their contact history; it
is not secret, unlike a ballot. The count shown is ``supports_count``, kept in step by the same
transaction that writes the ``Support`` row, so listing proposals never counts rows."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ventanilla.catalog.models import Agency, PublicService
from ventanilla.core.models import BaseModel
from ventanilla.parties.models import Party

MAX_TITLE = 150
MAX_SUMMARY = 500
MAX_BODY = 6000
MAX_ANSWER = 6000
MAX_WITHDRAWAL_REASON = 1000


class Proposal(BaseModel):
    class Status(models.TextChoices):
        PUBLISHED = "published", _("Collecting supports")
        ANSWERED = "answered", _("Answered")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Decision(models.TextChoices):
        # A proposal is feminine in Spanish, a case is not: the same English word, two Spanish.
        ACCEPTED = "accepted", pgettext_lazy("proposal", "Accepted")
        PARTLY = "partly", _("Partly accepted")
        REJECTED = "rejected", _("Not accepted")
        STUDY = "study", _("Under study")

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("agency")
    )
    district = models.CharField(max_length=100, blank=True, verbose_name=_("district"))
    title = models.CharField(max_length=MAX_TITLE, verbose_name=_("title"))
    summary = models.TextField(max_length=MAX_SUMMARY, verbose_name=_("summary"))
    body = models.TextField(max_length=MAX_BODY, blank=True, verbose_name=_("proposal"))
    # Null once the author is erased: the proposal others supported stays, no longer theirs.
    author = models.ForeignKey(
        Party,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("author"),
    )
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.PUBLISHED,
        verbose_name=_("status"),
    )
    supports_count = models.PositiveIntegerField(default=0, verbose_name=_("supports"))
    threshold_reached_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("threshold reached at")
    )
    answer_due = models.DateField(null=True, blank=True, verbose_name=_("answer due"))
    decision = models.CharField(
        max_length=10, choices=Decision.choices, blank=True, verbose_name=_("decision")
    )
    answer = models.TextField(max_length=MAX_ANSWER, blank=True, verbose_name=_("official answer"))
    answered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("answered at"))
    answered_by_label = models.CharField(max_length=150, blank=True, verbose_name=_("answered by"))
    # The author's words on withdrawing it, which those who supported it are sent.
    withdrawal_reason = models.TextField(
        max_length=MAX_WITHDRAWAL_REASON,
        blank=True,
        default="",
        verbose_name=_("why its author withdrew it"),
    )

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "-supports_count"], name="proposal_most_supported"),
            models.Index(fields=["answer_due"], name="proposal_answer_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="answered", answered_at__isnull=False) | ~Q(status="answered"),
                name="proposal_answered_has_a_date",
            ),
            models.CheckConstraint(
                condition=Q(threshold_reached_at__isnull=True) | Q(answer_due__isnull=False),
                name="proposal_threshold_sets_a_due_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_answered(self) -> bool:
        return self.status == self.Status.ANSWERED


class Support(BaseModel):
    """One resident's support of one proposal: a second one by the same person is refused by
    the database, so racing clicks count once."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="supports", verbose_name=_("proposal")
    )
    party = models.ForeignKey(
        Party, on_delete=models.CASCADE, related_name="proposal_supports", verbose_name=_("party")
    )

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "party"], name="support_once_per_person")
        ]


class ProposalEvidence(BaseModel):
    """The cases that show the problem a proposal speaks of, as a filter staff state (a service,
    a district, a start date): the proposal's page shows how many such cases there are and how
    they are going, never who asked or their references."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("proposal")
    )
    service = models.ForeignKey(
        PublicService, on_delete=models.PROTECT, related_name="+", verbose_name=_("service")
    )
    district = models.CharField(max_length=100, blank=True, verbose_name=_("district"))
    since = models.DateField(null=True, blank=True, verbose_name=_("since"))
    cited_by_label = models.CharField(max_length=150, blank=True, verbose_name=_("cited by"))

    class Meta:
        verbose_name = _("cited cases")
        verbose_name_plural = _("cited cases")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "service", "district"], name="evidence_once_per_filter"
            )
        ]
