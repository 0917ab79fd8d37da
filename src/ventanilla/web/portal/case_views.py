"""The citizen's cases in the portal: my cases and one case's public history, a message on it,
cancelling it, the satisfaction question once it is closed, and asking for a service or for a
life event (several agencies at once) with its one combined status. Thin views over the case
services and the citizen's selectors."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
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
from ventanilla.catalog.forms import form_data_from_post, form_fields, validate_form_data
from ventanilla.catalog.selectors import (
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
from ventanilla.web.portal.views import citizen_view

CHANNEL = "web"
FORM_PREFIX = "form_data."


def _case_page(
    request: HttpRequest, actor: Actor, mine: MyCase, status: int = 200, **extra: Any
) -> HttpResponse:
    context: dict[str, Any] = {
        "mine": mine,
        "history": [(e, mine.sent_files.get(e.pk, [])) for e in mine.events],
        "case": mine.case,
        "may_cancel": mine.case.status in _cancellable(),
        "max_upload_mb": settings.VENTANILLA_MAX_UPLOAD_BYTES // (1024 * 1024),
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


def home(request: HttpRequest) -> HttpResponse:
    """The citizen portal's front page, open to everyone: the services, grouped by life event."""
    return render(request, "portal/home.html", {"events": life_events_with_services()})


@citizen_view
def services(request: HttpRequest, actor: Actor) -> HttpResponse:
    """What I can ask for: life and business events, and each service on its own."""
    context = {"groups": life_events_by_kind(), "services": requestable_services()}
    return render(request, "portal/services.html", context)


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


@require_http_methods(["GET", "POST"])
@citizen_view
def life_event(request: HttpRequest, actor: Actor, code: str) -> HttpResponse:
    """One request for a life event: a case in every agency concerned, in one step."""
    event, offered = life_event_with_services(code=code)
    chosen = {s.code for s in offered}
    description = ""
    errors: dict[str, str] = {}
    if request.method == "POST":
        chosen = set(request.POST.getlist("services"))
        description = request.POST.get("description", "")
        try:
            made = life_event_open(
                actor=actor,
                party_id=actor.party_id,
                life_event_code=event.code,
                channel=CHANNEL,
                description=description,
                services=sorted(chosen),
            )
        except ValidationFailed as failure:
            errors = failure.errors
        else:
            messages.success(request, _("Your request was received."))
            return redirect("portal:life-event-request", request_id=made.pk)
    context = {
        "event": event,
        "offered": offered,
        "chosen": chosen,
        "description": description,
        "errors": errors,
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
