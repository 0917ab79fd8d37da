"""The staff console: search, the 360° view, a party's edits, consents and data-sharing, the audit
log and retention. Thin views that call selectors and services and render templates."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor, actor_for_user
from ventanilla.access.guards import require
from ventanilla.access.models import Role, Scope
from ventanilla.associations.selectors import next_services
from ventanilla.audit.actions import Action
from ventanilla.audit.models import AuditEntry
from ventanilla.catalog.models import Agency
from ventanilla.catalog.selectors import channels
from ventanilla.citizen360.selectors import party_360 as select_party_360
from ventanilla.consent.models import LegalBasis
from ventanilla.consent.selectors import consent_for_staff
from ventanilla.consent.services import Evidence, consent_record
from ventanilla.consent.services import consent_withdraw as withdraw
from ventanilla.core import dates
from ventanilla.core.errors import (
    Conflict,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
    SharingRefused,
    UnsupportedMediaType,
    ValidationFailed,
)
from ventanilla.merging.golden import Golden, golden_record
from ventanilla.merging.selectors import merges_into
from ventanilla.parties.models import DataCategory, Party
from ventanilla.parties.selectors import party_get, party_resolve, party_search
from ventanilla.parties.services import party_update
from ventanilla.privacy.audit_log import audit_entries, audit_entries_export, may_read_audit
from ventanilla.retention.selectors import retention_overview
from ventanilla.retention.services import retention_request_run
from ventanilla.sharing.services import sharing_request
from ventanilla.web.console.desk import desk_panels
from ventanilla.web.console.navigation import ACTOR_ATTRIBUTE, destinations

View = Callable[..., HttpResponse]


def staff_view(view: Callable[..., HttpResponse]) -> View:
    """Signed-in staff with a membership only; others are told so, not shown a blank page.
    Staff whose roles need a second factor are sent to give it first."""

    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        actor = actor_for_user(request.user)
        # The menu on the page is built from the same actor, not looked up a second time.
        setattr(request, ACTOR_ATTRIBUTE, actor)  # noqa: B010
        if actor.second_factor_pending:
            return redirect_to_login(
                request.get_full_path(), login_url=reverse("accounts:second-factor")
            )
        if not actor.is_staff_member:
            raise DjangoPermissionDenied(_("Your account is not a member of any agency."))
        try:
            return view(request, actor, *args, **kwargs)
        except PermissionDenied as denied:  # refused by a selector or service, and audited there
            raise DjangoPermissionDenied(denied.message) from denied

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


@staff_view
def home(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Where a member of staff lands after signing in: their roles, and what they may do."""
    roles = sorted({str(Role(role).label) for role in actor.roles if role in Role.values})
    places = [
        place for place in destinations(actor, request.user) if place.url_name != "console:home"
    ]
    context = {"roles": roles, "places": places, "analyst": Role.ANALYST in actor.roles}
    return render(request, "console/home.html", context)


