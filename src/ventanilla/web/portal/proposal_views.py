"""Citizen proposals in the portal: the list (most supported or newest, by district), a
proposal's page (its supports and what is still needed, the date the answer is due, the official
answer, how the cases it cites are going) with its Support button, and the form to publish one.
Anyone may read; supporting and publishing need a signed-in registered resident, and the page
says plainly why when the person may not."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from ventanilla.access.actors import Actor
from ventanilla.catalog.models import Agency
from ventanilla.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from ventanilla.debates.selectors import thread_of
from ventanilla.parties.models import Party
from ventanilla.parties.residence import NotEligible, participant_check
from ventanilla.proposals.models import MAX_BODY, MAX_SUMMARY, MAX_TITLE, Proposal
from ventanilla.proposals.selectors import (
    SORTS,
    already_supported,
    districts_of_proposals,
    evidence_published,
    proposal_published,
    proposals_published,
    still_needed,
    supports_needed,
)
from ventanilla.proposals.services import proposal_create, proposal_support, proposal_withdraw
from ventanilla.web.portal.notice_views import _signed_in
from ventanilla.web.portal.views import NEXT_KEY, _safe_next, _to_sign_in


def proposals(request: HttpRequest) -> HttpResponse:
    sort = request.GET.get("sort", "")
    sort = sort if sort in SORTS else "supported"
    district = " ".join(request.GET.get("district", "").split())[:100]
    context = {
        "proposals": [
            {"proposal": p, "still_needed": still_needed(p)}
            for p in proposals_published(sort=sort, district=district)
        ],
        "sort": sort,
        "district": district,
        "districts": districts_of_proposals(),
        "needed": supports_needed(),
    }
    return render(request, "portal/proposals.html", context)


def _proposal(proposal_id: UUID) -> Proposal:
    try:
        return proposal_published(proposal_id=proposal_id)
    except NotFound as missing:
        raise Http404(missing.message) from missing


def _why_not(citizen: Actor) -> str:
    """Why the signed-in person may not support, in their language, or "" when they may."""
    party = Party.objects.filter(pk=str(citizen.party_id)).first()
    if party is None:
        return _("Sign in again to take part.")
    try:
        participant_check(party)
    except NotEligible as refused:
        return refused.message
    return ""


def _detail(
    request: HttpRequest, found: Proposal, *, error: str = "", status: int = 200
) -> HttpResponse:
    citizen = _signed_in(request)
    supported = already_supported(actor=citizen, proposal=found)
    context: dict[str, Any] = {
        "proposal": found,
        "needed": supports_needed(),
        "still_needed": still_needed(found),
        "evidence": evidence_published(found),
        "citizen": citizen,
        "supported": supported,
        "is_author": citizen is not None and str(found.author_id) == str(citizen.party_id),
        "why_not": _why_not(citizen) if citizen is not None and not supported else "",
        "error": error,
        "subject": f"proposal:{found.pk}",
        # The comments on the proposal: a thread of the debates app, moderated like any other.
        "thread": thread_of(subject=f"proposal:{found.pk}", viewer=citizen),
        "sign_in_next": reverse("portal:proposal", args=[found.pk]),
    }
    response = render(request, "portal/proposal.html", context, status=status)
    if citizen is not None:
        add_never_cache_headers(response)
    return response


def proposal(request: HttpRequest, proposal_id: UUID) -> HttpResponse:
    return _detail(request, _proposal(proposal_id))


@require_POST
def proposal_support_view(request: HttpRequest, proposal_id: UUID) -> HttpResponse:
    found = _proposal(proposal_id)
    citizen = _signed_in(request)
    if citizen is None:
        request.session[NEXT_KEY] = _safe_next(reverse("portal:proposal", args=[found.pk]))
        return redirect("portal:sign-in")
    try:
        counted = proposal_support(actor=citizen, proposal_id=found.pk)
    except ValidationFailed as failure:
        return _detail(request, found, error=" ".join(failure.errors.values()), status=422)
    except Conflict as clash:
        return _detail(request, found, error=clash.message, status=409)
    except PermissionDenied as denied:
        raise DjangoPermissionDenied(denied.message) from denied
    messages.success(
        request,
        ngettext(
            "Thank you: your support is counted. The proposal now has %(n)d support.",
            "Thank you: your support is counted. The proposal now has %(n)d supports.",
            counted.supports_count,
        )
        % {"n": counted.supports_count},
    )
    return redirect("portal:proposal", proposal_id=found.pk)


@require_http_methods(["GET", "POST"])
def proposal_withdraw_view(request: HttpRequest, proposal_id: UUID) -> HttpResponse:
    """Ask the author to confirm, then withdraw their proposal."""
    found = _proposal(proposal_id)
    citizen = _signed_in(request)
    if citizen is None:
        request.session[NEXT_KEY] = _safe_next(reverse("portal:proposal", args=[found.pk]))
        return redirect("portal:sign-in")
    if str(found.author_id) != str(citizen.party_id):
        raise Http404(_("No such proposal of yours."))
    context: dict[str, Any] = {"proposal": found, "error": "", "errors": {}, "reason": ""}
    if request.method == "POST":
        context["reason"] = request.POST.get("reason", "")
        try:
            proposal_withdraw(actor=citizen, proposal_id=found.pk, reason=context["reason"])
        except ValidationFailed as wrong:
            context["errors"] = wrong.errors
            response = render(request, "portal/proposal_withdraw.html", context, status=422)
            add_never_cache_headers(response)
            return response
        except Conflict as refused:
            context["error"] = refused.message
            response = render(request, "portal/proposal_withdraw.html", context, status=409)
            add_never_cache_headers(response)
            return response
        except NotFound as gone:  # withdrawn meanwhile, by a second click
            raise Http404(gone.message) from gone
        messages.success(
            request, _("Your proposal was withdrawn. Those who supported it are being told.")
        )
        return redirect("portal:proposals")
    response = render(request, "portal/proposal_withdraw.html", context)
    add_never_cache_headers(response)
    return response


def _agencies() -> list[Agency]:
    return list(Agency.objects.filter(kind=Agency.Kind.AGENCY).order_by("path"))


@require_http_methods(["GET", "POST"])
def proposal_new(request: HttpRequest) -> HttpResponse:
    citizen = _signed_in(request)
    if citizen is None:
        return _to_sign_in(request)
    agencies = _agencies()
    given = {
        "agency": str(agencies[0].pk) if agencies else "",
        "title": "",
        "summary": "",
        "body": "",
        "district": "",
    }
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        given = {name: request.POST.get(name, "") for name in given}
        try:
            made = proposal_create(
                actor=citizen,
                agency_id=given["agency"] or None,
                title=given["title"],
                summary=given["summary"],
                body=given["body"],
                district=given["district"],
            )
        except ValidationFailed as failure:
            errors, status = failure.errors, 422
        except PermissionDenied as denied:
            raise DjangoPermissionDenied(denied.message) from denied
        else:
            messages.success(request, _("Your proposal is published."))
            return redirect("portal:proposal", proposal_id=made.pk)
    context = {
        "agencies": agencies,
        "given": given,
        "errors": errors,
        "why_not": _why_not(citizen),
        "limits": {"title": MAX_TITLE, "summary": MAX_SUMMARY, "body": MAX_BODY},
        "municipality": settings.VENTANILLA_MUNICIPALITY,
    }
    response = render(request, "portal/proposal_new.html", context, status=status)
    add_never_cache_headers(response)
    return response
