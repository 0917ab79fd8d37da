"""``ventanilla worker``: the background worker. It makes sure the periodic jobs named in
``settings.VENTANILLA_PERIODIC_JOBS`` (the daily retention run and deadline sweep, the audit
checkpoint, the outbox check, and that no queued notification is left behind) are scheduled,
then processes the queue until stopped: with the database backend by django-tasks-db's
``db_worker``, with VENTANILLA_TASKS_BACKEND=rq by an RQ worker on Redis."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils.module_loading import import_string


class Command(BaseCommand):
    help = "Run the background worker (the Django Tasks database backend, or RQ on Redis)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch", action="store_true", help="process what is due now, then exit"
        )
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")

    def handle(self, *args: Any, **options: Any) -> None:
        for path, scheduled in settings.VENTANILLA_PERIODIC_JOBS:
            if import_string(path)():
                self.stdout.write(scheduled)
        if settings.VENTANILLA_TASKS_BACKEND == "rq":
            self._run_rq(batch=options["batch"])
            return
        worker_args = ["--interval", str(options["interval"]), "--no-startup-delay"]
        if options["batch"]:
            worker_args.append("--batch")
        call_command("db_worker", *worker_args, "--no-reload")

    def _run_rq(self, *, batch: bool) -> None:
        # django-tasks-rq needs its own Job class on the worker; the scheduler moves tasks with a
        # run_after (the daily runs, the retries of notifications) into the queue when due.
        queues = list(settings.TASKS["default"].get("QUEUES") or settings.RQ_QUEUES)
        rq_args = [*queues, "--job-class", "django_tasks_rq.Job", "--with-scheduler"]
        if batch:
            rq_args.append("--burst")
        call_command("rqworker", *rq_args)
