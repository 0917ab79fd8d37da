"""The pause before trying again something sent outside (a message to a citizen, an event to
another system's webhook): minutes at first, then every few hours, so a receiver down for a
night is caught up in the morning without being hammered meanwhile."""

from __future__ import annotations

from datetime import timedelta

# The pause before the next try, after 1, 2, 3 and 4 failed attempts; after that, RETRY_EVERY.
RETRY_AFTER = {
    1: timedelta(minutes=1),
    2: timedelta(minutes=5),
    3: timedelta(minutes=30),
    4: timedelta(hours=2),
}


RETRY_EVERY = timedelta(hours=4)


def next_retry_in(attempts: int) -> timedelta:
    return RETRY_AFTER.get(attempts, RETRY_EVERY)
