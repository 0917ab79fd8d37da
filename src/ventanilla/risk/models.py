"""A trained deadline-risk model, kept with its version, what it learnt from, how it did on the
cases it did not see, and its tree as data (never a pickle): read back to explain and to score.
And the last score of each open case, so that queues can list the cases at risk."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ventanilla.cases.models import Case
from ventanilla.core.models import BaseModel


class RiskModel(BaseModel):
    version = models.PositiveIntegerField(unique=True, verbose_name=_("version"))
    trained_at = models.DateTimeField(verbose_name=_("trained at"))
    # What it learnt from: cases with a known outcome (closed, or open and already past due).
    cases = models.PositiveIntegerField(verbose_name=_("cases learnt from"))
    late = models.PositiveIntegerField(verbose_name=_("of them, answered late"))
    threshold = models.FloatField(verbose_name=_("share of late cases that flags a case"))
    depth = models.PositiveSmallIntegerField(verbose_name=_("depth of the tree"))
    min_leaf = models.PositiveIntegerField(verbose_name=_("fewest cases in a rule"))
    # The tree: its columns and nodes (see ``risk.tree``), and its leaves as rules.
    tree = models.JSONField(verbose_name=_("tree"))
    rules = models.JSONField(verbose_name=_("rules"))
    # Trained again on the oldest cases only and tried on the newest, which it did not see.
    evaluation = models.JSONField(verbose_name=_("evaluation"))
    seconds = models.FloatField(verbose_name=_("seconds"))

    class Meta:
        verbose_name = _("deadline-risk model")
        verbose_name_plural = _("deadline-risk models")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"v{self.version} {self.trained_at:%Y-%m-%d}"


class CaseRisk(models.Model):
    """The last score of an open case: the rule (a leaf of the tree) it falls in, that rule's
    share of late cases, and whether that flags it."""

    case = models.OneToOneField(
        Case,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="risk",
        verbose_name=_("case"),
    )
    model = models.ForeignKey(
        RiskModel, on_delete=models.CASCADE, related_name="+", verbose_name=_("model")
    )
    leaf = models.PositiveIntegerField(verbose_name=_("rule"))
    share = models.FloatField(verbose_name=_("share of late cases"))
    flagged = models.BooleanField(verbose_name=_("at risk"))
    scored_at = models.DateTimeField(verbose_name=_("scored at"))

    class Meta:
        verbose_name = _("deadline risk of a case")
        verbose_name_plural = _("deadline risks of cases")
        indexes = [models.Index(fields=["flagged"], name="case_risk_flagged_idx")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.share:.2f}"
