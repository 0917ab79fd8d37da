"""``ventanilla worker``: the background worker. It makes sure the periodic tasks (the daily
retention run) are scheduled, then processes the task queue until stopped."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from ventanilla.retention.tasks import schedule_retention


class Command(BaseCommand):
    help = "Run the background worker (the Django Tasks database backend)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch", action="store_true", help="process what is due now, then exit"
        )
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")

    def handle(self, *args: Any, **options: Any) -> None:
        if schedule_retention():
            self.stdout.write("Scheduled the daily retention run.")
        worker_args = ["--interval", str(options["interval"]), "--no-startup-delay"]
        if options["batch"]:
            worker_args.append("--batch")
        call_command("db_worker", *worker_args, "--no-reload")
