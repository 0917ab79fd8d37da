"""Per-key and per-address rate limits of the API, counted in the shared cache.

A fixed one-minute window per caller: ``cache.add`` starts the window's counter and ``cache.incr``
bumps it atomically, so every gunicorn worker and host sharing the Redis cache counts together
(with the local-memory cache each process counts on its own).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from ventanilla.core.errors import DomainError

WINDOW_SECONDS = 60
_REQUEST_ATTRIBUTE = "_ventanilla_rate_allowance"


@dataclass(frozen=True)
class Allowance:
    """Where a caller stands in the current window."""

    limit: int
    used: int
    reset_seconds: int

    @property
    def allowed(self) -> bool:
        return self.used <= self.limit

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)


class RateLimited(DomainError):
    """The caller used up its calls for this window; ``retry_after`` says when it may go on."""

    code = "rate-limited"
    status = 429

    def __init__(self, allowance: Allowance) -> None:
        super().__init__(
            _("Too many requests: at most %(limit)d a minute. Try again in %(seconds)d seconds.")
            % {"limit": allowance.limit, "seconds": allowance.reset_seconds}
        )
        self.allowance = allowance


def hit(identity: str, limit: int, *, window: int = WINDOW_SECONDS) -> Allowance:
    """Count one call of ``identity`` in the current window and say whether it is allowed."""
    now = time.time()
    index = int(now // window)
    reset_seconds = max(1, math.ceil((index + 1) * window - now))
    key = f"ratelimit:{identity}:{window}:{index}"
    # Most calls find the window's counter there: incr first saves a round trip to Redis. The
    # first call of a window adds it; add is atomic, so of two first calls only one wins and the
    # other counts on. The counter outlives its window a little, so a late incr finds it.
    try:
        used = cache.incr(key)
    except ValueError:
        if cache.add(key, 1, timeout=window + 5):
            used = 1
        else:
            used = cache.incr(key)
    return Allowance(limit=limit, used=used, reset_seconds=reset_seconds)


def remember(request: HttpRequest, allowance: Allowance) -> None:
    setattr(request, _REQUEST_ATTRIBUTE, allowance)  # noqa: B010 - HttpRequest has no slot


def check_key(request: HttpRequest, *, key_id: str, own_limit: int | None) -> None:
    """Count a call made with an API key; raise RateLimited when the key is over its limit."""
    limit = own_limit if own_limit is not None else settings.VENTANILLA_API_RATE_PER_MINUTE
    if limit <= 0:
        return
    allowance = hit(f"key:{key_id}", limit)
    remember(request, allowance)
    if not allowance.allowed:
        raise RateLimited(allowance)


def check_address(request: HttpRequest) -> Allowance | None:
    """Count a call without a valid API key against the client's address."""
    limit = settings.VENTANILLA_API_ANONYMOUS_RATE_PER_MINUTE
    if limit <= 0:
        return None
    # REMOTE_ADDR is the proxy's behind a load balancer; see docs/operations.md.
    allowance = hit(f"ip:{request.META.get('REMOTE_ADDR', '')}", limit)
    remember(request, allowance)
    return allowance


def set_retry_after(response: HttpResponse, allowance: Allowance) -> None:
    response["Retry-After"] = str(allowance.reset_seconds)


def _has_bearer(request: HttpRequest) -> bool:
    return request.headers.get("Authorization", "").lower().startswith("bearer ")


class RateLimitHeadersMiddleware:
    """Limits calls to the API without a key per client address, and tells every API caller
    where it stands (``RateLimit-Limit``, ``RateLimit-Remaining``, ``RateLimit-Reset``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        if not _has_bearer(request):
            allowance = check_address(request)
            if allowance is not None and not allowance.allowed:
                return _too_many(request, RateLimited(allowance))
        response = self.get_response(request)
        allowance = getattr(request, _REQUEST_ATTRIBUTE, None)
        if isinstance(allowance, Allowance):
            response["RateLimit-Limit"] = str(allowance.limit)
            response["RateLimit-Remaining"] = str(allowance.remaining)
            response["RateLimit-Reset"] = str(allowance.reset_seconds)
            if not allowance.allowed:
                set_retry_after(response, allowance)
        return response


def _too_many(request: HttpRequest, error: RateLimited) -> HttpResponse:
    from ventanilla.api.problems import problem
    from ventanilla.api.urls import api

    response = problem(api, request, code=error.code, status=error.status, detail=error.message)
    set_retry_after(response, error.allowance)
    return response
