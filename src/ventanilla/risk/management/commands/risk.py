"""``ventanilla risk train [--depth N] [--threshold SHARE]``: train a new version of the
deadline-risk tree now, score the open cases, and print its rules and how it did on the newest
cases it did not see."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from ventanilla.access.actors import Actor
from ventanilla.risk.selectors import rules_in_words
from ventanilla.risk.services import NotEnoughCases, risk_train

OPERATOR = Actor(label="command:risk", sees_everything=True)


class Command(BaseCommand):
    help = "Deadline risk: train the tree that flags open cases likely to be answered late."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        train = actions.add_parser("train", help="train a new version and score the open cases")
        train.add_argument(
            "--depth", type=int, default=None, help="levels of the tree, 1 to 8 (default set)"
        )
        train.add_argument(
            "--threshold",
            type=float,
            default=None,
            help="share of late cases in a rule that flags its open cases, above 0, up to 1",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        depth = options["depth"]
        if depth is not None and not 1 <= depth <= 8:
            raise CommandError("--depth must be from 1 to 8.")
        threshold = options["threshold"]
        if threshold is not None and not 0 < threshold <= 1:
            raise CommandError("--threshold must be above 0, up to 1.")
        try:
            model = risk_train(
                depth=depth,
                threshold=threshold,
                progress=lambda message: self.stderr.write(message),
            )
        except NotEnoughCases as few:
            raise CommandError(str(few)) from few
        with translation.override("en"):
            for rule in rules_in_words(actor=OPERATOR, model=model):
                mark = "AT RISK" if rule.flags else "       "
                self.stdout.write(
                    f"{mark} {rule.share:6.1%} late of {rule.cases:>7,} "
                    f"({rule.open_now:,} open now): " + "; ".join(rule.conditions)
                )
        held = model.evaluation
        tree, by_service = held["tree"], held["by_service"]
        self.stdout.write(
            f"Version {model.version}: learnt from {model.cases:,} cases ({model.late:,} late) "
            f"in {model.seconds:.1f} s. On the newest {held['tested_on']:,} "
            f"({held['late_share']:.1%} late): the tree flags {tree['flagged']:,}, precision "
            f"{tree['precision']:.2f}, recall {tree['recall']:.2f}, F1 {tree['f1']:.2f}, "
            f"AUC {held['tree_auc']:.2f}; by service alone precision "
            f"{by_service['precision']:.2f}, recall {by_service['recall']:.2f}, F1 "
            f"{by_service['f1']:.2f}, AUC {held['by_service_auc']:.2f}."
        )
