"""Checks on API requests that come before any operation sees them."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _


class SingleValuedQueryMiddleware:
    """Refuses an API query string that repeats a parameter: every query parameter of the API
    takes one value, and silently keeping the last of several would hide a caller's mistake."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            repeated = sorted(name for name, values in request.GET.lists() if len(values) > 1)
            if repeated:
                from ventanilla.api.problems import problem
                from ventanilla.api.urls import api

                message = _("Give this parameter once.")
                return problem(
                    api,
                    request,
                    code="validation-error",
                    status=422,
                    detail="; ".join(f"{name}: {message}" for name in repeated),
                    errors=[{"field": name, "message": message} for name in repeated],
                )
        return self.get_response(request)
