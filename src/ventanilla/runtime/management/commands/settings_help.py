"""``ventanilla settings_help``: every environment variable Ventanilla reads, with its help text,
as the Markdown table in docs/operations.md."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Print every environment variable Ventanilla reads, as a Markdown table."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("| variable | meaning (default) |\n| --- | --- |")
        for name, text in sorted(settings.SETTINGS_HELP.items()):
            self.stdout.write(f"| `{name}` | {text.replace('|', '/')} |")
