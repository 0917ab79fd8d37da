"""Emerging problems: a day on which one kind of contact rose in one district beyond its expected
level. An alert holds counts only, never a person."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ventanilla.catalog.models import PublicService
from ventanilla.core.models import BaseModel


class Alert(BaseModel):
    day = models.DateField(verbose_name=_("day"))
    service = models.ForeignKey(
        PublicService, on_delete=models.CASCADE, related_name="+", verbose_name=_("service")
    )
    district = models.CharField(max_length=100, verbose_name=_("district"))
    observed = models.PositiveIntegerField(verbose_name=_("observed"))
    expected = models.FloatField(verbose_name=_("expected"))
    p_value = models.FloatField(verbose_name=_("p-value"))

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "service", "district"], name="analytics_alert_once_a_day"
            )
        ]
        indexes = [models.Index(fields=["day"], name="analytics_alert_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.district}"
