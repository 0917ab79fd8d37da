"""Per-key and per-address rate limits of the API, counted in the shared cache.

A fixed one-minute window per caller, counted by ``core.ratelimit.hit``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from ventanilla.core.errors import DomainError
from ventanilla.core.ratelimit import Allowance, hit

WINDOW_SECONDS = 60
_REQUEST_ATTRIBUTE = "_ventanilla_rate_allowance"


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


def remember(request: HttpRequest, allowance: Allowance) -> None:
    setattr(request, _REQUEST_ATTRIBUTE, allowance)  # noqa: B010 - HttpRequest has no slot


def check_key(request: HttpRequest, *, key_id: str, own_limit: int | None) -> None:
    """Count a call made with an API key; raise RateLimited when the key is over its limit."""
    limit = own_limit if own_limit is not None else settings.VENTANILLA_API_RATE_PER_MINUTE
    if limit <= 0:
        return
    allowance = hit(f"key:{key_id}", limit, window=WINDOW_SECONDS)
    remember(request, allowance)
    if not allowance.allowed:
        raise RateLimited(allowance)


def check_address(request: HttpRequest) -> Allowance | None:
    """Count a call without a valid API key against the client's address."""
    limit = settings.VENTANILLA_API_ANONYMOUS_RATE_PER_MINUTE
    if limit <= 0:
        return None
    # REMOTE_ADDR is the proxy's behind a load balancer; see docs/operations.md.
    allowance = hit(f"ip:{request.META.get('REMOTE_ADDR', '')}", limit, window=WINDOW_SECONDS)
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

    response = problem(request, code=error.code, status=error.status, detail=error.message)
    set_retry_after(response, error.allowance)
    return response
