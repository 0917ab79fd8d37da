"""Bookkeeping of the synthetic municipality, so seeding twice never duplicates it, and its
ground truth for scoring identity resolution."""

from __future__ import annotations

from django.db import models

from ventanilla.identity.models import SourceRecord
from ventanilla.parties.models import Party


class SeedRun(models.Model):
    seed = models.IntegerField()
    citizens = models.PositiveIntegerField()
    interactions = models.PositiveBigIntegerField(default=0)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["seed"], name="seed_run_unique_seed")]

    def __str__(self) -> str:
        state = "finished" if self.finished_at else "unfinished"
        return f"seed {self.seed}: {self.citizens} citizens ({state})"


class SyntheticTruth(models.Model):
    """Ground truth of the synthetic municipality: which party a source record really is.

    Only the seed writes it; matching is scored against it and never reads it to decide.
    """

    source_record = models.OneToOneField(
        SourceRecord, on_delete=models.CASCADE, primary_key=True, related_name="truth"
    )
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="+")
    distortions = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"{self.source_record_id} is {self.party_id}"
