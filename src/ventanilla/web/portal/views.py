"""The citizen's side of the portal: sign-in by one-time email link, "My data", withdrawing a
consent, "Who has used my data" and the downloads. Thin views over services and selectors.

A citizen's session holds their party id under its own key, never a Django user: staff sessions
never count as citizens, and citizens never reach a staff page.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ventanilla.access.actors import Actor, actor_for_citizen
from ventanilla.citizen360.selectors import party_self_view
from ventanilla.consent.selectors import consent_of_subject, consent_recipients
from ventanilla.consent.services import consent_give, consent_withdraw_by_subject
from ventanilla.core import dates
from ventanilla.core.errors import Conflict, NotFound, ValidationFailed
from ventanilla.core.i18n import current_language
from ventanilla.core.visitors import client_address
from ventanilla.parties.jobs import send_sign_in_link
from ventanilla.parties.labels import language_name
from ventanilla.parties.models import DataCategory, Party
from ventanilla.parties.signin import (
    LINK_MINUTES,
    SECRET_MARK,
    Throttled,
    portal_citizen,
    portal_sign_in_link_valid,
    portal_sign_in_redeem,
    portal_sign_in_request,
)
from ventanilla.privacy.export import party_export, party_export_json, party_export_zip
from ventanilla.privacy.export_page import party_export_page
from ventanilla.privacy.selectors import disclosures_of_party

PARTY_KEY = "portal_party"
SEEN_KEY = "portal_seen"
# Activity is written to the session at most this often, not on every page (each write is a
# database write): the idle limit then runs from up to this long before the last page, so a
# citizen is signed out at most this much sooner, never later.
SEEN_EVERY = 30.0
# Where to go after signing in (a link from an email, say): a path of this site's portal only.
NEXT_KEY = "portal_next"

View = Callable[..., HttpResponseBase]


def _forget_citizen(request: HttpRequest) -> None:
    request.session.pop(PARTY_KEY, None)
    request.session.pop(SEEN_KEY, None)


def _safe_next(url: object) -> str:
    """``url`` if it is a relative path of this portal, otherwise nothing: never another site."""
    if not isinstance(url, str) or not url.startswith("/portal/") or "\\" in url:
        return ""
    if not url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        return ""
    return url


def _to_sign_in(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":  # come back here after signing in
        request.session[NEXT_KEY] = _safe_next(request.get_full_path())
    return redirect("portal:sign-in")


def citizen_view(view: Callable[..., HttpResponseBase]) -> View:
    """A citizen signed in by email link, active within the idle limit; anyone else (anonymous
    visitors and staff alike) is sent to the citizen sign-in."""

    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:  # a staff session is never a citizen
            return _to_sign_in(request)
        party_id = request.session.get(PARTY_KEY)
        if not party_id:
            return _to_sign_in(request)
        now = time.time()
        seen = float(request.session.get(SEEN_KEY, 0))
        if now - seen > settings.VENTANILLA_PORTAL_IDLE_SECONDS:
            _forget_citizen(request)
            messages.info(request, _("You were signed out after a while without activity."))
            return _to_sign_in(request)
        party = portal_citizen(party_id=party_id)
        if party is None:  # merged or erased since signing in
            _forget_citizen(request)
            return _to_sign_in(request)
        if now - seen > SEEN_EVERY:
            request.session[SEEN_KEY] = now
            request.session.set_expiry(settings.VENTANILLA_PORTAL_IDLE_SECONDS)
        try:
            response = view(request, actor_for_citizen(party), *args, **kwargs)
        except NotFound as missing:
            raise Http404(missing.message) from missing
        add_never_cache_headers(response)  # personal data: no shared or back-button cache
        return response

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    wrapper.citizen_only = True  # type: ignore[attr-defined]  # for the permission-matrix test
    return wrapper


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """Ask for a sign-in link. The answer is the same whether or not the details match."""
    context: dict[str, Any] = {
        "identifier": "",
        "email": "",
        "errors": {},
        "minutes": LINK_MINUTES,
        "eid_name": settings.VENTANILLA_OIDC_NAME if settings.VENTANILLA_OIDC_ISSUER else "",
    }
    if request.method == "GET":
        if "next" in request.GET:
            request.session[NEXT_KEY] = _safe_next(request.GET["next"])
        return render(request, "portal/sign_in.html", context)
    identifier = request.POST.get("identifier", "")[:40]
    email = request.POST.get("email", "")[:300]
    context.update(identifier=identifier, email=email)
    link = request.build_absolute_uri(reverse("portal:sign-in-link", args=["-"]))
    try:
        asked = portal_sign_in_request(
            identifier=identifier,
            email=email,
            client_address=client_address(request),
            link_template=link.replace("/-/", f"/{SECRET_MARK}/"),
        )
    except ValidationFailed as failure:
        context["errors"] = failure.errors
        return render(request, "portal/sign_in.html", context, status=422)
    except Throttled as throttled:
        context["throttled"] = throttled.message
        return render(request, "portal/sign_in.html", context, status=429)
    # The same job whether or not the details matched; the worker sends the link (or nothing).
    transaction.on_commit(
        lambda: send_sign_in_link.enqueue(asked.contact_id, asked.link_template, asked.requested_at)
    )
    return render(request, "portal/sign_in_sent.html", context)


@require_http_methods(["GET", "POST"])
def sign_in_link(request: HttpRequest, secret: str) -> HttpResponse:
    """The emailed link. Opening it asks for one click, so a mail scanner that fetches links
    does not use it up; the click signs the person in and the link is spent."""
    if request.method == "GET":
        valid = portal_sign_in_link_valid(secret=secret)
        context = {"valid": valid, "minutes": LINK_MINUTES}
        return render(request, "portal/sign_in_link.html", context, status=200 if valid else 410)
    party = portal_sign_in_redeem(secret=secret)
    if party is None:
        context = {"valid": False, "minutes": LINK_MINUTES}
        return render(request, "portal/sign_in_link.html", context, status=410)
    return start_citizen_session(request, party)


def start_citizen_session(request: HttpRequest, party: Party) -> HttpResponse:
    """Sign ``party`` in to a fresh session (no staff sign-in and no earlier visitor's data
    carries over) and go where they were heading, or to their page."""
    then = _safe_next(request.session.get(NEXT_KEY))
    logout(request)
    request.session[PARTY_KEY] = str(party.pk)
    request.session[SEEN_KEY] = time.time()
    request.session.set_expiry(settings.VENTANILLA_PORTAL_IDLE_SECONDS)
    return redirect(then) if then else redirect("portal:me")


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        request.session.flush()
    else:
        _forget_citizen(request)
    messages.success(request, _("You have signed out."))
    return redirect("portal:home")


@citizen_view
def me(request: HttpRequest, actor: Actor) -> HttpResponse:
    """My data: profile, identifiers, contact points, cases and consents."""
    view = party_self_view(actor=actor)
    context = {
        "view": view,
        "language": language_name(view.party.preferred_language),
        "now": timezone.now(),
    }
    return render(request, "portal/me.html", context)


@require_http_methods(["GET", "POST"])
@citizen_view
def consent_new(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The person gives a consent: which office may use which of their data, why, until when.
    Only a consent given here or signed at a desk lets one office see what another holds."""
    form: dict[str, Any] = {"data_categories": [], "explicit": False}
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = {
            "purpose": request.POST.get("purpose", ""),
            "recipient": request.POST.get("recipient", ""),
            "data_categories": request.POST.getlist("data_categories"),
            "expires": request.POST.get("expires", ""),
            "explicit": request.POST.get("explicit") == "1",
        }
        expires_at = None
        try:
            expires_at = dates.end_of_day(form["expires"])
        except ValueError:
            errors["expires_at"] = _("Enter a date.")
        if not errors:
            try:
                consent_give(
                    actor=actor,
                    purpose=form["purpose"],
                    recipient_code=form["recipient"],
                    data_categories=form["data_categories"],
                    expires_at=expires_at,
                    explicit=form["explicit"],
                )
            except ValidationFailed as failure:
                errors = failure.errors
        if not errors:
            messages.success(
                request, _("Your consent was recorded. You can withdraw it here at any time.")
            )
            return redirect("portal:me")
    context = {
        "form": form,
        "errors": errors,
        "agencies": consent_recipients(),
        "categories": DataCategory.choices,
    }
    return render(request, "portal/consent_new.html", context, status=422 if errors else 200)


