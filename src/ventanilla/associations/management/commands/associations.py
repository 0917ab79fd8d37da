"""``ventanilla associations mine [--window DAYS]``: mine the services that follow each other now,
saying what it is doing, and print the rules kept."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ventanilla.associations.models import ServiceAssociation
from ventanilla.associations.services import associations_mine


class Command(BaseCommand):
    help = "Services that follow each other: mine the rules from cases and contacts."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        mine = actions.add_parser("mine", help="replace the rules with a fresh run")
        mine.add_argument(
            "--window",
            type=int,
            default=None,
            help="days after a first request within which the next one counts "
            "(default VENTANILLA_ASSOCIATION_WINDOW_DAYS)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        window = options["window"]
        if window is not None and window < 1:
            raise CommandError("--window must be a number of days, 1 or more.")
        run = associations_mine(
            window_days=window, progress=lambda message: self.stderr.write(message)
        )
        rules = ServiceAssociation.objects.filter(run=run).select_related(
            "antecedent", "consequent"
        )
        for rule in rules.order_by("-confidence", "antecedent__code", "consequent__code"):
            self.stdout.write(
                f"{rule.antecedent.code:<32} -> {rule.consequent.code:<32} "
                f"{rule.with_both:>6} of {rule.with_antecedent:<6} "
                f"confidence {rule.confidence:.2f}  lift {rule.lift:.1f}"
            )
        rate = run.uses / run.seconds if run.seconds else 0.0
        self.stdout.write(
            f"Run {run.number}: {run.uses} uses of {run.people} people read, window "
            f"{run.window_days} days, {run.rules} rules kept (at least {run.min_people} people, "
            f"confidence {run.min_confidence:.2f}, lift above 1) in {run.seconds:.2f} s "
            f"({rate:,.0f} rows/s)."
        )