@staff_view
def search(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Search as you type: the whole page, or just the results list for htmx."""
    query = request.GET.get("q", "")
    error = ""
    results: list[Any] = []
    next_cursor = None
    try:
        page = party_search(
            actor=actor, query=query, cursor=request.GET.get("cursor") or None, limit=20
        )
        results, next_cursor = page.items, page.next_cursor
    except ValidationFailed as failure:
        error = failure.message
    context = {
        "q": query,
        "results": results,
        "next_cursor": next_cursor,
        "error": error,
        "may_register": actor.can(Scope.PARTIES_WRITE),
    }
    if request.headers.get("HX-Request"):
        return render(request, "console/_results.html", context)
    return render(request, "console/search.html", context)


@staff_view
def party_360(request: HttpRequest, actor: Actor, party_id: UUID) -> HttpResponse:
    try:
        current = party_resolve(actor=actor, party_id=party_id)
    except NotFound as missing:
        raise Http404(missing.message) from missing
    if current != party_id:
        messages.info(
            request,
            _("The record you opened was merged into this one: it is the same person."),
        )
        return redirect("console:party", party_id=current)
    channel = request.GET.get("channel") or None
    agency = request.GET.get("agency") or None
    purpose = request.GET.get("purpose", "")[:300]
    purpose_error = ""
    try:
        view = select_party_360(
            actor=actor,
            party_id=party_id,
            channel=channel,
            agency=agency,
            cursor=request.GET.get("cursor") or None,
            purpose=purpose,
            include_sensitive=request.GET.get("sensitive") == "1",
            with_documents=True,
        )
    except NotFound as missing:
        raise Http404(missing.message) from missing
    except ValidationFailed as failure:
        if failure.field != "purpose":
            return redirect("console:party", party_id=party_id)
        # A vague purpose: the page as it was, with the reason next to the purpose field.
        purpose_error = failure.message
        view = select_party_360(actor=actor, party_id=party_id, channel=channel, agency=agency)
    context = {
        "purpose": purpose,
        "purpose_error": purpose_error,
        "may_read_sensitive": actor.can(Scope.PARTIES_READ_SENSITIVE),
        "may_request_sharing": actor.can(Scope.SHARING_REQUEST),
        "may_record_consent": actor.can(Scope.PARTIES_WRITE),
        "may_edit": actor.can(Scope.PARTIES_WRITE),
        "may_merge": actor.can(Scope.PARTIES_MERGE),
        "merges": merges_into(actor=actor, party=view.party),
        "provenance": _provenance(view),
        "view": view,
        "party": view.party,
        "channel": channel or "",
        "agency": agency or "",
        "channels": channels(),
        "may_read_audit": may_read_audit(actor),
        "next_services": next_services(actor=actor, cases=[*view.open_cases, *view.past_cases]),
        "agencies": Agency.objects.filter(pk__in=list(actor.agency_ids)).order_by("path")
        if not actor.sees_everything
        else Agency.objects.order_by("path"),
    }
    context.update(desk_panels(actor, view.party))
    if request.headers.get("HX-Request") and request.GET.get("cursor"):
        return render(request, "console/_timeline_rows.html", context)
    return render(request, "console/party.html", context)


def _provenance(view: Any) -> dict[Any, Golden]:
    """Where each value shown came from, when a register linked to the party holds the same:
    "name", "birth_date", and the id of each contact point."""
    party = view.party
    golden = golden_record(party)
    shown: dict[Any, Golden] = {}
    name = golden.get("name")
    if name and all(getattr(party, f) == v for f, v in name.value.items() if v):
        shown["name"] = name
    born = golden.get("birth_date")
    if born and born.value["birth_date"] == party.birth_date:
        shown["birth_date"] = born
    for kind, attribute in (("email", "email"), ("phone", "phone"), ("postal", "address")):
        found = golden.get(attribute)
        if found is None:
            continue
        wanted = "".join(str(found.value[attribute]).lower().split())
        for contact in view.contact_points:
            if contact.kind == kind and wanted in {
                "".join(contact.normalized.lower().split()),
                "".join(contact.value.lower().split()),
            }:
                shown[contact.pk] = found
    return shown


def _day_from(text: str) -> date:
    """A day as the date field sends it (2026-12-07), or as a person types it (07/12/2026)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        return datetime.strptime(text, "%d/%m/%Y").date()  # noqa: DTZ007 - a day, not a time


def _audit_actions() -> list[tuple[str, str]]:
    """Every kind of action, by its name in the reader's language, in alphabetical order."""
    named = [(value, str(label)) for value, label in Action.choices]
    return sorted(named, key=lambda choice: choice[1].casefold())


@staff_view
def audit_log(request: HttpRequest, actor: Actor) -> HttpResponse:
    """For data-protection officers: who looked at a citizen, or what a member of staff saw,
    of one kind of action and between two days; with ``export=csv``, the same as a download."""
    get = request.GET
    party_id = (get.get("party") or "").strip() or None
    actor_label = get.get("actor") or None
    action = get.get("action") or None
    since_text = (get.get("since") or "").strip()
    until_text = (get.get("until") or "").strip()
    context: dict[str, Any] = {
        "party": party_id or "",
        "actor_label": actor_label or "",
        "action": action or "",
        "since": since_text,
        "until": until_text,
        "actions": _audit_actions(),
    }
    errors: dict[str, str] = {}
    party_uuid = since = until = None
    try:
        party_uuid = UUID(party_id) if party_id else None
    except ValueError:
        # Never the whole log in place of one person's: say what is wrong with what was asked.
        errors["party"] = _("This is not a person's identifier in Ventanilla.")
    if action and action not in Action.values:
        errors["action"] = _("Choose a kind of action from the list.")
    for name, text in (("since", since_text), ("until", until_text)):
        if not text:
            continue
        try:
            context[f"{name}_day"] = _day_from(text)
        except ValueError:
            errors[name] = _("This is not a date: write it as day/month/year, e.g. 07/12/2026.")
    since, until = context.get("since_day"), context.get("until_day")
    if since and until and since > until:
        errors["until"] = _("The last day comes before the first.")
    if errors:
        context["errors"] = errors
        return render(request, "console/audit.html", context, status=422)
    filters: dict[str, Any] = {
        "party_id": party_uuid,
        "actor_label": actor_label,
        "action": action,
        "since": since,
        "until": until,
    }
    try:
        if get.get("export") == "csv":
            return _audit_csv(audit_entries_export(actor=actor, **filters))
        context["page"] = audit_entries(
            actor=actor, cursor=get.get("cursor") or None, limit=50, **filters
        )
    except PermissionDenied as denied:
        raise DjangoPermissionDenied(denied.message) from denied
    except ValidationFailed:
        return redirect("console:audit")
    context["query"] = urlencode(
        {
            key: value
            for key, value in (
                ("party", party_id),
                ("actor", actor_label),
                ("action", action),
                ("since", since_text),
                ("until", until_text),
            )
            if value
        }
    )
    return render(request, "console/audit.html", context)


def _spreadsheet_safe(value: str) -> str:
    # A cell that starts like a formula would run as one when the file is opened.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _audit_csv(entries: list[AuditEntry]) -> HttpResponse:
    """The entries as a CSV file, with the columns and the actions named as on the page."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [_("When"), _("Who"), _("Roles"), _("Agencies"), _("What"), _("Party"), _("Purpose")]
    )
    for entry in entries:
        row = [
            timezone.localtime(entry.at).strftime("%d/%m/%Y %H:%M:%S"),
            entry.actor,
            entry.roles,
            entry.agencies,
            str(entry.get_action_display()),
            str(entry.party_id or ""),
            entry.purpose,
        ]
        writer.writerow([_spreadsheet_safe(cell) for cell in row])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    filename = f"audit-log-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _party_for(actor: Actor, party_id: UUID, scope: str) -> Party:
    """The party a form acts on, once the actor's scope for the form is checked (and a refusal
    logged); a missing party is a 404 page."""
    require(actor, scope, party_id=party_id)
    try:
        return party_get(actor=actor, party_id=party_id)
    except NotFound as missing:
        raise Http404(missing.message) from missing


@staff_view
def sharing(request: HttpRequest, actor: Actor, party_id: UUID) -> HttpResponse:
    """Ask another agency for what it holds on the party ("once-only"), and show its answer."""
    party = _party_for(actor, party_id, Scope.SHARING_REQUEST)
    form: dict[str, Any] = {"legal_basis": LegalBasis.CONSENT, "data_categories": []}
    errors: dict[str, str] = {}
    answer = None
    refusal = ""
    if request.method == "POST":
        form = {
            "holder": request.POST.get("holder", ""),
            "purpose": request.POST.get("purpose", ""),
            "data_categories": request.POST.getlist("data_categories"),
            "legal_basis": request.POST.get("legal_basis", LegalBasis.CONSENT),
            "legal_reference": request.POST.get("legal_reference", ""),
        }
        try:
            answer = sharing_request(
                actor=actor,
                party_id=party.pk,
                holder_code=form["holder"],
                purpose=form["purpose"],
                data_categories=form["data_categories"],
                legal_basis=form["legal_basis"],
                legal_reference=form["legal_reference"],
            )
        except ValidationFailed as failure:
            errors = failure.errors
        except SharingRefused as refused:
            refusal = refused.message
    holders = [
        a for a in Agency.objects.exclude(kind="administration") if not actor.sees_agency(a.pk)
    ]
    context = {
        "party": party,
        "form": form,
        "errors": errors,
        "answer": answer,
        "refusal": refusal,
        "holders": holders,
        "categories": DataCategory.choices,
        "bases": LegalBasis.choices,
    }
    status = 422 if errors else (403 if refusal else 200)
    return render(request, "console/sharing.html", context, status=status)


def _profile_fields(party: Party) -> list[dict[str, Any]]:
    """The profile fields a desk can correct, with their labels and current values."""
    if party.kind == Party.Kind.ORGANISATION:
        names = [("legal_name", _("Legal name"), None)]
    else:
        names = [
            ("given_name", _("Given name"), None),
            ("family_name_1", _("First surname"), None),
            ("family_name_2", _("Second surname"), None),
        ]
    blank: list[tuple[str, str]] = [("", "—")]
    fields = [
        *names,
        ("birth_date", _("Birth date"), None),
        ("sex", _("Sex"), blank + list(Party.Sex.choices)),
        ("preferred_language", _("Preferred language"), [("es", "Español"), ("en", "English")]),
        ("education_level", _("Education"), blank + list(Party.Education.choices)),
    ]
    return [
        {
            "name": name,
            "label": label,
            "choices": choices,
            "type": "date" if name == "birth_date" else "",
            # The bounds the service holds to, for the browser's date picker.
            "min": dates.EARLIEST_BIRTH_DATE.isoformat() if name == "birth_date" else "",
            "max": timezone.localdate().isoformat() if name == "birth_date" else "",
            "value": "" if getattr(party, name) is None else str(getattr(party, name)),
        }
        for name, label, choices in fields
    ]


@staff_view
def party_edit(request: HttpRequest, actor: Actor, party_id: UUID) -> HttpResponse:
    """Rectification at the desk: the same service as the API, every change kept with its old
    value."""
    party = _party_for(actor, party_id, Scope.PARTIES_WRITE)
    fields = _profile_fields(party)
    errors: dict[str, str] = {}
    if request.method == "POST":
        changes: dict[str, Any] = {}
        for f in fields:
            raw = request.POST.get(f["name"], "").strip()
            f["value"] = raw
            if f["name"] == "birth_date":
                try:
                    changes["birth_date"] = date.fromisoformat(raw) if raw else None
                except ValueError:
                    errors["birth_date"] = _("Enter a date.")
            else:
                changes[f["name"]] = raw
        if not errors:
            try:
                party_update(actor=actor, party_id=party.pk, changes=changes)
            except ValidationFailed as failure:
                errors = failure.errors
            except Conflict as conflict:
                errors = {conflict.field or "given_name": conflict.message}
        if not errors:
            messages.success(request, _("The record was corrected."))
            return redirect("console:party", party_id=party.pk)
        for f in fields:
            f["error"] = errors.get(f["name"], "")
    context = {"party": party, "fields": fields, "errors": errors}
    return render(request, "console/party_edit.html", context, status=422 if errors else 200)


@staff_view
def consent_new(request: HttpRequest, actor: Actor, party_id: UUID) -> HttpResponse:
    """Record a consent the person gives at the desk, with the document they signed, or the
    agency's own record of another legal basis."""
    party = _party_for(actor, party_id, Scope.PARTIES_WRITE)
    form: dict[str, Any] = {
        "legal_basis": LegalBasis.CONSENT,
        "channel": "desk",
        "data_categories": [],
    }
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = {
            "purpose": request.POST.get("purpose", ""),
            "recipient": request.POST.get("recipient", ""),
            "data_categories": request.POST.getlist("data_categories"),
            "legal_basis": request.POST.get("legal_basis", ""),
            "channel": request.POST.get("channel", ""),
            "expires": request.POST.get("expires", ""),
            "explicit": request.POST.get("explicit") == "1",
        }
        expires_at = None
        try:
            expires_at = dates.end_of_day(form["expires"])
        except ValueError:
            errors["expires_at"] = _("Enter a date.")
        upload = request.FILES.get("evidence")
        evidence = (
            Evidence(file_name=upload.name or "", content=upload, size=upload.size or 0)
            if upload is not None
            else None
        )
        if not errors:
            try:
                consent_record(
                    actor=actor,
                    party_id=party.pk,
                    purpose=form["purpose"],
                    recipient_code=form["recipient"],
                    data_categories=form["data_categories"],
                    legal_basis=form["legal_basis"],
                    channel=form["channel"],
                    expires_at=expires_at,
                    explicit=form["explicit"],
                    evidence=evidence,
                )
            except ValidationFailed as failure:
                errors = failure.errors
            except (PayloadTooLarge, UnsupportedMediaType) as refused:
                errors = {refused.field or "evidence": refused.message}
        if not errors:
            messages.success(request, _("The consent was recorded. The person is told by message."))
            return redirect("console:party", party_id=party.pk)
    context = {
        "party": party,
        "form": form,
        "errors": errors,
        "agencies": Agency.objects.exclude(kind="administration"),
        "categories": DataCategory.choices,
        "bases": LegalBasis.choices,
        "channels": channels(),
    }
    return render(request, "console/consent_new.html", context, status=422 if errors else 200)