@require_http_methods(["GET", "POST"])
@citizen_view
def consent_withdraw(request: HttpRequest, actor: Actor, consent_id: UUID) -> HttpResponse:
    """Ask to confirm, then withdraw one of the person's own consents, with effect at once."""
    if request.method == "GET":
        consent = consent_of_subject(actor=actor, consent_id=consent_id)
        return render(request, "portal/consent_withdraw.html", {"consent": consent})
    try:
        consent_withdraw_by_subject(actor=actor, consent_id=consent_id)
    except Conflict as conflict:
        messages.info(request, conflict.message)
        return redirect("portal:me")
    messages.success(request, _("Your consent was withdrawn. It no longer applies."))
    return redirect("portal:me")


@citizen_view
def disclosures(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Who has used my data: every read or change by someone else, newest first."""
    try:
        page = disclosures_of_party(actor=actor, cursor=request.GET.get("cursor") or None)
    except ValidationFailed:
        return redirect("portal:disclosures")
    return render(request, "portal/disclosures.html", {"page": page})


@citizen_view
def export(request: HttpRequest, actor: Actor, fmt: str) -> HttpResponseBase:
    """Everything held on me, as a JSON file, a page to keep, or a zip with both and a copy of
    each of my documents (the export is audited), labelled in the language of the portal."""
    language = current_language()
    response: HttpResponseBase
    if fmt == "zip":
        # On disk, not in memory: a person's documents can be many and large.
        archive = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
        party_export_zip(actor=actor, party_id=actor.party_id, into=archive, language=language)
        archive.seek(0)
        response = FileResponse(archive, content_type="application/zip")
    else:
        document = party_export(actor=actor, party_id=actor.party_id, language=language)
        if fmt == "json":
            body = party_export_json(document)
            response = HttpResponse(body, content_type="application/json; charset=utf-8")
        else:
            # A download, opened from disk: the page carries its own small style sheet.
            body = party_export_page(document)
            response = HttpResponse(body, content_type="text/html; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="my-data.{fmt}"'
    return response
