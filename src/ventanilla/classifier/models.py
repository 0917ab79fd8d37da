"""The log of every suggestion the service classifier made: which model, what it read (a keyed
digest and the length, never the text), what it suggested and how sure it was, whether the
suggestion was applied, and what staff then did with it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ventanilla.cases.models import Case
from ventanilla.core.models import BaseModel


class ModelDecision(BaseModel):
    class Outcome(models.TextChoices):
        PENDING = "pending", _("Waiting for staff")
        ACCEPTED = "accepted", _("Accepted")
        CHANGED = "changed", _("Changed")

    model_version = models.CharField(_("model version"), max_length=40)
    door = models.CharField(_("door"), max_length=20)
    input_digest = models.CharField(_("digest of the text"), max_length=64)
    input_length = models.PositiveIntegerField(_("length of the text"))
    suggested_service = models.CharField(_("suggested service"), max_length=100)
    confidence = models.FloatField(_("confidence"))
    applied = models.BooleanField(_("applied"), default=False)
    case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="model_decisions"
    )
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING
    )
    final_service = models.CharField(_("final service"), max_length=100, blank=True)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)
    settled_by = models.CharField(_("settled by"), max_length=150, blank=True)

    class Meta:
        ordering = ("-created_at",)
        verbose_name = _("model decision")
        verbose_name_plural = _("model decisions")
        indexes = [
            models.Index(fields=["model_version", "outcome"], name="decision_version_outcome_idx")
        ]

    def __str__(self) -> str:
        return f"{self.model_version}: {self.suggested_service} ({self.confidence:.2f})"
