"""Background work of parties: emailing a portal sign-in link, with retries while the link
would still be worth receiving."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from ventanilla.parties.signin import SendOutcome, portal_sign_in_send

logger = logging.getLogger(__name__)

# Pauses before each new attempt when the mail server fails: about 7.5 minutes in all, within
# the link's 15. Later, the person has asked again or given up, and a late link only confuses.
RETRY_AFTER = (
    timedelta(seconds=30),
    timedelta(minutes=1),
    timedelta(minutes=2),
    timedelta(minutes=4),
)


@task()
def send_sign_in_link(
    contact_id: str, link_template: str, requested_at: str, attempt: int = 1
) -> str:
    """One attempt at emailing a sign-in link (queued for every request, matching or not)."""
    try:
        outcome = portal_sign_in_send(
            contact_id=contact_id, link_template=link_template, requested_at=requested_at
        )
    # Any mail backend (SMTP, a provider's client) raises errors of its own kinds; whichever it
    # is, the failure is logged and the link tried again, never dropped in silence.
    except Exception:
        if attempt > len(RETRY_AFTER):
            logger.exception(
                "portal sign-in: gave up emailing a link after %d attempts (contact %s)",
                attempt,
                contact_id,
            )
            return "gave_up"
        logger.warning(
            "portal sign-in: emailing a link failed (attempt %d, contact %s); trying again",
            attempt,
            contact_id,
            exc_info=True,
        )
        send_sign_in_link.using(run_after=timezone.now() + RETRY_AFTER[attempt - 1]).enqueue(
            contact_id, link_template, requested_at, attempt + 1
        )
        return "retrying"
    if outcome == SendOutcome.TOO_LATE:
        # The worker was behind (or down) for longer than a link lives: say so, as a lost link.
        logger.warning("portal sign-in: a request waited too long in the queue; no link was sent")
    return outcome
