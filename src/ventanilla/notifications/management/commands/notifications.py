"""``ventanilla notifications resend --failed [--since DATE]``: after a long outage, send again
every message to citizens that was given up, as the console's "Send again" does for one (each
one audited). ``ventanilla notifications status`` shows whether the outbox drains."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ventanilla.access.actors import Actor
from ventanilla.core import dates
from ventanilla.notifications.undelivered import notifications_resend_failed, outbox_health

OPERATOR = Actor(label="command:notifications", sees_everything=True)


class Command(BaseCommand):
    help = "Send again the messages to citizens that were given up, or show the outbox's state."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        resend = actions.add_parser("resend", help="queue given-up messages to be sent again")
        resend.add_argument(
            "--failed", action="store_true", required=True, help="the messages given up"
        )
        resend.add_argument("--since", help="only those written on or after (YYYY-MM-DD)")
        actions.add_parser("status", help="queued and given-up messages, and the oldest wait")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "status":
            health = outbox_health()
            self.stdout.write(f"queued           {health.queued:>9}")
            self.stdout.write(f"oldest (minutes) {health.waited_minutes:>9}")
            self.stdout.write(f"given up (24 h)  {health.failed_recently:>9}")
            return
        since = None
        if options["since"]:
            try:
                since = date.fromisoformat(options["since"])
            except ValueError as error:
                raise CommandError("--since must be a date as YYYY-MM-DD.") from error
            if problem := dates.end_error(since):
                raise CommandError(f"--since: {problem}")
        count = notifications_resend_failed(actor=OPERATOR, since=since)
        self.stdout.write(f"Queued {count} messages to be sent again.")
