"""When the database is busy: telling a held lock or a write conflict from other database errors,
re-running a short conflict a few times, and the "busy, try again" answer of the pages.

A lock held too long (SQLite's ``database is locked`` after its busy timeout, PostgreSQL's lock
timeout) and a conflict PostgreSQL resolved by cancelling one side (a deadlock, a serialization
failure) say nothing about the request: the same request may well succeed a moment later. So
the API answers 503 with ``Retry-After`` (see ``api/problems.py``) and the pages answer a 503 page
in the user's language (``ContentionMiddleware``), instead of a 500. Reads are affected too:
each read of personal data writes its audit entry.
"""

from __future__ import annotations

import functools
import logging
import random
import sys
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.db import OperationalError, transaction
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme

logger = logging.getLogger(__name__)

# Seconds a client is asked to wait before trying again.
RETRY_AFTER_SECONDS = 2
# A conflict is re-run at most this many times in all, after a short random pause each time.
ATTEMPTS = 3
PAUSE_SECONDS = (0.02, 0.15)
# Only a conflict that failed fast is re-run: a lock that already made the request wait out the
# database's timeout (5 s on SQLite) would most likely make it wait again, holding a worker.
SHORT_SECONDS = 1.0

# PostgreSQL: lock_not_available (lock_timeout, NOWAIT), serialization_failure, deadlock_detected.
_SQLSTATES = frozenset({"55P03", "40001", "40P01"})
_SQLITE_MESSAGES = ("database is locked", "database table is locked", "database is busy")

P = ParamSpec("P")
R = TypeVar("R")


def is_contention(exc: BaseException) -> bool:
    """Whether ``exc`` is the database being busy (a held lock, a conflict), not a fault."""
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    if getattr(cause, "sqlstate", None) in _SQLSTATES:
        return True
    message = str(exc).lower()
    return any(text in message for text in _SQLITE_MESSAGES)


def retry_on_contention(func: Callable[P, R]) -> Callable[P, R]:
    """Re-run ``func`` when its transaction met a short conflict, up to ``ATTEMPTS`` in all.

    Only for a function that is one whole transaction (a service) called outside any other:
    inside an open transaction the error is raised at once, for the caller that opened it to
    decide, since re-running a part of a transaction is not re-running the transaction. Files
    passed as arguments are rewound before a new attempt."""

    @functools.wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        if transaction.get_connection().in_atomic_block:
            return func(*args, **kwargs)
        for attempt in range(1, ATTEMPTS + 1):
            started = time.monotonic()
            try:
                return func(*args, **kwargs)
            except OperationalError as exc:
                short = time.monotonic() - started < SHORT_SECONDS
                if attempt == ATTEMPTS or not short or not is_contention(exc):
                    raise
                logger.info("write conflict in %s, attempt %d: %s", func.__name__, attempt, exc)
                for value in (*args, *kwargs.values()):
                    if hasattr(value, "seek") and hasattr(value, "read"):
                        value.seek(0)
                time.sleep(random.uniform(*PAUSE_SECONDS))  # noqa: S311 - spreading retries
        raise AssertionError("unreachable")  # pragma: no cover

    return run


def set_retry_after(response: HttpResponse) -> HttpResponse:
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def busy_page(request: HttpRequest) -> HttpResponse:
    """The page a person sees when the database is busy: in their language, with a way back."""
    again = request.get_full_path()
    if request.method not in ("GET", "HEAD"):
        # A form cannot be sent again by a link: back to the page it came from.
        referer = request.headers.get("Referer", "")
        safe = url_has_allowed_host_and_scheme(
            referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        again = referer if safe else "/"
    context = {"retry_after": RETRY_AFTER_SECONDS, "again_url": again}
    html = render_to_string("503.html", context, request=request)
    return set_retry_after(HttpResponse(html, status=503))


class ContentionMiddleware:
    """Turns the database being busy during a page into the 503 page. The API answers its own
    problem+json (its handler runs first); ``server_error`` covers the same error raised
    after the view, such as when the session is saved."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        # The API's own handler answers problem+json; what escapes it goes to ``server_error``.
        if request.path.startswith("/api/") or not is_contention(exception):
            return None
        logger.warning("database busy on %s %s: %s", request.method, request.path, exception)
        return busy_page(request)


def contention_in_flight() -> bool:
    """Whether the exception being handled now is the database being busy."""
    exc = sys.exc_info()[1]
    return exc is not None and is_contention(exc)
