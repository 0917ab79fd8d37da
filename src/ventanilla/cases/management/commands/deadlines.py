"""``ventanilla deadlines``: warn and escalate cases now (with a progress bar), or count what the
daily sweep would do (``--dry-run``); ``--today`` runs it as of another day."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from ventanilla.cases.deadlines import deadline_sweep
from ventanilla.core import dates


class Command(BaseCommand):
    help = "Warn cases near their due date and escalate those past it, then mail the digests."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="count only; change nothing")
        parser.add_argument("--today", help="run as of this day (YYYY-MM-DD); default today")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["today"]:
            try:
                today = date.fromisoformat(options["today"])
            except ValueError as error:
                raise CommandError("--today must be a date as YYYY-MM-DD.") from error
            if problem := dates.end_error(today):
                raise CommandError(f"--today: {problem}")
        show = not (options["no_progress"] or options["dry_run"])
        bar = tqdm(unit="cases") if show else None

        def progress(done: int, total: int) -> None:
            if bar is not None:
                bar.total = total
                bar.n = done
                bar.refresh()

        report = deadline_sweep(today=today, dry_run=options["dry_run"], on_progress=progress)
        if bar is not None:
            bar.close()
        if report.dry_run:
            self.stdout.write(f"Due on {report.today} (dry run, nothing changed):")
        else:
            self.stdout.write(f"Deadlines applied for {report.today}:")
        self.stdout.write(f"warned     {report.warned:>9}")
        self.stdout.write(f"escalated  {report.escalated:>9}")
        if not report.dry_run:
            self.stdout.write(f"digests    {report.digests:>9}")
        self.stdout.write(f"seconds    {report.seconds:>9.2f}")
