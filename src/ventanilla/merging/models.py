"""The record of each merge of two parties: which rows moved to the surviving party and which
fields changed, so that undoing it puts back exactly what was there and nothing added since."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ventanilla.core.models import BaseModel
from ventanilla.parties.models import Party


class MergeRecord(BaseModel):
    survivor = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="merges_kept")
    merged = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="merges_joined")
    reason = models.CharField(max_length=300)
    merged_by_label = models.CharField(max_length=150)
    # {"app.Model.field": [row ids moved from ``merged`` to ``survivor``]}
    moved = models.JSONField(default=dict)
    # {"app.Model": {row id: {field: value before the merge}}}
    changed = models.JSONField(default=dict)
    unmerged_at = models.DateTimeField(null=True, blank=True)
    unmerged_by_label = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name = _("merge of two records")
        verbose_name_plural = _("merges of two records")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(survivor=models.F("merged")), name="merge_not_self"
            ),
            # A record is merged into one other at a time; undone merges stay as history.
            models.UniqueConstraint(
                fields=["merged"],
                condition=models.Q(unmerged_at__isnull=True),
                name="merge_one_in_force_per_record",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.merged_id} → {self.survivor_id}"


class SourceTrust(BaseModel):
    """How far an administration trusts one agency's register when two registers disagree on
    the same day: the lower the rank, the more trusted. Agencies not listed come after all the
    listed ones. Edited by staff, per agency, so each administration orders its own."""

    agency = models.OneToOneField(
        "catalog.Agency", on_delete=models.CASCADE, related_name="source_trust"
    )
    rank = models.PositiveSmallIntegerField(
        help_text=_("1 is trusted most; a register verified more recently still wins.")
    )

    class Meta:
        verbose_name = _("trust in an agency's register")
        verbose_name_plural = _("trust in agencies' registers")
        ordering = ["rank"]
        constraints = [models.UniqueConstraint(fields=["rank"], name="source_trust_one_per_rank")]

    def __str__(self) -> str:
        return f"{self.agency_id}: {self.rank}"
