"""Background work of appointments: every morning, the reminders of the next day's appointments
are written to the outbox (which sends them); the run schedules its own next one, and
`ventanilla worker` makes sure one exists."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from django_tasks import task

from ventanilla.appointments.services import reminders_queue
from ventanilla.core.scheduling import task_waiting

# The local hour of the reminders: in the morning, so the citizen has the day to move or cancel.
REMINDER_HOUR = 10


def next_reminders_run_after(now: datetime | None = None) -> datetime:
    local = timezone.localtime(now or timezone.now())
    at = local.replace(hour=REMINDER_HOUR, minute=0, second=0, microsecond=0)
    return at if at > local else at + timedelta(days=1)


@task()
def send_reminders() -> dict[str, int]:
    """Remind the citizens with an appointment tomorrow; then come back the next morning. Safe to
    run twice: an appointment reminded once is marked."""
    reminded = reminders_queue(day=timezone.localdate() + timedelta(days=1))
    schedule_reminders(force=True)
    return {"reminded": reminded}


def schedule_reminders(*, force: bool = False) -> bool:
    """Enqueue the next morning's run unless one is already waiting. Returns whether it did."""
    if not force and task_waiting(send_reminders):
        return False
    send_reminders.using(run_after=next_reminders_run_after()).enqueue()
    return True
