"""``ventanilla gdpr export PARTY``: everything held on a person, as JSON, a readable page, or a
zip holding both and a copy of each of their documents."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ventanilla.access.actors import Actor
from ventanilla.access.models import Scope
from ventanilla.core.errors import DomainError
from ventanilla.core.i18n import SUPPORTED
from ventanilla.privacy.export import party_export, party_export_json, party_export_zip
from ventanilla.privacy.export_page import party_export_page
from ventanilla.privacy.services import party_erase


class Command(BaseCommand):
    help = "Answer a data-subject access request: export everything held on a party."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="export everything held on a party")
        export.add_argument("party", help="the party's id")
        export.add_argument(
            "--format",
            choices=["json", "html", "zip"],
            default="json",
            help="zip: the JSON, the page and a copy of every document (needs --output)",
        )
        export.add_argument("--output", help="file to write (default: standard output)")
        export.add_argument(
            "--language",
            choices=SUPPORTED,
            help="language of the labels (default: the person's preferred language)",
        )
        export.add_argument(
            "--operator", default="operator", help="who runs the export, for the audit log"
        )
        erase = sub.add_parser("erase", help="pseudonymise a party (right to erasure)")
        erase.add_argument("party", help="the party's id")
        erase.add_argument("--reason", required=True, help="the request, for the audit log")
        erase.add_argument("--operator", default="operator")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = Actor(
            label=f"command:{options['operator']}",
            scopes=frozenset({Scope.PARTIES_READ, Scope.PARTIES_WRITE}),
            sees_everything=True,
        )
        if options["action"] == "erase":
            try:
                party = party_erase(
                    actor=actor, party_id=options["party"], reason=options["reason"]
                )
            except (DomainError, ValueError) as error:
                raise CommandError(f"Cannot erase party {options['party']}: {error}") from error
            self.stdout.write(f"Erased the identity of party {party.pk}; statistics are kept.")
            return
        party_id, language, output = options["party"], options["language"], options["output"]
        try:
            if options["format"] == "zip":
                if not output:
                    raise CommandError("A zip needs --output FILE.")
                with Path(output).open("wb") as into:
                    party_export_zip(actor=actor, party_id=party_id, into=into, language=language)
                self.stderr.write(f"Written {output}")
                return
            document = party_export(actor=actor, party_id=party_id, language=language)
        except (DomainError, ValueError) as error:
            raise CommandError(f"Cannot export party {party_id}: {error}") from error
        if options["format"] == "json":
            text = party_export_json(document)
        else:
            text = party_export_page(document)
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stderr.write(f"Written {output}")
        else:
            self.stdout.write(text)
