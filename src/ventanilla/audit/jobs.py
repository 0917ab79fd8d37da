"""The periodic checkpoint of the audit log: every VENTANILLA_AUDIT_CHECKPOINT_MINUTES the worker
signs the head when entries were added since the newest checkpoint, and copies it to the sink, so
a quiet evening leaves no long unsigned tail. It schedules its own next run (as retention does);
`ventanilla worker` makes sure one is waiting."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from ventanilla.audit.services import audit_checkpoint
from ventanilla.core.scheduling import task_waiting


@task()
def checkpoint_audit_log() -> dict[str, int | None]:
    try:
        checkpoint = audit_checkpoint(only_when_new_entries=True)
    finally:
        # The next run is queued even when the sink failed this time.
        schedule_checkpoints(force=True)
    return {"entry_id": checkpoint.entry_id if checkpoint else None}


def schedule_checkpoints(*, force: bool = False) -> bool:
    """Enqueue the next checkpoint unless one is already waiting (or they are turned off).
    Returns whether it enqueued. Two workers starting at once may both enqueue; a run with
    nothing new to sign does nothing."""
    minutes = settings.VENTANILLA_AUDIT_CHECKPOINT_MINUTES
    if minutes <= 0 or (not force and task_waiting(checkpoint_audit_log)):
        return False
    checkpoint_audit_log.using(run_after=timezone.now() + timedelta(minutes=minutes)).enqueue()
    return True
