"""``ventanilla audit verify|checkpoint``: check the tamper-evident log, sign its head."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ventanilla.audit.services import audit_checkpoint
from ventanilla.audit.sink import SinkError
from ventanilla.audit.verification import audit_verify


class Command(BaseCommand):
    help = "Verify the audit log's hash chain, or sign a checkpoint of its head."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser(
            "verify", help="walk the chain; exit 1 naming the first broken entry"
        )
        verify.add_argument(
            "--sink",
            help="file:/path holding copies of the checkpoints (the file sink, or the file your "
            "syslog writes); default: VENTANILLA_AUDIT_SINK when it is a file",
        )
        sub.add_parser(
            "checkpoint",
            help="sign the head with VENTANILLA_AUDIT_KEY and copy it to VENTANILLA_AUDIT_SINK",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "checkpoint":
            self.checkpoint()
        else:
            self.verify(options.get("sink"))

    def checkpoint(self) -> None:
        try:
            checkpoint = audit_checkpoint()
        except OSError as error:
            raise CommandError(
                f"The checkpoint was signed in the database but could not be copied to "
                f"{settings.VENTANILLA_AUDIT_SINK}: {error}"
            ) from error
        if checkpoint is None:
            self.stdout.write("The audit log is empty; nothing to sign.")
            return
        copied = (
            f" and copied to {settings.VENTANILLA_AUDIT_SINK}"
            if settings.VENTANILLA_AUDIT_SINK
            else ""
        )
        self.stdout.write(
            f"Signed checkpoint at entry #{checkpoint.entry_id}{copied}: {checkpoint.entry_hash}\n"
            "To have it timestamped outside this system (RFC 3161), send a request for "
            "this digest to a timestamp authority, e.g.:\n"
            f"  openssl ts -query -sha256 -digest {checkpoint.entry_hash} -cert "
            "-out checkpoint.tsq"
        )

    def verify(self, sink: str | None) -> None:
        configured = settings.VENTANILLA_AUDIT_SINK
        if sink is None and configured.startswith("file:"):
            sink = configured
        try:
            verdict = audit_verify(sink=sink)
        except SinkError as error:
            raise CommandError(f"The copies of the checkpoints cannot be read: {error}.") from error
        if not verdict.ok:
            sound = f" ({verdict.entries} entries before it are sound)" if verdict.entries else ""
            raise CommandError(f"The audit log is broken: {verdict.problem}{sound}.")
        self.stdout.write(
            f"The audit log is intact: {verdict.entries} entries checked, against "
            f"{verdict.checkpoints} checkpoints in the database"
            + (f" and {verdict.copies} copies in {sink}." if sink else ".")
        )
        if not sink:
            self.stdout.write(
                "No copy of the checkpoints outside the database was checked: entries cut from "
                "the end since the newest checkpoint, with the head row rewound, would not show. "
                "Set VENTANILLA_AUDIT_SINK, or pass --sink file:/path (for syslog, the file it "
                "writes)."
            )
