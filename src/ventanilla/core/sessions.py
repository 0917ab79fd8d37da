"""Staff sessions end when left idle (VENTANILLA_SESSION_IDLE_SECONDS) and, however active,
after their lifetime (VENTANILLA_SESSION_SECONDS) counted from the sign-in."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

STARTED_KEY = "ventanilla_signed_in_at"
SEEN_KEY = "ventanilla_seen_at"
# The last-seen time is written at most this often, so a busy member of staff does not cost a
# session write on every request; the idle limit is exact to within this many seconds.
SEEN_RESOLUTION_SECONDS = 60


def session_started(session: SessionBase) -> None:
    """Mark the sign-in time; called by the sign-in view (a re-sign-in starts a new lifetime)."""
    now = int(time.time())
    session[STARTED_KEY] = now
    session[SEEN_KEY] = now


class SessionLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> None:
        session = request.session
        now = int(time.time())
        started = session.setdefault(STARTED_KEY, now)
        seen = session.setdefault(SEEN_KEY, now)
        idle = now - seen > settings.VENTANILLA_SESSION_IDLE_SECONDS
        if idle or now - started > settings.SESSION_COOKIE_AGE:
            logout(request)
            messages.info(request, _("Your session has ended. Please sign in again."))
            return
        if now - seen >= SEEN_RESOLUTION_SECONDS:
            session[SEEN_KEY] = now
