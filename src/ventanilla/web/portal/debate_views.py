"""Debates in the portal: the list of those open, a debate with its thread, and the doors of
every comment thread (a debate's, a proposal's): posting a comment or reply, reporting one,
appealing the hiding of one's own. Those three take a ``next`` local path to return to, where
what happened is told in the page's messages."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ventanilla.access.actors import Actor
from ventanilla.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from ventanilla.debates.selectors import debate_published, debates_open, thread_of
from ventanilla.debates.services import comment_appeal, comment_post, comment_report
from ventanilla.web.portal.notice_views import _signed_in
from ventanilla.web.portal.views import NEXT_KEY, _safe_next


def debates(request: HttpRequest) -> HttpResponse:
    """The debates open now."""
    return render(request, "portal/debates.html", {"debates": list(debates_open())})


def debate(request: HttpRequest, debate_id: UUID) -> HttpResponse:
    """A debate and its comments, as the visitor may see them."""
    try:
        found = debate_published(debate_id=debate_id)
    except NotFound as missing:
        raise Http404(missing.message) from missing
    citizen = _signed_in(request)
    context = {
        "debate": found,
        "thread": thread_of(subject=found.subject, viewer=citizen),
        "subject": found.subject,
    }
    response = render(request, "portal/debate.html", context)
    if citizen is not None:
        add_never_cache_headers(response)
    return response


def _back(request: HttpRequest, anchor: str = "") -> HttpResponse:
    target = _safe_next(request.POST.get("next", "")) or "/portal/debates/"
    return redirect(f"{target}#{anchor}" if anchor else target)


def _citizen_or_sign_in(request: HttpRequest) -> Actor | None:
    citizen = _signed_in(request)
    if citizen is None:
        # Back to the thread once signed in; what was written is not kept.
        request.session[NEXT_KEY] = _safe_next(request.POST.get("next", ""))
        messages.info(request, _("Sign in to take part; then write your comment again."))
    return citizen


def _refused(request: HttpRequest, failure: Exception) -> None:
    if isinstance(failure, ValidationFailed):
        for text in failure.errors.values():
            messages.error(request, text)
    elif isinstance(failure, Conflict | NotFound | PermissionDenied):
        messages.error(request, failure.message)


@require_POST
def comment_new(request: HttpRequest) -> HttpResponse:
    """Post a comment, or a reply (``parent``), on ``subject``."""
    citizen = _citizen_or_sign_in(request)
    if citizen is None:
        return redirect("portal:sign-in")
    try:
        comment = comment_post(
            actor=citizen,
            subject=request.POST.get("subject", ""),
            body=request.POST.get("body", ""),
            parent_id=_uuid(request.POST.get("parent", "")),
        )
    except (ValidationFailed, Conflict, NotFound, PermissionDenied) as failure:
        _refused(request, failure)
        return _back(request, "comments")
    messages.success(request, _("Your comment is published."))
    return _back(request, f"c-{comment.pk}")


def _uuid(raw: str) -> UUID | None:
    try:
        return UUID(raw) if raw else None
    except ValueError:
        return None


@require_POST
def comment_report_view(request: HttpRequest, comment_id: UUID) -> HttpResponse:
    """Report a comment to the moderators."""
    citizen = _citizen_or_sign_in(request)
    if citizen is None:
        return redirect("portal:sign-in")
    try:
        comment_report(
            actor=citizen,
            comment_id=comment_id,
            reason=request.POST.get("reason", ""),
            text=request.POST.get("text", ""),
        )
    except (ValidationFailed, Conflict, NotFound, PermissionDenied) as failure:
        _refused(request, failure)
    else:
        messages.success(request, _("Thank you: the moderators will read your report."))
    return _back(request, f"c-{comment_id}")


@require_POST
def comment_appeal_view(request: HttpRequest, comment_id: UUID) -> HttpResponse:
    """The author's appeal against the hiding of their comment."""
    citizen = _citizen_or_sign_in(request)
    if citizen is None:
        return redirect("portal:sign-in")
    try:
        comment_appeal(actor=citizen, comment_id=comment_id, text=request.POST.get("text", ""))
    except (ValidationFailed, Conflict, NotFound, PermissionDenied) as failure:
        _refused(request, failure)
    else:
        messages.success(request, _("Your appeal was sent; you will be told the decision."))
    return _back(request, f"c-{comment_id}")
