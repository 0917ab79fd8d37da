"""The front line in the console, by phone or at the desk: register a person (showing, as the
agent types, who may already be registered), record a contact from the 360° page, answer from
the knowledge base, and open a case for a service with its own form. Thin views over the
services and selectors the API uses."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.cases.models import Case
from ventanilla.cases.services import case_open
from ventanilla.catalog.forms import form_data_from_post, form_fields
from ventanilla.catalog.selectors import (
    channels,
    knowledge_article,
    knowledge_search,
    requestable_services,
)
from ventanilla.core import dates
from ventanilla.core.errors import Conflict, NotFound, ValidationFailed
from ventanilla.identity.candidates import party_candidates_scored
from ventanilla.interactions.models import Interaction
from ventanilla.interactions.services import interaction_record
from ventanilla.parties.models import Identifier
from ventanilla.parties.selectors import party_search
from ventanilla.parties.services import ContactPointInput, IdentifierInput, party_create
from ventanilla.web.console.desk import DEFAULT_CHANNEL, ContactForm, desk_panels
from ventanilla.web.console.views import _party_for, staff_view

FORM_PREFIX = "form_data."
PERSON_FIELDS = (
    "given_name",
    "family_name_1",
    "family_name_2",
    "identifier",
    "birth_date",
    "email",
    "phone",
    "preferred_language",
)


def _is_htmx(request: HttpRequest) -> bool:
    return bool(request.headers.get("HX-Request"))


# -- Registering a person ----------------------------------------------------------------------


def _birth_date(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _person_errors(errors: dict[str, str], contact_fields: list[str]) -> dict[str, str]:
    """The service's errors under the names of the form's fields: its one identifier, and its
    contact points (``contact_fields``, in the order they were sent)."""
    renamed: dict[str, str] = {}
    for name, message in errors.items():
        if name.startswith("identifiers"):
            name = "identifier"
        elif name.startswith("contact_points."):
            index = int(name.split(".")[1])
            name = contact_fields[index] if index < len(contact_fields) else "email"
        renamed.setdefault(name, message)
    return renamed


@require_http_methods(["GET", "POST"])
@staff_view
def party_new(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Register a person who is not in Ventanilla yet. While the agent types, the people already
    registered with the same DNI/NIE, email, phone or a name like it are offered (htmx) with how
    likely each is the same person, so that the person's own record is opened instead of a
    second one made."""
    require(actor, Scope.PARTIES_WRITE)
    source = request.POST if request.method == "POST" else request.GET
    form = {name: source.get(name, "").strip()[:200] for name in PERSON_FIELDS}
    form["preferred_language"] = form["preferred_language"] or "es"
    errors: dict[str, str] = {}
    existing = ""
    if request.method == "POST":
        birth = None
        if form["birth_date"]:
            birth = _birth_date(form["birth_date"])
            if birth is None:
                errors["birth_date"] = _("Enter a date.")
        identifiers = []
        if form["identifier"]:
            scheme = (
                Identifier.Scheme.NIE
                if form["identifier"].upper()[:1] in {"X", "Y", "Z"}
                else Identifier.Scheme.DNI
            )
            identifiers.append(IdentifierInput(scheme=scheme, value=form["identifier"]))
        contact_fields = [kind for kind in ("email", "phone") if form[kind]]
        contacts = [
            ContactPointInput(kind=kind, value=form[kind], preferred=True)
            for kind in contact_fields
        ]
        if not errors:
            try:
                party = party_create(
                    actor=actor,
                    given_name=form["given_name"],
                    family_name_1=form["family_name_1"],
                    family_name_2=form["family_name_2"],
                    birth_date=birth,
                    preferred_language=form["preferred_language"],
                    identifiers=identifiers,
                    contact_points=contacts,
                )
            except ValidationFailed as failure:
                errors = _person_errors(failure.errors, contact_fields)
            except Conflict as conflict:
                errors = {"identifier": conflict.message}
                existing = str(conflict.extra.get("existing_party", ""))
            else:
                messages.success(request, _("The person was registered."))
                return redirect("console:party", party_id=party.pk)
    candidates = party_candidates_scored(
        actor=actor,
        record={**form, "birth_date": _birth_date(form["birth_date"])},
    )
    context = {
        "form": form,
        "errors": errors,
        "existing": existing,
        "candidates": candidates,
        "checked": any(form[name] for name in PERSON_FIELDS if name != "preferred_language"),
        "today": timezone.localdate().isoformat(),
        "earliest": dates.EARLIEST_BIRTH_DATE.isoformat(),
    }
    if _is_htmx(request) and request.method == "GET":
        return render(request, "console/_candidates.html", context)
    return render(request, "console/party_new.html", context, status=422 if errors else 200)


