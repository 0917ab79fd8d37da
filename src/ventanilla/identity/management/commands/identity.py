"""``ventanilla identity match [--agencies CODE ...] [--no-progress]``: link every source record
not yet linked to exactly one golden party, training a new model version on the way.

Each action is a subparser with its own handler; the work is in ``identity/matching.py``."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from ventanilla.access.actors import Actor
from ventanilla.core.errors import ValidationFailed
from ventanilla.identity.matching import STAGES, identity_match

OPERATOR = Actor(label="command:identity", sees_everything=True)

_STAGE_NAMES = {
    "load": "reading records and parties",
    "prior": "estimating how often two records match",
    "u": "learning how often non-matches agree (u)",
    "m": "learning how often matches agree (m, EM)",
    "score": "scoring candidate pairs",
    "cluster": "clustering the links",
    "write": "linking records to parties",
}


class Command(BaseCommand):
    help = "Identity resolution: link other agencies' records to golden parties."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        match = actions.add_parser(
            "match", help="link every unlinked source record to exactly one party"
        )
        match.add_argument(
            "--agencies", nargs="+", default=[], metavar="CODE", help="only these agencies"
        )
        match.add_argument(
            "--no-progress", action="store_true", help="no progress bars on standard error"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"handle_{options['action']}")(**options)

    def handle_match(self, **options: Any) -> None:
        show = not options["no_progress"]
        bar = tqdm(total=len(STAGES), unit="stage", file=sys.stderr, disable=not show)

        def stage(name: str) -> None:
            bar.set_description(_STAGE_NAMES[name])
            bar.update(1)

        def progress(items: Any) -> Any:
            return tqdm(items, unit="clusters", file=sys.stderr, disable=not show, leave=False)

        try:
            summary = identity_match(
                actor=OPERATOR, agencies=options["agencies"], stage=stage, progress=progress
            )
        except ValidationFailed as error:
            raise CommandError(" ".join(str(m) for m in error.errors.values())) from error
        finally:
            bar.close()
        if summary.model_version is None:
            self.stdout.write(
                f"Nothing to match: all {summary.records} records already belong to a party."
            )
            return
        self.stdout.write(
            f"Model v{summary.model_version}: {summary.records} records, "
            f"{summary.already_linked} already linked, {summary.linked_by_rule} linked by rule, "
            f"{summary.linked_by_model} by the model, {summary.new_parties} new parties, "
            f"{summary.reviews} pairs to review."
        )
        if summary.unlinked:
            self.stdout.write(f"{summary.unlinked} records have no name to register a party by.")
