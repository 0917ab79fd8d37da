"""RFC 9457 problem details: the one error shape of the API, mapped from every error here."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousMultipartForm,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.responses import NinjaJSONEncoder

from ventanilla.api import ratelimit
from ventanilla.api.auth import SecondFactorRequired
from ventanilla.core import contention
from ventanilla.core.errors import DomainError, ValidationFailed

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:ventanilla:problem:"


JSON_CONTENT_TYPE = "application/json"


class NotJson(Exception):
    """A body sent to an operation that reads JSON, under another content type."""


class JsonOnlyParser(Parser):
    """ninja's parser, which reads any body as JSON whatever it says it is; this one reads only
    a body that says it is JSON (``application/json``, with or without a charset), so a form or
    a text posted by mistake is refused (415) instead of being taken for what it is not."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        if request.content_type != JSON_CONTENT_TYPE:
            raise NotJson(request.content_type)
        return super().parse_body(request)


def unsupported_body_detail() -> str:
    return _(
        "Send the body as application/json (documents: multipart/form-data, where the "
        "operation takes a file)."
    )


class ProblemDocumentingAPI(NinjaAPI):
    """The API, whose OpenAPI document says errors come as ``application/problem+json`` — the
    content type they really carry — rather than ninja's default ``application/json``."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for item in schema.get("paths", {}).values():
            for operation in item.values():
                for response in operation.get("responses", {}).values():
                    content = response.get("content", {})
                    body = content.get("application/json", {})
                    if body.get("schema", {}).get("$ref", "").endswith("/ProblemOut"):
                        content[PROBLEM_CONTENT_TYPE] = content.pop("application/json")
        return schema


def _titles() -> dict[str, str]:
    return {
        "validation-error": _("Your request has invalid fields."),
        "not-found": _("Not found."),
        "permission-denied": _("You may not do this."),
        "sharing-refused": _("No consent or legal basis covers this request."),
        "conflict": _("This conflicts with the current state."),
        "possible-duplicate": _("This person may already be registered."),
        "invalid-transition": _("The case cannot take this step from its current status."),
        "edit-conflict": _("Someone else changed this case; reload it and try again."),
        "not-authenticated": _("Authentication required."),
        "payload-too-large": _("The request body is too large."),
        "malformed-request": _("The request could not be read."),
        "domain-error": _("The request could not be carried out."),
        "rate-limited": _("Too many requests."),
        "unsupported-media-type": _("This kind of file is not accepted."),
        "unsupported-body": _("The body is not of a type this operation reads."),
        "busy": _("The service is busy."),
    }


def problem(
    request: HttpRequest,
    *,
    code: str,
    status: int,
    detail: str,
    errors: list[dict[str, str]] | None = None,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + code,
        "title": _titles().get(code, code),
        "status": status,
        "detail": detail,
        "instance": request.path,
        "errors": errors or [],
    }
    body.update(extra or {})
    response = JsonResponse(body, status=status, encoder=NinjaJSONEncoder)
    response["Content-Type"] = PROBLEM_CONTENT_TYPE
    return response


def busy(request: HttpRequest) -> HttpResponse:
    """503 with ``Retry-After``: the database was busy (a held lock, a write conflict)."""
    response = problem(
        request,
        code="busy",
        status=503,
        detail=_(
            "The database is busy with other work and nothing was changed; try again after "
            "Retry-After seconds."
        ),
    )
    return contention.set_retry_after(response)


def _field_path(location: list[Any] | tuple[Any, ...]) -> str:
    parts = [str(part) for part in location]
    # ninja reports ["body", "<parameter name>", "field", ...]; people want just "field".
    if parts and parts[0] == "body":
        parts = parts[2:] if len(parts) > 2 else parts[1:]
    elif parts and parts[0] in {"query", "path", "header"}:
        parts = parts[1:]
    return ".".join(parts) or "body"


def _plain_extra(value: Any) -> bool:
    """Scalars, and lists of flat objects (the candidates of a possible duplicate)."""
    if isinstance(value, str | int | float | bool):
        return True
    return isinstance(value, list) and all(
        isinstance(item, dict)
        and all(v is None or isinstance(v, str | int | float | bool) for v in item.values())
        for item in value
    )


def install(api: NinjaAPI) -> None:
    # ninja types handlers as taking the exception or its class; they only ever get instances.
    def on_domain_error(request: HttpRequest, exc: Any) -> HttpResponse:
        if isinstance(exc, ValidationFailed):
            errors = [{"field": f, "message": m} for f, m in exc.errors.items()]
        else:
            errors = [{"field": exc.field, "message": exc.message}] if exc.field else []
        extra = {k: v for k, v in exc.extra.items() if _plain_extra(v)}
        return problem(
            request,
            code=exc.code,
            status=exc.status,
            detail=exc.message,
            errors=errors,
            extra=extra,
        )

    def on_rate_limited(request: HttpRequest, exc: Any) -> HttpResponse:
        response = on_domain_error(request, exc)
        ratelimit.set_retry_after(response, exc.allowance)
        return response

    def on_validation_error(request: HttpRequest, exc: Any) -> HttpResponse:
        errors = [
            {"field": _field_path(error.get("loc", ())), "message": str(error.get("msg", ""))}
            for error in exc.errors
        ]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return problem(request, code="validation-error", status=422, detail=detail, errors=errors)

    def on_authentication_error(request: HttpRequest, exc: Any) -> HttpResponse:
        if isinstance(exc, SecondFactorRequired):
            detail = str(exc.message)
        else:
            detail = _("Sign in, or send an API key as 'Authorization: Bearer <key>'.")
        response = problem(request, code="not-authenticated", status=401, detail=detail)
        response["WWW-Authenticate"] = 'Bearer realm="ventanilla"'
        return response

    def on_http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        if isinstance(exc.__cause__, NotJson):  # ninja wraps every parser error in a 400
            return problem(
                request,
                code="unsupported-body",
                status=415,
                detail=unsupported_body_detail(),
            )
        codes = {400: "malformed-request", 403: "permission-denied", 404: "not-found"}
        # ninja's own 400 ("Cannot parse request body") is English; say it in the caller's.
        detail = (
            _("The request body could not be read: check its syntax and its Content-Type.")
            if exc.status_code == 400
            else str(exc.message)
        )
        return problem(
            request,
            code=codes.get(exc.status_code, "domain-error"),
            status=exc.status_code,
            detail=detail,
        )

    def on_not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return problem(request, code="not-found", status=404, detail=_("Not found."))

    def on_too_big(request: HttpRequest, exc: Any) -> HttpResponse:
        return problem(
            request,
            code="payload-too-large",
            status=413,
            detail=_("Send at most %d bytes.") % settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
        )

    def on_too_many_parts(request: HttpRequest, exc: Any) -> HttpResponse:
        if isinstance(exc, TooManyFilesSent):
            detail = _("Send at most %d files.") % settings.DATA_UPLOAD_MAX_NUMBER_FILES
        else:
            detail = _("Send at most %d form fields.") % settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        return problem(request, code="payload-too-large", status=413, detail=detail)

    def on_unreadable_form(request: HttpRequest, exc: Any) -> HttpResponse:
        # Django reads each part's headers (name, file name, type) into at most 1024 bytes:
        # a file name longer than that is the usual way to get here.
        detail = _(
            "The multipart/form-data body could not be read: check its boundary, and keep "
            "each part's headers, file name included, under 1,000 characters."
        )
        return problem(request, code="malformed-request", status=400, detail=detail)

    def on_database_error(request: HttpRequest, exc: Any) -> HttpResponse:
        if not contention.is_contention(exc):
            raise exc  # a fault, not a busy database: the server error it is
        return busy(request)

    api.add_exception_handler(DomainError, on_domain_error)
    api.add_exception_handler(ratelimit.RateLimited, on_rate_limited)
    api.add_exception_handler(NinjaValidationError, on_validation_error)
    api.add_exception_handler(AuthenticationError, on_authentication_error)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(RequestDataTooBig, on_too_big)
    api.add_exception_handler(TooManyFieldsSent, on_too_many_parts)
    api.add_exception_handler(TooManyFilesSent, on_too_many_parts)
    api.add_exception_handler(MultiPartParserError, on_unreadable_form)
    api.add_exception_handler(SuspiciousMultipartForm, on_unreadable_form)
    api.add_exception_handler(UnreadablePostError, on_unreadable_form)
    api.add_exception_handler(OperationalError, on_database_error)
