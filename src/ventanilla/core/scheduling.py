"""Whether a task is already waiting in the queue, whichever Tasks backend is configured (the
database or RQ), so the periodic tasks each keep exactly one instance scheduled."""

from __future__ import annotations

from typing import Any

from django_tasks.base import Task

from ventanilla.core.statements import db_value, exists, fields_of


def task_waiting(task: Task[Any, Any], *, due_now: bool = False) -> bool:
    """True when an instance of ``task`` is queued or scheduled and has not started yet; with
    ``due_now``, only one that may start at once (not one scheduled for later)."""
    backend = task.get_backend()
    if type(backend).__module__.startswith("django_tasks_rq"):
        return _rq_waiting(task, due_now=due_now)
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult, get_date_max

    # Every message queued asks it: a statement written once rather than built each time.
    table = DBTaskResult._meta.db_table
    sql = f"SELECT 1 FROM {table} WHERE task_path = %s AND status = %s"  # noqa: S608 - the model's table
    params: list[Any] = [task.module_path, "READY"]
    if due_now:
        # The backend stores "no time given" as the largest date.
        sql += " AND (run_after = %s OR run_after <= %s)"
        run_after = fields_of(DBTaskResult, "run_after")[0]
        params += [db_value(run_after, get_date_max()), db_value(run_after, timezone.now())]
    return exists(sql + " LIMIT 1", params)


def _rq_waiting(task: Task[Any, Any], *, due_now: bool = False) -> bool:
    import django_rq
    from rq.job import Job
    from rq.registry import ScheduledJobRegistry

    queue = django_rq.get_queue(task.queue_name)
    ids = list(queue.get_job_ids())
    if not due_now:
        scheduled = ScheduledJobRegistry(queue=queue)  # type: ignore[no-untyped-call]
        ids += list(scheduled.get_job_ids())
    jobs = Job.fetch_many(ids, connection=queue.connection) if ids else []
    return any(job is not None and job.func_name == task.module_path for job in jobs)