@staff_view
def retention(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The retention rules and the latest runs, whose progress updates while one is running."""
    if request.method == "POST":
        dry_run = request.POST.get("mode") != "apply"
        retention_request_run(actor=actor, dry_run=dry_run)
        messages.success(
            request,
            _("The run is queued; the worker starts it within seconds.")
            if not dry_run
            else _("The report is queued; it appears below within seconds."),
        )
        return redirect("console:retention")
    view = retention_overview(actor=actor)
    if request.headers.get("HX-Request") and request.GET.get("runs"):
        return render(request, "console/_retention_runs_poll.html", {"view": view})
    return render(request, "console/retention.html", {"view": view})


@staff_view
def consent_withdraw(request: HttpRequest, actor: Actor, consent_id: UUID) -> HttpResponse:
    """Withdraw a consent given to the actor's agency on the person's instruction, which is
    recorded; it stops counting at once and the person is told."""
    require(actor, Scope.PARTIES_WRITE)
    consent = consent_for_staff(actor=actor, consent_id=consent_id)
    if consent is None:
        raise Http404(_("No such consent."))
    form = {"instruction": "", "channel": "desk"}
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = {
            "instruction": request.POST.get("instruction", ""),
            "channel": request.POST.get("channel", ""),
        }
        try:
            withdraw(
                actor=actor,
                consent_id=consent_id,
                instruction=form["instruction"],
                channel=form["channel"],
            )
        except PermissionDenied as denied:
            raise DjangoPermissionDenied(denied.message) from denied
        except Conflict as conflict:
            messages.info(request, conflict.message)
            return redirect("console:party", party_id=consent.party_id)
        except ValidationFailed as failure:
            errors = failure.errors
        if not errors:
            messages.success(
                request, _("The consent was withdrawn. The person is told by message.")
            )
            return redirect("console:party", party_id=consent.party_id)
    context = {"consent": consent, "form": form, "errors": errors, "channels": channels()}
    return render(request, "console/consent_withdraw.html", context, status=422 if errors else 200)
