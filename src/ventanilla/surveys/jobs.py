"""Background work of surveys: every hour, the anonymous answers still sealed in surveys that
have closed are mixed into the count, however few (``services.closed_surveys_mix``); the run
schedules its own next one, and `ventanilla worker` makes sure one exists. Safe to run twice:
each sealed answer is mixed once."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from ventanilla.core.scheduling import task_waiting
from ventanilla.surveys.services import closed_surveys_mix

MIX_EVERY = timedelta(hours=1)


@task()
def mix_closed_surveys() -> dict[str, int]:
    """Mix what is left sealed in closed surveys; then come back in an hour."""
    mixed = closed_surveys_mix()
    schedule_closed_surveys_mix(force=True)
    return {"mixed": mixed}


def schedule_closed_surveys_mix(*, force: bool = False) -> bool:
    """Enqueue the next run unless one is already waiting. Returns whether it did."""
    if not force and task_waiting(mix_closed_surveys):
        return False
    mix_closed_surveys.using(run_after=timezone.now() + MIX_EVERY).enqueue()
    return True
