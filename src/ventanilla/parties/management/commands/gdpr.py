"""``ventanilla gdpr export PARTY``: everything held on a person, as JSON or a readable page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string

from ventanilla.access.actors import Actor
from ventanilla.access.models import Scope
from ventanilla.core.errors import DomainError
from ventanilla.parties.export import party_export
from ventanilla.parties.services import party_erase


class Command(BaseCommand):
    help = "Answer a data-subject access request: export everything held on a party."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="export everything held on a party")
        export.add_argument("party", help="the party's id")
        export.add_argument("--format", choices=["json", "html"], default="json")
        export.add_argument("--output", help="file to write (default: standard output)")
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
        try:
            document = party_export(actor=actor, party_id=options["party"])
        except (DomainError, ValueError) as error:
            raise CommandError(f"Cannot export party {options['party']}: {error}") from error
        if options["format"] == "json":
            text = json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        else:
            text = render_to_string("gdpr/export.html", {"doc": document})
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
            self.stderr.write(f"Written {options['output']}")
        else:
            self.stdout.write(text)
