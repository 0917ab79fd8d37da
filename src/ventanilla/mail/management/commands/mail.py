"""`ventanilla mail fetch`: read the citizens' mailbox now (as the worker does on its schedule)."""

from __future__ import annotations

import argparse
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ventanilla.mail.imap import MailboxUnavailable, mail_fetch


class Command(BaseCommand):
    help = "Email intake: `fetch` reads the IMAP mailbox's unseen messages now."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("action", choices=["fetch"])
        parser.add_argument("--limit", type=int, default=500, help="most messages read")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.VENTANILLA_MAIL_IMAP_HOST:
            raise CommandError(
                "No mailbox: set VENTANILLA_MAIL_IMAP_HOST (see docs/operations.md)."
            )
        try:
            report = mail_fetch(limit=options["limit"])
        except MailboxUnavailable as error:
            raise CommandError(f"The mailbox could not be read: {error}") from error
        self.stdout.write(
            f"Read {report.fetched} messages: {report.recorded} recorded, "
            f"{report.needs_person} waiting for a person, {report.automatic} automatic; "
            f"{report.retried} handled again."
        )
        if report.failed:
            raise CommandError(f"Could not fetch messages {', '.join(report.failed)}; run again.")