# -- Recording a contact -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_view
def contact_new(request: HttpRequest, actor: Actor, party_id: UUID) -> HttpResponse:
    """Record a call or a visit on the person's history. From the 360° page (htmx) the panel is
    answered with a fresh form and the new contact goes to the top of the timeline; without
    JavaScript this is a page of its own that returns to the 360° page."""
    party = _party_for(actor, party_id, Scope.INTERACTIONS_WRITE)
    contact = ContactForm()
    recorded: Interaction | None = None
    if request.method == "GET" and request.GET.get("article"):
        try:
            article = knowledge_article(actor=actor, code=request.GET["article"][:80])
        except NotFound as missing:
            raise Http404(missing.message) from missing
        contact = ContactForm.answered_from(article)
    elif request.method == "POST":
        contact = ContactForm.from_post(request.POST)
        duration = contact.duration_seconds()
        call_back_due = contact.call_back_time()
        if not contact.outcome:
            contact.errors["outcome"] = _("Say how the contact ended.")
        if not contact.errors:
            try:
                recorded = interaction_record(
                    actor=actor,
                    party_id=party.pk,
                    channel=contact.channel,
                    summary=contact.summary,
                    kind=contact.kind,
                    direction=contact.direction,
                    service_code=contact.service or None,
                    duration_seconds=duration,
                    outcome=contact.outcome,
                    call_back_due=call_back_due,
                    call_back_phone=contact.call_back_phone,
                    ask_satisfaction=True,
                )
            except ValidationFailed as failure:
                contact.take_errors(failure.errors)
        if recorded is not None and not _is_htmx(request):
            messages.success(request, _("The contact was recorded."))
            return redirect("console:party", party_id=party.pk)
    context = {
        **desk_panels(actor, party, ContactForm() if recorded else contact),
        "party": party,
        "recorded": recorded,
        "prefilled": bool(contact.article) and request.method == "GET",
    }
    status = 422 if contact.errors else 200
    if _is_htmx(request):
        return render(request, "console/_contact_panel.html", context, status=status)
    return render(request, "console/contact_new.html", context, status=status)


@staff_view
def party_knowledge(request: HttpRequest, actor: Actor, party_id: UUID) -> HttpResponse:
    """The knowledge base from a person's 360° page: each answer can be recorded as the answer
    given to them. The person's record is not read here; the answer links carry its id only."""
    require(actor, Scope.INTERACTIONS_WRITE)
    query = request.GET.get("kb", "")[:200]
    context = {
        "kb_query": query,
        "articles": knowledge_search(actor=actor, query=query) if query.strip() else [],
        "answer_party": party_id,
        # From the 360° page (htmx) an answer fills in the contact form beside the results.
        "answer_inline": _is_htmx(request),
    }
    if _is_htmx(request):
        return render(request, "console/_kb_results.html", context)
    party = _party_for(actor, party_id, Scope.INTERACTIONS_WRITE)
    return render(request, "console/knowledge.html", {**context, "party": party})


# -- Opening a case ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_view
def case_new(request: HttpRequest, actor: Actor, party_id: UUID) -> HttpResponse:
    """Open a case for the person: choose the service, then fill in that service's own form (its
    JSON Schema, as in the portal). The case opens through the same service as the API's, which
    records the contact that opened it, and the agent lands on the case."""
    party = _party_for(actor, party_id, Scope.CASES_WRITE)
    offered = requestable_services()
    source = request.POST if request.method == "POST" else request.GET
    code = source.get("service", "")[:60]
    service = next((s for s in offered if s.code == code), None)
    values = {
        "channel": source.get("channel", DEFAULT_CHANNEL)[:20],
        "priority": source.get("priority", Case.Priority.NORMAL)[:10],
        "description": source.get("description", "")[:5000],
        "location_text": source.get("location_text", "")[:300],
        "minutes": source.get("minutes", "").strip()[:6],
        "seconds": source.get("seconds", "").strip()[:6],
    }
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    # The call or visit that asks for the case, timed as the contact form times it.
    timing = ContactForm(minutes=values["minutes"], seconds=values["seconds"])
    duration = timing.duration_seconds()
    errors.update(timing.errors)
    if code and service is None:
        errors["service"] = _("Unknown service.")
    if request.method == "POST" and service is not None and not errors:
        data = form_data_from_post(service, request.POST)
        try:
            opened = case_open(
                actor=actor,
                party_id=party.pk,
                service_code=service.code,
                channel=values["channel"],
                priority=values["priority"],
                description=values["description"],
                location_text=values["location_text"],
                form_data=data,
                duration_seconds=duration,
            )
        except ValidationFailed as failure:
            errors = failure.errors
        else:
            messages.success(
                request,
                _("Case %(reference)s was opened for %(name)s.")
                % {"reference": opened.reference, "name": party.display_name},
            )
            return redirect("console:case", reference=opened.reference)
    elif request.method == "POST" and service is None:
        errors.setdefault("service", _("Choose a service."))
    field_errors = {
        name[len(FORM_PREFIX) :]: message
        for name, message in errors.items()
        if name.startswith(FORM_PREFIX)
    }
    context = {
        "party": party,
        "services": offered,
        "service": service,
        "fields": form_fields(service, data=data, errors=field_errors) if service else [],
        "form_error": field_errors.get("", ""),
        "errors": {k: v for k, v in errors.items() if not k.startswith(FORM_PREFIX)},
        "values": values,
        "channels": channels(),
        "priorities": Case.Priority.choices,
    }
    return render(request, "console/case_new.html", context, status=422 if errors else 200)


@staff_view
def case_new_for_whom(request: HttpRequest, actor: Actor) -> HttpResponse:
    """A new case from the queue: first the person it is for, found as in the search page."""
    require(actor, Scope.CASES_WRITE)
    query = request.GET.get("q", "")
    results: list[Any] = []
    error = ""
    try:
        results = party_search(actor=actor, query=query, limit=20).items
    except ValidationFailed as failure:
        error = failure.message
    context = {"q": query, "results": results, "error": error}
    if _is_htmx(request):
        return render(request, "console/_case_for_whom.html", context)
    return render(request, "console/case_for_whom.html", context)
