"""``ventanilla audit verify|checkpoint``: check the tamper-evident log, sign its head."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ventanilla.audit.services import audit_checkpoint
from ventanilla.audit.verification import audit_verify


class Command(BaseCommand):
    help = "Verify the audit log's hash chain, or sign a checkpoint of its head."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="walk the chain; exit 1 naming the first broken entry")
        sub.add_parser(
            "checkpoint", help="sign the head with VENTANILLA_AUDIT_KEY (run it from cron)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "checkpoint":
            checkpoint = audit_checkpoint()
            if checkpoint is None:
                self.stdout.write("The audit log is empty; nothing to sign.")
                return
            self.stdout.write(
                f"Signed checkpoint at entry #{checkpoint.entry_id}: {checkpoint.entry_hash}\n"
                "To have it timestamped outside this system (RFC 3161), send a request for "
                "this digest to a timestamp authority, e.g.:\n"
                f"  openssl ts -query -sha256 -digest {checkpoint.entry_hash} -cert "
                "-out checkpoint.tsq"
            )
            return
        verdict = audit_verify()
        if verdict.ok:
            self.stdout.write(f"The audit log is intact: {verdict.entries} entries checked.")
            return
        raise CommandError(
            f"The audit log is broken at entry #{verdict.entry_id}: {verdict.problem} "
            f"({verdict.entries} entries before it are intact)."
        )
