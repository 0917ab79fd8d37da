"""A loop closed: the complaints about one service in one district over a period, turned by a
supervisor into a consultation (or tied to a proposal or a budget project), with everyone who
complained told of it, and later told what came of it.

The cases are kept, not just the filter that found them, so that "everyone who complained" means
the same people when the outcome is told as when the consultation was opened."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ventanilla.analytics.models import Alert
from ventanilla.budgets.models import Project
from ventanilla.cases.models import Case
from ventanilla.catalog.models import Agency, PublicService
from ventanilla.core.i18n import localized
from ventanilla.core.models import BaseModel
from ventanilla.proposals.models import Proposal
from ventanilla.surveys.models import Survey


class Loop(BaseModel):
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    service = models.ForeignKey(
        PublicService, on_delete=models.PROTECT, related_name="+", verbose_name=_("service")
    )
    # Empty: the whole town.
    district = models.CharField(max_length=100, blank=True, verbose_name=_("district"))
    since = models.DateField(verbose_name=_("complaints from"))
    until = models.DateField(verbose_name=_("complaints until"))
    # The emerging problem it started from, when it did.
    alert = models.ForeignKey(
        Alert,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("emerging problem"),
    )
    survey = models.ForeignKey(
        Survey,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="loops",
        verbose_name=_("consultation"),
    )
    proposal = models.ForeignKey(
        Proposal,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="loops",
        verbose_name=_("citizen proposal"),
    )
    project = models.ForeignKey(
        Project,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="loops",
        verbose_name=_("budget project"),
    )
    cases = models.ManyToManyField(Case, related_name="loops", verbose_name=_("cases"))
    people = models.PositiveIntegerField(default=0, verbose_name=_("people who complained"))
    told = models.PositiveIntegerField(default=0, verbose_name=_("people told"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("opened by"),
    )
    opened_by_label = models.CharField(max_length=150, verbose_name=_("opened by"))
    outcome_es = models.TextField(max_length=2000, blank=True, verbose_name=_("outcome in Spanish"))
    outcome_en = models.TextField(max_length=2000, blank=True, verbose_name=_("outcome in English"))
    outcome_at = models.DateTimeField(null=True, blank=True, verbose_name=_("outcome told at"))
    outcome_told = models.PositiveIntegerField(default=0, verbose_name=_("people told the outcome"))

    class Meta:
        verbose_name = _("complaints turned into participation")
        verbose_name_plural = _("complaints turned into participation")
        ordering = ["-created_at"]
        constraints = [
            # What the complaints were taken to: one consultation, proposal or project.
            models.CheckConstraint(
                condition=(
                    models.Q(survey__isnull=False, proposal__isnull=True, project__isnull=True)
                    | models.Q(survey__isnull=True, proposal__isnull=False, project__isnull=True)
                    | models.Q(survey__isnull=True, proposal__isnull=True, project__isnull=False)
                ),
                name="loop_one_target",
            )
        ]

    def __str__(self) -> str:
        return f"{self.service} · {self.district or '—'} · {self.target_title}"

    @property
    def target_title(self) -> str:
        if self.survey is not None:
            return self.survey.title
        if self.proposal is not None:
            return self.proposal.title
        if self.project is not None:
            return self.project.title
        return ""

    @property
    def outcome(self) -> str:
        return localized(self, "outcome")
