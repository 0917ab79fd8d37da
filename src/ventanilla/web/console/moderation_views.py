"""Moderation in the console, /console/moderation/: the comments citizens reported in the staff
member's agencies, most reported first, each with where it was posted and why it was reported,
and a form to hide it with the reason everyone will read; the authors' appeals waiting, to
uphold or dismiss. And the form that opens a debate, /console/debates/new/."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.core.errors import Conflict, NotFound, ValidationFailed
from ventanilla.debates.selectors import debates_of_actor, moderation_queue
from ventanilla.debates.services import appeal_decide, comment_hide, debate_close, debate_open
from ventanilla.notices.selectors import agencies_of_actor
from ventanilla.web.console.views import staff_view


def _page(
    request: HttpRequest,
    actor: Actor,
    *,
    errors: dict[str, str] | None = None,
    failed: str = "",
    given: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "queue": moderation_queue(actor=actor),
        "debates": debates_of_actor(actor=actor),
        "errors": errors or {},
        # The comment whose hiding failed, and the reason given, to show them again.
        "failed": failed,
        "given": given,
    }
    return render(request, "console/moderation.html", context, status=status)


@require_http_methods(["GET", "POST"])
@staff_view
def moderation(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The queue; sent, one comment hidden (``hide``), one appeal decided (``appeal``) or one
    debate closed (``close``)."""
    require(actor, Scope.PARTICIPATION_MANAGE)
    if request.method == "GET":
        return _page(request, actor)
    post = request.POST
    try:
        if post.get("hide"):
            comment_hide(actor=actor, comment_id=post["hide"], reason=post.get("reason", ""))
            messages.success(request, _("The comment is hidden; its author was told why."))
        elif post.get("appeal"):
            upheld = post.get("decision") == "uphold"
            appeal_decide(
                actor=actor,
                appeal_id=post["appeal"],
                upheld=upheld,
                note=post.get("note", ""),
            )
            messages.success(
                request,
                _("The appeal is upheld: the comment is shown again.")
                if upheld
                else _("The appeal is dismissed: the comment stays hidden."),
            )
        elif post.get("close"):
            closed = debate_close(actor=actor, debate_id=post["close"])
            messages.success(
                request,
                _("The debate “%(title)s” is closed: its comments stay for anyone to read.")
                % {"title": closed.title},
            )
        else:
            messages.error(request, _("Choose a comment or an appeal."))
    except ValidationFailed as failure:
        return _page(
            request,
            actor,
            errors=failure.errors,
            failed=post.get("hide", ""),
            given=post.get("reason", ""),
            status=422,
        )
    except (Conflict, NotFound, ValueError) as gone:
        # Dealt with meanwhile by someone else, or not a comment (or debate) at all.
        messages.error(request, getattr(gone, "message", _("No such comment.")))
    return redirect("console:moderation")


def _moment(value: str, errors: dict[str, str]) -> datetime | None:
    value = value.strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        errors["closes_at"] = _("Enter a date and time.")
        return None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


@require_http_methods(["GET", "POST"])
@staff_view
def debate_new(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Open a debate of one of the staff member's agencies."""
    require(actor, Scope.PARTICIPATION_MANAGE)
    agencies = agencies_of_actor(actor=actor)
    values: dict[str, Any] = {"agency": agencies[0].code if agencies else ""}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        post = request.POST
        values = {key: post.get(key, "") for key in ("agency", "title", "body", "district")}
        values["closes_at"] = post.get("closes_at", "")
        values["residents_only"] = bool(post.get("residents_only"))
        closes_at = _moment(values["closes_at"], errors)
        agency = next((a for a in agencies if a.code == values["agency"]), None)
        if not errors:
            try:
                debate = debate_open(
                    actor=actor,
                    agency_id=agency.pk if agency else None,
                    title=values["title"],
                    body=values["body"],
                    district=values["district"],
                    residents_only=values["residents_only"],
                    closes_at=closes_at,
                )
            except ValidationFailed as failure:
                errors = failure.errors
            else:
                messages.success(
                    request, _("The debate “%(title)s” is open.") % {"title": debate.title}
                )
                return redirect("console:moderation")
        status = 422
    context = {"agencies": agencies, "values": values, "errors": errors}
    return render(request, "console/debate_new.html", context, status=status)
