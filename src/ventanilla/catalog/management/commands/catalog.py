"""``ventanilla catalog export|import``: the service catalogue as CPSV-AP JSON-LD."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ventanilla.catalog.cpsv import CatalogueImportError, catalogue_export, catalogue_import, dumps


class Command(BaseCommand):
    help = "Export the service catalogue as CPSV-AP JSON-LD, or import such a file."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser(
            "export", help="write the catalogue (to standard output by default)"
        )
        export.add_argument("--format", choices=["jsonld"], default="jsonld")
        export.add_argument("--output", "-o", help="file to write instead of standard output")
        load = sub.add_parser(
            "import", help="create or update services from a file; nothing changes on any error"
        )
        load.add_argument("file", help="a CPSV-AP JSON-LD file, as `catalog export` writes")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "export":
            text = dumps(catalogue_export())
            if options["output"]:
                Path(options["output"]).write_text(text, encoding="utf-8")
                self.stderr.write(f"Catalogue written to {options['output']}.")
            else:
                self.stdout.write(text, ending="")
            return
        path = Path(options["file"])
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise CommandError(f"{path}: cannot be read ({error.strerror}).") from error
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise CommandError(f"{path}: not valid JSON ({error}).") from error
        try:
            result = catalogue_import(document)
        except CatalogueImportError as error:
            lines = "\n".join(f"  - {problem}" for problem in error.problems)
            raise CommandError(
                f"{path}: nothing was imported; {len(error.problems)} problem(s):\n{lines}"
            ) from error
        self.stdout.write(
            f"{path}: {result.services_created} services created, "
            f"{result.services_updated} updated, {result.events} events, "
            f"{result.organisations_created} organisations created."
        )
