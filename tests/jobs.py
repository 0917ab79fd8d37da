"""Running queued background jobs inside a test, as `ventanilla worker` would."""

from __future__ import annotations

from typing import Any

from django_tasks_db.models import DBTaskResult


def run_queued_jobs() -> list[Any]:
    """Run each job that is due, oldest first, and record its end; return what each returned.

    Jobs a run queues for later (a retry) wait until the clock reaches them, as in the worker."""
    values = []
    for row in DBTaskResult.objects.ready().order_by("enqueued_at"):
        value = row.task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
        row.set_successful(value)
        values.append(value)
    return values
