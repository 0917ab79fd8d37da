"""Bookkeeping of the synthetic municipality, so seeding twice never duplicates it."""

from __future__ import annotations

from django.db import models


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
