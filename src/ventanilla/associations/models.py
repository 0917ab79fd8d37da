"""A mining run and the rules it found. Each night's run replaces the rules of the one before;
the runs themselves stay, so that a report can say which run, when, and over what window."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ventanilla.catalog.models import PublicService
from ventanilla.core.models import BaseModel


class AssociationRun(BaseModel):
    number = models.PositiveIntegerField(unique=True, verbose_name=_("run"))
    mined_at = models.DateTimeField(verbose_name=_("mined at"))
    window_days = models.PositiveSmallIntegerField(verbose_name=_("window in days"))
    min_people = models.PositiveIntegerField(verbose_name=_("fewest people behind a rule"))
    min_confidence = models.FloatField(verbose_name=_("lowest confidence"))
    # What the run read: rows of cases and contacts, and the people they belong to.
    uses = models.PositiveIntegerField(verbose_name=_("uses read"))
    people = models.PositiveIntegerField(verbose_name=_("people"))
    rules = models.PositiveIntegerField(verbose_name=_("rules"))
    seconds = models.FloatField(verbose_name=_("seconds"))

    class Meta:
        verbose_name = _("association run")
        verbose_name_plural = _("association runs")
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"#{self.number} {self.mined_at:%Y-%m-%d}"


class ServiceAssociation(BaseModel):
    """Of the people who first asked for ``antecedent`` (long enough ago for the whole window to
    have passed), ``with_both`` first asked for ``consequent`` within ``window_days`` after."""

    run = models.ForeignKey(
        AssociationRun, on_delete=models.CASCADE, related_name="associations", verbose_name=_("run")
    )
    antecedent = models.ForeignKey(
        PublicService,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("service asked for first"),
    )
    consequent = models.ForeignKey(
        PublicService,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("service asked for next"),
    )
    with_antecedent = models.PositiveIntegerField(verbose_name=_("people with the first"))
    with_both = models.PositiveIntegerField(verbose_name=_("people with both"))
    confidence = models.FloatField(verbose_name=_("confidence"))
    lift = models.FloatField(verbose_name=_("lift"))
    window_days = models.PositiveSmallIntegerField(verbose_name=_("window in days"))
    mined_at = models.DateTimeField(verbose_name=_("mined at"))

    class Meta:
        verbose_name = _("service association")
        verbose_name_plural = _("service associations")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "antecedent", "consequent"], name="association_once_per_run"
            ),
            models.CheckConstraint(
                condition=~models.Q(antecedent=models.F("consequent")),
                name="association_two_services",
            ),
            models.CheckConstraint(
                condition=models.Q(with_both__lte=models.F("with_antecedent")),
                name="association_both_within_first",
            ),
        ]
        indexes = [
            models.Index(fields=["antecedent", "-confidence"], name="association_antecedent_idx")
        ]

    def __str__(self) -> str:
        return f"{self.antecedent_id} -> {self.consequent_id} ({self.confidence:.2f})"
