"""``ventanilla budgets results BUDGET_ID [--csv FILE]``: print a budget's results, district by
district, computed from its ballots; with ``--csv`` also write the anonymised ballots (district
and chosen projects, one ballot a line, in no meaningful order) so anyone can count them again
by the rule in ``ventanilla.budgets.results``."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from ventanilla.budgets.models import Budget
from ventanilla.budgets.results import ballot_rows, budget_results
from ventanilla.budgets.services import euros


class Command(BaseCommand):
    help = "Print a participatory budget's results, and optionally its anonymised ballots."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        results = sub.add_parser("results", help="Print the results computed from the ballots.")
        results.add_argument("budget_id")
        results.add_argument("--csv", type=Path, help="Write the anonymised ballots to this file.")

    def handle(self, *args: Any, **options: Any) -> None:
        # The command speaks English: its numbers and the phase's name are written so too.
        with translation.override("en"):
            self._results(options)

    def _results(self, options: dict[str, Any]) -> None:
        try:
            budget = Budget.objects.filter(pk=options["budget_id"]).first()
        except ValidationError as wrong:
            raise CommandError("That is not a budget's id.") from wrong
        if budget is None:
            raise CommandError("No such participatory budget.")
        self.stdout.write(f"{budget.title_es} ({budget.year}) — {budget.get_phase_display()}")
        for district in budget_results(budget):
            self.stdout.write(
                f"\n{district.district}: {district.ballots} ballots, "
                f"{euros(district.spent_cents)} of {euros(district.amount_cents)} €"
            )
            for row in district.projects:
                mark = "*" if row.selected else " "
                self.stdout.write(
                    f" {mark} {row.votes:>7} {euros(row.cost_cents):>14} €  {row.title}  "
                    f"[{row.project_id}]"
                )
        path: Path | None = options.get("csv")
        if path is not None:
            with path.open("w", newline="", encoding="utf-8") as out:
                writer = csv.writer(out)
                rows = -1  # the header is not a ballot
                for line in ballot_rows(budget):
                    writer.writerow(line)
                    rows += 1
            self.stdout.write(f"\nWrote {rows} ballots to {path}.")
