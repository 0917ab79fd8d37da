"""``ventanilla retention``: report what the retention rules would remove (``--dry-run``), apply
them now with a progress bar, or schedule the daily task."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from ventanilla.retention.jobs import next_run_after, schedule_retention
from ventanilla.retention.models import RetentionRule
from ventanilla.retention.services import retention_apply


class Command(BaseCommand):
    help = "Apply the retention rules, report what is due (--dry-run), or schedule the daily run."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["apply", "schedule", "rules"])
        parser.add_argument(
            "--dry-run", action="store_true", help="report what is due; change nothing"
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "rules":
            for rule in RetentionRule.objects.all():
                state = "on " if rule.enabled else "off"
                self.stdout.write(
                    f"{state} {rule.category:<12} {rule.keep_days:>6} d  {rule.legal_reference}"
                )
            return
        if options["action"] == "schedule":
            enqueued = schedule_retention()
            when = next_run_after().isoformat(timespec="minutes")
            self.stdout.write(
                f"Daily retention enqueued for {when}."
                if enqueued
                else "Daily retention is already scheduled."
            )
            return
        bar = None if options["no_progress"] or options["dry_run"] else tqdm(unit="rows")

        def progress(done: int, due: int) -> None:
            if bar is not None:
                bar.total = due
                bar.n = done
                bar.refresh()

        run = retention_apply(dry_run=options["dry_run"], on_progress=progress)
        if bar is not None:
            bar.close()
        title = "Due under the retention rules (dry run, nothing changed)"
        self.stdout.write(title if run.dry_run else "Retention applied")
        self.stdout.write(f"{'what':<28} {'keep':>7} {'due':>9} {'done':>9}  oldest")
        for key, item in run.report.items():
            oldest = (item["oldest"] or "-")[:10]
            self.stdout.write(
                f"{key:<28} {item['keep_days']:>6}d {item['rows']:>9} {item['done']:>9}  {oldest}"
            )
        self.stdout.write(f"run {run.pk}: {run.rows_due} due, {run.rows_done} handled")
