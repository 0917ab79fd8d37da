"""The citizen's cases in the portal: my cases and one case's public history, a message on it,
cancelling it, the satisfaction question once it is closed, and asking for a service or for a
life event (several agencies at once) with its one combined status. Thin views over the case
services and the citizen's selectors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ventanilla.access.actors import Actor
from ventanilla.cases.lifecycle import TRANSITIONS
from ventanilla.cases.models import CaseStatus
from ventanilla.cases.selectors import MyCase, life_event_status, my_case, my_cases
from ventanilla.cases.services import (
    case_citizen_reply,
    case_open,
    case_transition,
    life_event_open,
    satisfaction_record,
)
from ventanilla.catalog.forms import (
    FormField,
    form_answers,
    form_data_from_post,
    form_fields,
    validate_form_data,
)
from ventanilla.catalog.models import PublicService
from ventanilla.catalog.selectors import (
    catalogue_edition,
    catalogue_search,
    life_event_with_services,
    life_events_by_kind,
    life_events_with_services,
    requestable_service,
    requestable_services,
)
from ventanilla.core.errors import (
    EditConflict,
    InvalidTransition,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
)
from ventanilla.loops.selectors import loops_of_case
from ventanilla.web.portal.views import citizen_view

CHANNEL = "web"
FORM_PREFIX = "form_data."  # where the services put the errors of a service's own form


def _case_page(
    request: HttpRequest, actor: Actor, mine: MyCase, status: int = 200, **extra: Any
) -> HttpResponse:
    context: dict[str, Any] = {
        "mine": mine,
        "history": [(e, mine.sent_files.get(e.pk, [])) for e in mine.events],
        "case": mine.case,
        "form_answers": form_answers(mine.case.service, mine.case.form_data),
        "may_cancel": mine.case.status in _cancellable(),
        "max_upload_mb": settings.VENTANILLA_MAX_UPLOAD_BYTES // (1024 * 1024),
        # The consultations this complaint has been taken into.
        "loops": loops_of_case(mine.case),
        "errors": {},
        "text": "",
        **extra,
    }
    return render(request, "portal/my_case.html", context, status=status)


def _cancellable() -> frozenset[str]:
    return TRANSITIONS["cancel"].sources


@citizen_view
def cases(request: HttpRequest, actor: Actor) -> HttpResponse:
    """My cases: open ones first, soonest due first; then finished ones."""
    open_cases, past_cases = my_cases(actor=actor)
    return render(
        request, "portal/my_cases.html", {"open_cases": open_cases, "past_cases": past_cases}
    )


@citizen_view
def case(request: HttpRequest, actor: Actor, reference: str) -> HttpResponse:
    """One case: its public history, what is asked of me, a message box, cancelling."""
    return _case_page(request, actor, my_case(actor=actor, reference=reference))


@require_POST
@citizen_view
def case_message(request: HttpRequest, actor: Actor, reference: str) -> HttpResponse:
    """A message from the citizen on their case, with a photo or document if they attach one,
    which the office sees on it; on a case waiting for them, their answer, and work resumes."""
    mine = my_case(actor=actor, reference=reference)
    text = request.POST.get("text", "")
    upload = request.FILES.get("file")
    waiting = mine.case.status == CaseStatus.WAITING_CITIZEN
    try:
        case_citizen_reply(
            actor=actor,
            case_id=mine.case.pk,
            text=text,
            file_name=(upload.name or "") if upload else "",
            content=upload,
            size=(upload.size or 0) if upload else 0,
        )
    except ValidationFailed as failure:
        return _case_page(request, actor, mine, status=422, errors=failure.errors, text=text)
    except (PayloadTooLarge, UnsupportedMediaType) as refused:
        errors = {refused.field or "file": refused.message}
        return _case_page(request, actor, mine, status=refused.status, errors=errors, text=text)
    except InvalidTransition as refused:
        messages.info(request, refused.message)
        return redirect("portal:case", reference=mine.case.reference)
    messages.success(
        request,
        _("Thank you: your answer was sent and the office is working on your case again.")
        if waiting
        else _("Your message was sent to the office handling your case."),
    )
    return redirect("portal:case", reference=mine.case.reference)


@require_http_methods(["GET", "POST"])
@citizen_view
def case_cancel(request: HttpRequest, actor: Actor, reference: str) -> HttpResponse:
    """Ask to confirm and for a reason, then cancel the case."""
    mine = my_case(actor=actor, reference=reference)
    context: dict[str, Any] = {"case": mine.case, "errors": {}, "reason": ""}
    if mine.case.status not in _cancellable():
        messages.info(request, _("This case can no longer be cancelled."))
        return redirect("portal:case", reference=mine.case.reference)
    if request.method == "GET":
        return render(request, "portal/my_case_cancel.html", context)
    reason = request.POST.get("reason", "")
    context["reason"] = reason
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    try:
        case_transition(
            actor=actor, case_id=mine.case.pk, action="cancel", reason=reason, version=version
        )
    except ValidationFailed as failure:
        context["errors"] = failure.errors
        return render(request, "portal/my_case_cancel.html", context, status=422)
    except (EditConflict, InvalidTransition):
        messages.info(
            request, _("The office changed your case in the meantime; look at it and try again.")
        )
        return redirect("portal:case", reference=mine.case.reference)
    messages.success(request, _("Your case was cancelled."))
    return redirect("portal:case", reference=mine.case.reference)


def _scale() -> list[tuple[str, str]]:
    return [
        ("1", _("Very dissatisfied")),
        ("2", _("Dissatisfied")),
        ("3", _("Neither satisfied nor dissatisfied")),
        ("4", _("Satisfied")),
        ("5", _("Very satisfied")),
    ]


@require_http_methods(["GET", "POST"])
@citizen_view
def satisfaction(request: HttpRequest, actor: Actor, reference: str) -> HttpResponse:
    """How did we do? Once, on a closed case; after the answer, a thank-you that says whether
    the case was reopened because of it."""
    mine = my_case(actor=actor, reference=reference)
    context: dict[str, Any] = {
        "case": mine.case,
        "scale": _scale(),
        "errors": {},
        "score": "",
        "comment": "",
    }
    if request.method == "POST":
        context.update(score=request.POST.get("score", ""), comment=request.POST.get("comment", ""))
        try:
            score = int(context["score"])
        except ValueError:
            context["errors"] = {"score": _("Choose from 1 to 5.")}
            return render(request, "portal/satisfaction.html", context, status=422)
        try:
            satisfaction_record(
                actor=actor, case_id=mine.case.pk, score=score, comment=context["comment"]
            )
        except ValidationFailed as failure:
            context["errors"] = failure.errors
            return render(request, "portal/satisfaction.html", context, status=422)
        except InvalidTransition as refused:
            messages.info(request, refused.message)
        return redirect("portal:satisfaction", reference=mine.case.reference)
    return render(request, "portal/satisfaction.html", context)


# What the portal draws from the catalogue alone (the front page's life events, the list of
# services) is the same for everyone and most of those pages' work: it is drawn once per
# catalogue edition and language, and kept.
_drawn_from_catalogue: dict[tuple[str, tuple[int, int], str], str] = {}


def _catalogue_fragment(template: str, context: Callable[[], dict[str, Any]]) -> str:
    """``template`` drawn with ``context()``, kept while the catalogue's edition and the
    reader's language stay the same."""
    key = (template, catalogue_edition(), get_language())
    html = _drawn_from_catalogue.get(key)
    if html is None:
        html = render_to_string(template, context())
        if len(_drawn_from_catalogue) > 32:
            _drawn_from_catalogue.clear()
        _drawn_from_catalogue[key] = html
    return html


