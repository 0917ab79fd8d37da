"""Background work of the mail intake: reading the mailbox every few minutes when one is
configured (VENTANILLA_MAIL_IMAP_HOST); `ventanilla worker` keeps one reading scheduled."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from ventanilla.core.scheduling import task_waiting
from ventanilla.mail.imap import MailboxUnavailable, mail_fetch


@task()
def fetch_mail() -> dict[str, Any]:
    """Read the mailbox, then come back in VENTANILLA_MAIL_FETCH_MINUTES. A mailbox that cannot
    be reached is reported in the result and tried again next time."""
    try:
        result = mail_fetch().as_dict()
    except MailboxUnavailable as error:
        result = {"unavailable": str(error)}
    schedule_mail_fetch(force=True)
    return result


def schedule_mail_fetch(*, force: bool = False) -> bool:
    """Enqueue the next reading unless no mailbox is configured or one is already waiting."""
    if not settings.VENTANILLA_MAIL_IMAP_HOST:
        return False
    if not force and task_waiting(fetch_mail):
        return False
    every = timedelta(minutes=settings.VENTANILLA_MAIL_FETCH_MINUTES)
    fetch_mail.using(run_after=timezone.now() + every).enqueue()
    return True
