"""The staff console (search, 360° view) and the citizen portal's public pages: thin views that
call selectors and render templates."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ventanilla.access.actors import Actor, actor_for_user
from ventanilla.audit.selectors import audit_entries, may_read_audit
from ventanilla.catalog.models import Agency
from ventanilla.catalog.selectors import channels, life_events_with_services
from ventanilla.consent.services import consent_withdraw as withdraw
from ventanilla.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from ventanilla.parties.selectors import party_360 as select_party_360
from ventanilla.parties.selectors import party_search

View = Callable[..., HttpResponse]


def staff_view(view: Callable[..., HttpResponse]) -> View:
    """Signed-in staff with a membership only; others are told so, not shown a blank page."""

    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        actor = actor_for_user(request.user)
        if not actor.is_staff_member:
            raise DjangoPermissionDenied(_("Your account is not a member of any agency."))
        try:
            return view(request, actor, *args, **kwargs)
        except PermissionDenied as denied:  # refused by a selector or service, and audited there
            raise DjangoPermissionDenied(denied.message) from denied

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("console:search")
    return redirect("console:portal")


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
    context = {"q": query, "results": results, "next_cursor": next_cursor, "error": error}
    if request.headers.get("HX-Request"):
        return render(request, "console/_results.html", context)
    return render(request, "console/search.html", context)


@staff_view
def party_360(request: HttpRequest, actor: Actor, party_id: UUID) -> HttpResponse:
    channel = request.GET.get("channel") or None
    agency = request.GET.get("agency") or None
    try:
        view = select_party_360(
            actor=actor,
            party_id=party_id,
            channel=channel,
            agency=agency,
            cursor=request.GET.get("cursor") or None,
            with_documents=True,
        )
    except NotFound as missing:
        raise Http404(missing.message) from missing
    except ValidationFailed:
        return redirect("console:party", party_id=party_id)
    context = {
        "view": view,
        "party": view.party,
        "channel": channel or "",
        "agency": agency or "",
        "channels": channels(),
        "may_read_audit": may_read_audit(actor),
        "agencies": Agency.objects.filter(pk__in=list(actor.agency_ids)).order_by("path")
        if not actor.sees_everything
        else Agency.objects.order_by("path"),
    }
    if request.headers.get("HX-Request") and request.GET.get("cursor"):
        return render(request, "console/_timeline_rows.html", context)
    return render(request, "console/party.html", context)


@staff_view
def audit_log(request: HttpRequest, actor: Actor) -> HttpResponse:
    """For data-protection officers: who looked at a citizen, or what a member of staff saw."""
    party_id = request.GET.get("party") or None
    actor_label = request.GET.get("actor") or None
    try:
        page = audit_entries(
            actor=actor,
            party_id=UUID(party_id) if party_id else None,
            actor_label=actor_label,
            cursor=request.GET.get("cursor") or None,
            limit=50,
        )
    except PermissionDenied as denied:
        raise DjangoPermissionDenied(denied.message) from denied
    except (ValueError, ValidationFailed):
        return redirect("console:audit")
    context = {"page": page, "party": party_id or "", "actor_label": actor_label or ""}
    return render(request, "console/audit.html", context)


@require_POST
@staff_view
def consent_withdraw(request: HttpRequest, actor: Actor, consent_id: UUID) -> HttpResponse:
    """Withdraw a consent at the desk; it stops counting at once."""
    try:
        consent = withdraw(actor=actor, consent_id=consent_id)
    except NotFound as missing:
        raise Http404(missing.message) from missing
    except PermissionDenied as denied:
        raise DjangoPermissionDenied(denied.message) from denied
    except Conflict as conflict:
        messages.info(request, conflict.message)
        return redirect("console:search")
    messages.success(request, _("The consent was withdrawn."))
    return redirect("console:party", party_id=consent.party_id)


def portal(request: HttpRequest) -> HttpResponse:
    """The citizen portal's front page: the services, grouped by life event."""
    return render(request, "portal/home.html", {"events": life_events_with_services()})