def home(request: HttpRequest) -> HttpResponse:
    """The citizen portal's front page, open to everyone: a search box and the life events in
    the order of a life, each a link to its request page with its services folded under it."""
    events_html = _catalogue_fragment(
        "portal/_life_events.html", lambda: {"events": life_events_with_services()}
    )
    return render(request, "portal/home.html", {"events_html": events_html, "q": "", "hits": None})


def search(request: HttpRequest) -> HttpResponse:
    """Find a service or a life event by words of its name, open to everyone: a whole page for
    the form sent without JavaScript, just the results for htmx as the citizen types."""
    query = request.GET.get("q", "")[:200]
    context = {"q": query, "hits": catalogue_search(query=query) if query.strip() else None}
    if request.headers.get("HX-Request"):
        response = render(request, "portal/_search_results.html", context)
    else:
        response = render(request, "portal/search.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@citizen_view
def services(request: HttpRequest, actor: Actor) -> HttpResponse:
    """What I can ask for: life and business events, and each service on its own."""
    lists_html = _catalogue_fragment(
        "portal/_services.html",
        lambda: {"groups": life_events_by_kind(), "services": requestable_services()},
    )
    return render(request, "portal/services.html", {"lists_html": lists_html})


@require_http_methods(["GET", "POST"])
@citizen_view
def service_request(request: HttpRequest, actor: Actor, code: str) -> HttpResponse:
    """Ask for one service with its own form; the case opens at once."""
    service = requestable_service(code=code)
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    description = location_text = ""
    if request.method == "POST":
        data = form_data_from_post(service, request.POST)
        description = request.POST.get("description", "")
        location_text = request.POST.get("location_text", "")[:300]
        errors = {f"{FORM_PREFIX}{k}": v for k, v in validate_form_data(service, data).items()}
        if not errors:
            try:
                opened = case_open(
                    actor=actor,
                    party_id=actor.party_id,
                    service_code=service.code,
                    channel=CHANNEL,
                    description=description,
                    form_data=data,
                    location_text=location_text,
                )
            except ValidationFailed as failure:
                errors = failure.errors
            else:
                messages.success(
                    request,
                    _("Your request was received with reference %(reference)s.")
                    % {"reference": opened.reference},
                )
                return redirect("portal:case", reference=opened.reference)
    field_errors = {
        k[len(FORM_PREFIX) :]: v for k, v in errors.items() if k.startswith(FORM_PREFIX)
    }
    context = {
        "service": service,
        "fields": form_fields(service, data=data, errors=field_errors),
        "form_template": "catalog/_service_form.html",
        "form_error": field_errors.get("", ""),
        "errors": {k: v for k, v in errors.items() if not k.startswith(FORM_PREFIX)},
        "description": description,
        "location_text": location_text,
    }
    return render(request, "portal/service_request.html", context, status=422 if errors else 200)


@dataclass(frozen=True)
class ChosenService:
    """A service the citizen chose in a life-event request, with its own questions."""

    service: PublicService
    fields: list[FormField]
    prefix: str


def _chosen(
    offered: list[PublicService],
    codes: list[str],
    answers: dict[str, dict[str, Any]],
    errors: dict[str, str],
) -> list[ChosenService]:
    """The chosen services in the event's order, each with its form's fields: the answers
    given and the errors found under ``form_data.<service>.<field>`` (which the services
    return)."""
    chosen = []
    for service in offered:
        if service.code not in codes:
            continue
        mark = f"{FORM_PREFIX}{service.code}."
        field_errors = {k[len(mark) :]: v for k, v in errors.items() if k.startswith(mark)}
        prefix = f"{service.code}-"
        fields = form_fields(
            service, data=answers.get(service.code), errors=field_errors, prefix=prefix
        )
        chosen.append(ChosenService(service=service, fields=fields, prefix=prefix))
    return chosen


@require_http_methods(["GET", "POST"])
@citizen_view
def life_event(request: HttpRequest, actor: Actor, code: str) -> HttpResponse:
    """One request for a life event, in two steps: the citizen ticks the services they need
    (none is ticked for them), then answers each one's own questions; sending opens a case in
    every office concerned and tells the citizen once."""
    event, offered = life_event_with_services(code=code)
    offered_codes = [s.code for s in offered]
    source = request.POST if request.method == "POST" else request.GET
    codes = [c for c in source.getlist("services") if c in offered_codes]
    description = source.get("description", "")
    errors: dict[str, str] = {}
    answers: dict[str, dict[str, Any]] = {}
    if request.method == "POST":
        answers = {
            s.code: form_data_from_post(s, request.POST, prefix=f"{s.code}-")
            for s in offered
            if s.code in codes
        }
        try:
            made = life_event_open(
                actor=actor,
                party_id=actor.party_id,
                life_event_code=event.code,
                channel=CHANNEL,
                description=description,
                services=codes,
                form_data=answers,
            )
        except ValidationFailed as failure:
            errors = failure.errors
        else:
            messages.success(
                request,
                _("Your request was received: one case in each office, all followed here."),
            )
            return redirect("portal:life-event-request", request_id=made.pk)
    elif "next" in request.GET and not codes:
        errors = {"services": _("Choose at least one service.")}
    # The questions come once services are chosen; until then (or to change them), the list.
    choosing = not codes or "change" in request.GET or "services" in errors
    context = {
        "event": event,
        "offered": offered,
        "codes": codes,
        "choosing": choosing,
        "change_query": urlencode([("services", c) for c in codes] + [("change", "1")]),
        "chosen": _chosen(offered, codes, answers, errors),
        "description": description,
        "errors": {k: v for k, v in errors.items() if not k.startswith(FORM_PREFIX)},
        "form_errors": any(k.startswith(FORM_PREFIX) for k in errors),
        "form_template": "catalog/_service_form.html",
    }
    return render(request, "portal/life_event.html", context, status=422 if errors else 200)


@citizen_view
def life_event_request(request: HttpRequest, actor: Actor, request_id: UUID) -> HttpResponse:
    """The one combined status of a life-event request, and each of its cases."""
    combined = life_event_status(actor=actor, request_id=request_id)
    departments = sorted({c.department.name for c in combined.cases})
    context = {
        "combined": combined,
        "departments": departments,
        "waiting": [c for c in combined.cases if c.status == CaseStatus.WAITING_CITIZEN],
    }
    return render(request, "portal/life_event_request.html", context)
