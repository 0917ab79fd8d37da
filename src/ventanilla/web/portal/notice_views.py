"""Public notices in the portal: the list (by topic and district), each notice's page, the Atom
feed in the reader's language, subscribing by email (signed in: at once, with the address on
the record; otherwise after following an emailed link), and unsubscribing with one click by the
signed link every notice carries, without signing in (RFC 8058)."""

from __future__ import annotations

import time
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from ventanilla.access.actors import Actor, actor_for_citizen
from ventanilla.core.errors import NotFound, ValidationFailed
from ventanilla.core.i18n import current_language
from ventanilla.notices.models import Notice, Topic
from ventanilla.notices.selectors import (
    districts_known,
    notice_published,
    notices_published,
    subscriptions_of_citizen,
)
from ventanilla.notices.services import (
    subscription_cancel,
    subscription_cancel_for_party,
    subscription_confirm,
    subscription_create_for_party,
    subscription_for_token,
    subscription_request,
)
from ventanilla.parties.signin import portal_citizen
from ventanilla.web.portal.views import PARTY_KEY, SEEN_KEY


def _signed_in(request: HttpRequest) -> Actor | None:
    """The signed-in citizen on a page open to everyone, or None (staff sessions are not)."""
    if request.user.is_authenticated:
        return None
    party_id = request.session.get(PARTY_KEY)
    if not party_id:
        return None
    if time.time() - float(request.session.get(SEEN_KEY, 0)) > (
        settings.VENTANILLA_PORTAL_IDLE_SECONDS
    ):
        return None
    party = portal_citizen(party_id=party_id)
    return actor_for_citizen(party) if party is not None else None


def _filters(request: HttpRequest) -> tuple[str, str]:
    topic = request.GET.get("topic", "")
    topic = topic if topic in Topic.values else ""
    return topic, " ".join(request.GET.get("district", "").split())[:100]


def notices(request: HttpRequest) -> HttpResponse:
    """The notices published now, filtered by topic and district."""
    topic, district = _filters(request)
    query = request.GET.urlencode()
    context = {
        "notices": notices_published(topic=topic, district=district),
        "topics": Topic.choices,
        "topic": topic,
        "district": district,
        "districts": districts_known(),
        "feed_url": reverse("portal:notices-feed") + (f"?{query}" if query else ""),
    }
    return render(request, "portal/notices.html", context)


def notice(request: HttpRequest, notice_id: UUID) -> HttpResponse:
    try:
        found = notice_published(notice_id=notice_id)
    except NotFound as missing:
        raise Http404(_("No such notice, or it is no longer published.")) from missing
    return render(request, "portal/notice.html", {"notice": found})


class NoticesFeed(Feed):  # type: ignore[type-arg]
    """The published notices as Atom, in the reader's language, filtered like the list."""

    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, str]:
        topic, district = _filters(request)
        return {"topic": topic, "district": district}

    def title(self, obj: dict[str, str]) -> str:
        parts = [_("Notices")]
        if obj["topic"]:
            parts.append(str(Topic(obj["topic"]).label))
        if obj["district"]:
            parts.append(obj["district"])
        return " · ".join(parts)

    def subtitle(self, obj: dict[str, str]) -> str:
        return _("Notices and news from the administration")

    def link(self, obj: dict[str, str]) -> str:
        return reverse("portal:notices")

    def items(self, obj: dict[str, str]) -> list[Notice]:
        return notices_published(topic=obj["topic"], district=obj["district"])

    def item_title(self, item: Notice) -> str:
        return item.title

    def item_description(self, item: Notice) -> str:
        return item.body

    def item_link(self, item: Notice) -> str:
        return reverse("portal:notice", args=[item.pk])

    def item_pubdate(self, item: Notice) -> Any:
        return item.publish_from

    def item_updateddate(self, item: Notice) -> Any:
        return max(item.updated_at, item.publish_from or item.updated_at)

    def item_author_name(self, item: Notice) -> str:
        return item.agency.name

    def item_categories(self, item: Notice) -> list[str]:
        return [str(Topic(item.topic).label)]

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().__call__(request, *args, **kwargs)
        response["Content-Language"] = current_language()
        response["Vary"] = "Accept-Language, Cookie"
        return response


notices_feed = NoticesFeed()


@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    """Subscribe to a topic and a district by email."""
    citizen = _signed_in(request)
    topic, district = _filters(request)
    email = ""
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        topic = request.POST.get("topic", "")
        district = request.POST.get("district", "")
        email = request.POST.get("email", "")
        try:
            if citizen is not None:
                subscription_create_for_party(actor=citizen, topic=topic, district=district)
            else:
                subscription_request(
                    email=email, topic=topic, district=district, language=current_language()
                )
        except ValidationFailed as failure:
            errors, status = failure.errors, 422
        else:
            if citizen is not None:
                messages.success(request, _("You are subscribed. The next notices will reach you."))
                return redirect("portal:notices-subscribe")
            return render(request, "portal/notices_check_email.html", {"email": email})
    context = {
        "citizen": citizen,
        "subscriptions": subscriptions_of_citizen(actor=citizen) if citizen else [],
        "topics": Topic.choices,
        "topic": topic,
        "district": district,
        "districts": districts_known(),
        "email": email,
        "errors": errors,
    }
    return render(request, "portal/notices_subscribe.html", context, status=status)


@require_POST
def unsubscribe_mine(request: HttpRequest, subscription_id: UUID) -> HttpResponse:
    """A signed-in citizen stops one of their subscriptions from the subscription page."""
    citizen = _signed_in(request)
    if citizen is None:
        return redirect("portal:sign-in")
    try:
        subscription_cancel_for_party(actor=citizen, subscription_id=subscription_id)
    except NotFound as missing:
        raise Http404(missing.message) from missing
    messages.success(request, _("You will receive no more of these notices."))
    return redirect("portal:notices-subscribe")


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link emailed to confirm: a button to press, so that a mail scanner opening the link
    does not subscribe anyone."""
    if request.method == "POST":
        try:
            subscription_confirm(token=token)
        except NotFound as missing:
            return render(
                request, "portal/notices_link.html", {"problem": missing.message}, status=404
            )
        return render(request, "portal/notices_link.html", {"confirmed": True})
    return render(request, "portal/notices_link.html", {"confirming": True})


# Mail providers post here without a session or a CSRF token (RFC 8058 one-click); the signed
# token in the address is the only authority, and it can only stop messages.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One click stops the notices: a button on the page, or the mail program's own button."""
    try:
        subscription = (
            subscription_cancel(token=token)
            if request.method == "POST"
            else subscription_for_token(token)
        )
    except NotFound as missing:
        return render(request, "portal/notices_link.html", {"problem": missing.message}, status=404)
    context = {"unsubscribing": subscription.cancelled_at is None, "subscription": subscription}
    return render(request, "portal/notices_unsubscribe.html", context)
