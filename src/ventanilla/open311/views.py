"""The GeoReport v2 endpoints: each reads its input, calls a selector or the intake, and
answers in the format its URL names; every failure is the standard's error list."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, time
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from ventanilla.access.actors import actor_for_api_key
from ventanilla.cases import selectors as case_selectors
from ventanilla.cases.models import Case
from ventanilla.catalog import selectors as catalog_selectors
from ventanilla.catalog.forms import form_data_from_post, open311_attributes
from ventanilla.catalog.models import PublicService
from ventanilla.core.contention import is_contention, set_retry_after
from ventanilla.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from ventanilla.core.i18n import localized
from ventanilla.core.ratelimit import Allowance, hit
from ventanilla.open311 import formats, intake

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this door's contract last changed, for discovery's ``changeset``.
CHANGESET = "2026-12-02T00:00:00Z"

View = Callable[..., HttpResponse]
# The API's limits and counters: a key's calls count once, through whichever door it comes.
WINDOW_SECONDS = 60

logger = logging.getLogger(__name__)


class _RateLimited(Exception):
    def __init__(self, allowance: Allowance) -> None:
        super().__init__()
        self.allowance = allowance


def _count(identity: str, limit: int) -> None:
    if limit <= 0:
        return
    allowance = hit(identity, limit, window=WINDOW_SECONDS)
    if not allowance.allowed:
        raise _RateLimited(allowance)


def _too_many(fmt: str, allowance: Allowance) -> HttpResponse:
    message = _(
        "Too many requests: at most %(limit)d a minute. Try again in %(seconds)d seconds."
    ) % {"limit": allowance.limit, "seconds": allowance.reset_seconds}
    response = formats.errors(fmt, 429, [message])
    response["Retry-After"] = str(allowance.reset_seconds)
    return response


def _guarded(view: View) -> View:
    """Turns the domain's errors into GeoReport's error list with the status it names: bad
    input 400, a missing or refused key 403, anything unknown 404; any other refusal 400.
    Calls are counted as the API's are (per key for posts, per address for reads): over the
    limit is 429 with ``Retry-After``, in the same list."""

    def wrapper(request: HttpRequest, fmt: str, **kwargs: Any) -> HttpResponse:
        try:
            if request.method != "POST":
                # REMOTE_ADDR is the proxy's behind a load balancer; see docs/operations.md.
                _count(
                    f"ip:{request.META.get('REMOTE_ADDR', '')}",
                    settings.VENTANILLA_API_ANONYMOUS_RATE_PER_MINUTE,
                )
            _check_jurisdiction(request)
            return view(request, fmt, **kwargs)
        except _RateLimited as limited:
            return _too_many(fmt, limited.allowance)
        except ValidationFailed as error:
            return formats.errors(
                fmt,
                400,
                [f"{_as_sent(field)}: {message}" for field, message in error.errors.items()],
            )
        except PermissionDenied as error:
            return formats.errors(fmt, 403, [error.message])
        except NotFound as error:
            return formats.errors(fmt, 404, [error.message])
        except DomainError as error:
            # Any other refusal of the domain (a conflict, say) is bad input to GeoReport,
            # which names no other status.
            return formats.errors(fmt, 400, [error.message])
        except Exception as error:
            # The database busy beyond the retries: a client of this door reads its error list,
            # not the portal's page; it may try again after Retry-After.
            if not is_contention(error):
                raise
            logger.warning("database busy on %s %s: %s", request.method, request.path, error)
            busy = _("The service is busy for a moment. Try again in a few seconds.")
            return set_retry_after(formats.errors(fmt, 503, [busy]))

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _as_sent(field: str) -> str:
    """A field named as the client sent it: the service's questions are ``attribute[code]``
    here, where the case calls them ``form_data.code``."""
    prefix = "form_data."
    return f"attribute[{field[len(prefix) :]}]" if field.startswith(prefix) else field


def _param(request: HttpRequest, name: str) -> str:
    value = request.POST.get(name) if request.method == "POST" else None
    if value is None:
        value = request.GET.get(name, "")
    if "\x00" in value:
        raise ValidationFailed({name: _("Text may not contain NUL characters.")})
    return value.strip()


def _check_jurisdiction(request: HttpRequest) -> None:
    """One jurisdiction per installation: ``jurisdiction_id`` may be left out, or name one of
    the administrations at the top of the agency tree."""
    code = _param(request, "jurisdiction_id")
    if code and not catalog_selectors.is_jurisdiction(code):
        raise NotFound(_("Unknown jurisdiction_id."))


def _service_out(service: PublicService) -> dict[str, Any]:
    return {
        "service_code": service.code,
        "service_name": service.name,
        "description": localized(service, "description") or None,
        "metadata": bool(service.input_schema.get("properties")),
        "type": "realtime",
        "keywords": None,
        "group": service.department.name if service.department else None,
    }


def _when(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _request_out(case: Case) -> dict[str, Any]:
    due = datetime.combine(case.due_date, time(23, 59, 59), tzinfo=timezone.get_current_timezone())
    return {
        "service_request_id": case.reference,
        "status": "open" if case.is_open else "closed",
        "status_notes": case.get_status_display(),
        "service_name": case.service.name,
        "service_code": case.service.code,
        "description": case.description or None,
        "agency_responsible": case.department.name,
        "service_notice": None,
        "requested_datetime": _when(case.opened_at),
        "updated_datetime": _when(case.closed_at or case.updated_at),
        "expected_datetime": _when(due),
        "address": case.location_text or None,
        "address_id": None,
        "zipcode": None,
        "lat": case.latitude,
        "long": case.longitude,
        "media_url": None,
    }


@require_GET
@_guarded
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    """Where this installation's GeoReport v2 endpoint is and what it speaks."""
    root = request.build_absolute_uri(reverse("open311:root"))
    content = {
        "changeset": CHANGESET,
        "contact": _("Ask the administration running this service."),
        "key_service": _("Keys to post requests are given by the administration's staff."),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": root,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return formats.answer(fmt, "discovery", content)


@require_GET
@_guarded
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    """Every service that can be asked for, with its code."""
    content = [_service_out(s) for s in catalog_selectors.requestable_services()]
    return formats.answer(fmt, "services", content)


@require_GET
@_guarded
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    """A service's questions, from its form's JSON Schema."""
    service = catalog_selectors.requestable_service(code=code)
    content = {"service_code": service.code, "attributes": open311_attributes(service)}
    return formats.answer(fmt, "service_definition", content)


def _date(request: HttpRequest, name: str) -> datetime | None:
    text = _param(request, name)
    if not text:
        return None
    try:
        value = parse_datetime(text)
    except ValueError:
        value = None
    if value is None:
        raise ValidationFailed({name: _("Give a date and time such as 2026-01-31T00:00:00Z.")})
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def _statuses(request: HttpRequest) -> bool | None:
    """``status`` as a filter on being open: none or both names mean every request."""
    words = {w.strip() for w in _param(request, "status").split(",") if w.strip()}
    if words - {"open", "closed"}:
        raise ValidationFailed({"status": _("Choose open, closed or both.")})
    if len(words) == 1:
        return words == {"open"}
    return None


def _list(request: HttpRequest, name: str) -> list[str]:
    return [item.strip() for item in _param(request, name).split(",") if item.strip()]


def _read_requests(request: HttpRequest, fmt: str) -> HttpResponse:
    cases = case_selectors.public_cases(
        channel=intake.CHANNEL,
        references=_list(request, "service_request_id"),
        service_codes=_list(request, "service_code"),
        start=_date(request, "start_date"),
        end=_date(request, "end_date"),
        is_open=_statuses(request),
    )
    return formats.answer(fmt, "service_requests", [_request_out(c) for c in cases])


def _number(request: HttpRequest, name: str) -> float | None:
    text = _param(request, name)
    if not text:
        return None
    try:
        return float(text)
    except ValueError as error:
        raise ValidationFailed({name: _("Give a number.")}) from error


def _attributes(request: HttpRequest, service: PublicService) -> dict[str, Any]:
    """``attribute[code]`` (one value) and ``attribute[code][]`` (several) as the case's form
    data, typed by the service's form; a code the form does not ask is refused."""
    known = set((service.input_schema or {}).get("properties", {}))
    single: dict[str, str] = {}
    several: dict[str, list[str]] = {}
    for name, values in request.POST.lists():
        if not name.startswith("attribute["):
            continue
        if name.endswith("[]"):
            code = name[len("attribute[") : -len("][]")]
            several[code] = values
        else:
            code = name[len("attribute[") : -1]
            single[f"form_{code}"] = values[-1]
        if code not in known:
            raise ValidationFailed({name: _("This service asks no such question.")})
    data = form_data_from_post(service, single)
    data.update(several)
    return data


def _post_request(request: HttpRequest, fmt: str) -> HttpResponse:
    secret = _param(request, "api_key")
    key_actor = actor_for_api_key(secret) if secret else None
    if key_actor is None:
        raise PermissionDenied(_("Give a valid api_key to post a request."))
    _count(
        f"key:{key_actor.api_key_id}",
        key_actor.rate_per_minute or settings.VENTANILLA_API_RATE_PER_MINUTE,
    )
    code = _param(request, "service_code")
    if not code:
        raise ValidationFailed({"service_code": _("This field is required.")})
    service = catalog_selectors.requestable_service(code=code)
    report = intake.Report(
        service_code=service.code,
        description=_param(request, "description"),
        lat=_number(request, "lat"),
        long=_number(request, "long"),
        address_string=_param(request, "address_string"),
        address_id=_param(request, "address_id"),
        zipcode=_param(request, "zipcode"),
        email=_param(request, "email"),
        first_name=_param(request, "first_name"),
        last_name=_param(request, "last_name"),
        phone=_param(request, "phone"),
        media_url=_param(request, "media_url"),
        form_data=_attributes(request, service),
    )
    case = intake.request_post(key_actor=key_actor, report=report)
    content = [
        {
            "service_request_id": case.reference,
            "token": intake.token_for(case),
            "service_notice": None,
            "account_id": None,
        }
    ]
    return formats.answer(fmt, "service_requests", content, status=201)


@csrf_exempt
@require_http_methods(["GET", "POST"])
@_guarded
def requests_(request: HttpRequest, fmt: str) -> HttpResponse:
    """GET: the requests posted here, filtered; POST: post one (with an ``api_key``)."""
    if request.method == "POST":
        return _post_request(request, fmt)
    return _read_requests(request, fmt)


@require_GET
@_guarded
def request_detail(request: HttpRequest, fmt: str, reference: str) -> HttpResponse:
    """One request by its id (the case's reference)."""
    case = case_selectors.public_case(channel=intake.CHANNEL, reference=reference)
    return formats.answer(fmt, "service_requests", [_request_out(case)])


@require_GET
@_guarded
def token(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    """The request id a posting token stands for."""
    reference = intake.reference_of_token(token)
    case = case_selectors.public_case(channel=intake.CHANNEL, reference=reference)
    content = [{"service_request_id": case.reference, "token": token}]
    return formats.answer(fmt, "service_requests", content)


@csrf_exempt
def unknown(request: HttpRequest, fmt: str = formats.JSON) -> HttpResponse:
    """Any other address under the door answers as the door does: the standard's error list, in
    the format the address names (JSON when it names none), not the portal's page."""
    message = _("No such address: the ones this door answers are listed in discovery.json.")
    return formats.errors(fmt, 404, [message])
