"""``ventanilla seed --citizens N --seed S``: load the synthetic municipality, once per database."""

from __future__ import annotations

import sys
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ventanilla.core.maintenance import refresh_statistics
from ventanilla.demo.catalogue import ensure_catalogue
from ventanilla.demo.synthetic import (
    DEFAULT_INTERACTIONS_PER_CITIZEN,
    SeedRefused,
    seed_municipality,
)


class Command(BaseCommand):
    help = (
        "Fill an empty database with the synthetic municipality of Villanueva del Río: "
        "the same seed gives the same town. Running it again with the same seed does nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--citizens", type=int, default=10_000, help="residents to create")
        parser.add_argument("--seed", type=int, default=2026, help="seed of the random choices")
        parser.add_argument(
            "--interactions-per-citizen",
            type=float,
            default=DEFAULT_INTERACTIONS_PER_CITIZEN,
            help="average contacts per resident over three years (default: %(default)s)",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="processes that make rows while this one writes (default: 1 on two cores or "
            "more; 0 does everything in this process)",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="no progress bar on standard error"
        )
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            default=None,
            help="the day the town's history ends, as YYYY-MM-DD (default: today): open cases "
            "are due around it",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_catalogue()
        try:
            summary = seed_municipality(
                citizens=options["citizens"],
                seed=options["seed"],
                interactions_per_citizen=options["interactions_per_citizen"],
                progress=not options["no_progress"],
                stream=sys.stderr,
                workers=options["workers"],
                today=options["today"] or timezone.localdate(),
            )
        except SeedRefused as error:
            raise CommandError(str(error)) from error
        if summary.already_seeded:
            self.stdout.write(
                f"already seeded: seed {summary.seed} with {summary.citizens:,} citizens and "
                f"{summary.interactions:,} interactions; nothing to do"
            )
            return
        refresh_statistics()
        self.stdout.write(summary.line())
