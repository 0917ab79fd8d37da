"""``ventanilla surveys load FILE.json``: load a survey prepared elsewhere (format in
docs/operations.md, "Surveys"), as the operator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ventanilla.access.actors import Actor
from ventanilla.core.errors import ValidationFailed
from ventanilla.surveys.services import survey_load


class Command(BaseCommand):
    help = "Load a survey and its questions from a JSON file."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="Load one survey from a JSON file.")
        load.add_argument("file", type=Path)
        load.add_argument("--operator", default="operator", help="Who loads it, for the audit log.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        if not isinstance(data, dict):
            raise CommandError("The file must hold one JSON object (a survey).")
        actor = Actor(label=f"command:{options['operator']}"[:150], sees_everything=True)
        try:
            loaded = survey_load(actor=actor, data=data)
        except ValidationFailed as failure:
            lines = "\n".join(f"  {field}: {error}" for field, error in failure.errors.items())
            raise CommandError(f"The survey was not loaded:\n{lines}") from failure
        self.stdout.write(
            f"Loaded survey {loaded.survey.pk} “{loaded.survey.title_es}” "
            f"with {loaded.questions} questions."
        )
