"""Checks on API requests that come before any operation sees them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


class SingleValuedQueryMiddleware:
    """Refuses API input no operation can take, before it reaches one: a query string that
    repeats a parameter (every query parameter takes one value, and keeping the last of several
    would hide a caller's mistake), and NUL characters in the query or a JSON body (no text
    field can store them; PostgreSQL refuses them)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        repeated = sorted(name for name, values in request.GET.lists() if len(values) > 1)
        if repeated:
            message = _("Give this parameter once.")
            return _refuse(request, {name: message for name in repeated})
        nul = _("Text may not contain NUL characters.")
        bad_query = sorted(
            name for name, values in request.GET.lists() if _has_nul([name, *values])
        )
        if bad_query:
            return _refuse(request, {name: nul for name in bad_query})
        if request.content_type == "application/json":
            try:
                raw = request.body
            except RequestDataTooBig:
                raw = b""  # the operation answers 413 with a problem of its own
            if b"\\u0000" in raw:
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = None  # the operation answers 400 for a body it cannot read
                if _has_nul(body):
                    return _refuse(request, {"body": nul})
        return self.get_response(request)


# What an API body may be: JSON for every operation, multipart for those that take a document
# (the operations that read JSON refuse multipart themselves: see problems.JsonOnlyParser).
BODY_CONTENT_TYPES = frozenset({"application/json", "multipart/form-data"})
# ... and a raw message for the one operation a mail gateway posts to.
RAW_MESSAGE_PATH = "/api/v1/mail/messages"
RAW_MESSAGE_TYPE = "message/rfc822"


def _has_body(request: HttpRequest) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 1  # a length that is not a number: there is something, of unknown size
    return length > 0 or "HTTP_TRANSFER_ENCODING" in request.META


class BodyContentTypeMiddleware:
    """Refuses with 415 an API body of any other content type than the API reads: a JSON text
    sent as ``text/plain`` (or with no type at all) was read as JSON whatever it claimed, and
    a form body would be read as nothing."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.path.startswith("/api/")
            and _has_body(request)
            and request.content_type not in BODY_CONTENT_TYPES
            and not (request.path == RAW_MESSAGE_PATH and request.content_type == RAW_MESSAGE_TYPE)
        ):
            from ventanilla.api.problems import problem, unsupported_body_detail

            return problem(
                request,
                code="unsupported-body",
                status=415,
                detail=unsupported_body_detail(),
            )
        return self.get_response(request)


def _refuse(request: HttpRequest, errors: dict[str, str]) -> HttpResponse:
    from ventanilla.api.problems import problem

    return problem(
        request,
        code="validation-error",
        status=422,
        detail="; ".join(f"{name}: {message}" for name, message in errors.items()),
        errors=[{"field": name, "message": message} for name, message in errors.items()],
    )
