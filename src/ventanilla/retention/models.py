"""Retention: how long each category of personal data is kept, and the record of every run that
applied those rules (what it removed, how far it got)."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ventanilla.core.models import BaseModel
from ventanilla.parties.models import DataCategory


class RetentionRule(BaseModel):
    """Keep one category of data this many days; older data is removed (or, for cases, its free
    text redacted) by the daily retention task. Editable by administrators, never in settings."""

    # Identity is kept while the person is on the register (erasure is its own path).
    category = models.CharField(
        max_length=20,
        choices=[(v, label) for v, label in DataCategory.choices if v != DataCategory.IDENTITY],
        unique=True,
        verbose_name=_("kind of data"),
    )
    keep_days = models.PositiveIntegerField(
        validators=[MinValueValidator(30)], verbose_name=_("kept for (days)")
    )
    legal_reference = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("The rule or law that sets this period."),
        verbose_name=_("legal basis"),
    )
    enabled = models.BooleanField(default=True, verbose_name=_("in use"))

    class Meta:
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        ordering = ["category"]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.keep_days} d"


class RetentionRun(BaseModel):
    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    dry_run = models.BooleanField(verbose_name=_("dry run"))
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.RUNNING, verbose_name=_("status")
    )
    started_at = models.DateTimeField(verbose_name=_("started at"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished at"))
    triggered_by = models.CharField(max_length=150, verbose_name=_("asked by"))
    # Rows found to be past their period, and rows handled so far: the run's progress.
    rows_due = models.PositiveIntegerField(default=0, verbose_name=_("records due"))
    rows_done = models.PositiveIntegerField(default=0, verbose_name=_("records handled"))
    # Per category: rows due, the oldest one's date, what was done.
    report = models.JSONField(default=dict, verbose_name=_("report"))
    error = models.TextField(blank=True, verbose_name=_("error"))

    class Meta:
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.status}"

    @property
    def progress(self) -> int:
        """Per cent of due rows handled (100 for a dry run or nothing due)."""
        if self.dry_run or not self.rows_due:
            return 100 if self.status != self.Status.RUNNING else 0
        return min(100, round(100 * self.rows_done / self.rows_due))
