"""Background work of notices: every few minutes, the notices whose publication has started are
written to the outbox for their subscribers; the run schedules its own next one, and
`ventanilla worker` makes sure one exists. Safe to run twice: each notice is sent once."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from ventanilla.core.scheduling import task_waiting
from ventanilla.notices.services import notices_deliver

DELIVER_EVERY = timedelta(minutes=5)


@task()
def deliver_notices() -> dict[str, int]:
    """Send the notices whose time has come; then come back in a few minutes."""
    report = notices_deliver()
    schedule_notice_delivery(force=True)
    return report


def schedule_notice_delivery(*, force: bool = False) -> bool:
    """Enqueue the next run unless one is already waiting. Returns whether it did."""
    if not force and task_waiting(deliver_notices):
        return False
    deliver_notices.using(run_after=timezone.now() + DELIVER_EVERY).enqueue()
    return True
