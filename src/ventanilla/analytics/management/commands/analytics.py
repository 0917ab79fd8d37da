"""``ventanilla analytics detect [--today DATE]``: look for emerging problems on a day now (today
by default) and print the alerts kept."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ventanilla.analytics.services import alerts_detect


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"--today must be a date as YYYY-MM-DD, not {text!r}.") from error


class Command(BaseCommand):
    help = "Analytics: look for emerging problems (a contact rising in a district) on a day."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        detect = actions.add_parser("detect", help="flag (service, district) counts above normal")
        detect.add_argument("--today", default=None, help="the day to check (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        today = _day(options["today"]) if options["today"] else timezone.localdate()
        found = alerts_detect(today=today)
        for alert in found.alerts:
            self.stdout.write(
                f"{alert.service.code:<40} {alert.district:<24} observed {alert.observed:>5}  "
                f"expected {alert.expected:>7.2f}  p {alert.p_value:.2e}"
            )
        self.stdout.write(
            f"{today}: {found.tested} service and district pairs tested, "
            f"{len(found.alerts)} alerts."
        )
