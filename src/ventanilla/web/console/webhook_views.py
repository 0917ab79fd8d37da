"""Other systems' webhooks, for the operator of the installation (a superuser): the subscriptions
with how their deliveries stand, a form to add one (its signing secret shown once, on the page
that follows), a page to change one (its address, what it hears, a new secret), a button to send
again what one was given up on, and a button to end one. The same services as
``ventanilla events``."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require_operator
from ventanilla.catalog.models import Agency
from ventanilla.core.errors import NotFound, ValidationFailed
from ventanilla.events.models import PERSONAL_SCOPE, Topic
from ventanilla.events.selectors import subscription_active, subscriptions_overview
from ventanilla.events.services import (
    MAX_BATCH,
    subscription_change,
    subscription_create,
    subscription_end,
    subscription_resend,
)
from ventanilla.web.console.views import staff_view

TEMPLATE = "console/webhooks.html"
# Where the new subscription's secret waits for the one page that shows it (after the redirect,
# so that reloading that page does not subscribe the address again).
_JUST_MADE = "ventanilla_webhook_made"


def _context(actor: Actor, **extra: Any) -> dict[str, Any]:
    form = {"agency": "", "url": "", "topics": [], "personal": False, "batch_size": "1"}
    return {
        "subscriptions": subscriptions_overview(actor=actor),
        "agencies": list(Agency.objects.order_by("path")),
        "topics": Topic.choices,
        "max_batch": MAX_BATCH,
        "give_up_days": settings.VENTANILLA_EVENTS_GIVE_UP_DAYS,
        "form": form | extra.pop("form", {}),
        "errors": {},
        **extra,
    }


def _batch_size(raw: str) -> int:
    """The number typed; anything else as 0, which the service refuses beside any other error."""
    try:
        return int(raw)
    except ValueError:
        return 0


def _posted(request: HttpRequest) -> dict[str, Any]:
    """The subscription form's fields as sent, to check and to show again."""
    return {
        "url": request.POST.get("url", "").strip(),
        "topics": request.POST.getlist("topics"),
        "personal": request.POST.get("personal") == "on",
        "batch_size": request.POST.get("batch_size", "1").strip(),
        "description": request.POST.get("description", "").strip(),
    }


def _scopes(form: dict[str, Any]) -> list[str]:
    return [*form["topics"], *([PERSONAL_SCOPE] if form["personal"] else [])]


@staff_view
def webhooks(request: HttpRequest, actor: Actor) -> HttpResponse:
    require_operator(actor, what="console:webhooks")
    if request.method != "POST":
        made = request.session.pop(_JUST_MADE, None)
        return render(request, TEMPLATE, _context(actor, made=made))
    if request.POST.get("action") == "end":
        try:
            ended = subscription_end(actor=actor, subscription_id=request.POST.get("id", ""))
        except NotFound as missing:
            messages.error(request, missing.message)
        else:
            messages.success(
                request,
                _("%(address)s hears nothing more. What it had not received is not sent.")
                % {"address": ended.url},
            )
        return redirect("console:webhooks")
    if request.POST.get("action") == "resend":
        try:
            queued = subscription_resend(actor=actor, subscription_id=request.POST.get("id", ""))
        except NotFound as missing:
            messages.error(request, missing.message)
        else:
            messages.success(
                request,
                ngettext(
                    "%(n)d event is being sent again; it is tried for as long again from now.",
                    "%(n)d events are being sent again; they are tried for as long again from now.",
                    queued,
                )
                % {"n": queued},
            )
        return redirect("console:webhooks")
    form = _posted(request) | {"agency": request.POST.get("agency", "")}
    try:
        if not form["agency"]:
            raise ValidationFailed({"agency": _("Choose the agency whose events it hears.")})
        subscription, secret = subscription_create(
            actor=actor,
            agency_code=form["agency"],
            url=form["url"],
            scopes=_scopes(form),
            description=form["description"],
            batch_size=_batch_size(form["batch_size"]),
        )
    except ValidationFailed as refused:
        return render(
            request, TEMPLATE, _context(actor, form=form, errors=refused.errors), status=422
        )
    except NotFound as missing:
        errors = {"agency": missing.message}
        return render(request, TEMPLATE, _context(actor, form=form, errors=errors), status=422)
    request.session[_JUST_MADE] = {"url": subscription.url, "secret": secret}
    return redirect("console:webhooks")


@staff_view
def webhook_change(request: HttpRequest, actor: Actor, subscription_id: UUID) -> HttpResponse:
    """One active subscription's form, filled with what it has; saved, back to the list (with
    the new secret, once, when one was asked for)."""
    subscription = subscription_active(actor=actor, subscription_id=subscription_id)
    if subscription is None:
        raise Http404(_("No such subscription, or it has ended."))
    form: dict[str, Any] = {
        "url": subscription.url,
        "topics": [scope for scope in subscription.scopes if scope in Topic.values],
        "personal": PERSONAL_SCOPE in subscription.scopes,
        "batch_size": str(subscription.batch_size),
        "description": subscription.description,
        "new_secret": False,
    }
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = _posted(request) | {"new_secret": request.POST.get("new_secret") == "on"}
        try:
            changed, secret = subscription_change(
                actor=actor,
                subscription_id=subscription.pk,
                url=form["url"],
                scopes=_scopes(form),
                description=form["description"],
                batch_size=_batch_size(form["batch_size"]),
                new_secret=form["new_secret"],
            )
        except ValidationFailed as refused:
            errors = refused.errors
        except NotFound as missing:
            messages.error(request, missing.message)
            return redirect("console:webhooks")
        else:
            if secret:
                request.session[_JUST_MADE] = {
                    "url": changed.url,
                    "secret": secret,
                    "renewed": True,
                }
            messages.success(request, _("%(address)s: saved.") % {"address": changed.url})
            return redirect("console:webhooks")
    context = {
        "subscription": subscription,
        "form": form,
        "errors": errors,
        "topics": Topic.choices,
        "max_batch": MAX_BATCH,
    }
    return render(request, "console/webhook_change.html", context, status=422 if errors else 200)
