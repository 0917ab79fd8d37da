"""The queue of likely matches: pairs of records the matching model found probably one person,
but not surely, for a person to decide — side by side, field by field, with what spoke for and
against — "same person" or "not the same person". The work is ``identity.reviews``' and
``merging.linking``'."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.core.errors import Conflict, NotFound
from ventanilla.identity.reviews import (
    QUEUE_PAGE,
    review_decide,
    review_get,
    review_next,
    reviews_waiting,
)
from ventanilla.merging.linking import match_review_link
from ventanilla.web.console.views import staff_view


def _page_number(text: str) -> int:
    try:
        return max(int(text), 1)
    except ValueError:
        return 1


@staff_view
def match_queue(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Every pair waiting, most likely first."""
    page = _page_number(request.GET.get("page", "1"))
    pending, total = reviews_waiting(actor=actor, page=page)
    pages = max((total + QUEUE_PAGE - 1) // QUEUE_PAGE, 1)
    context = {
        "pending": pending,
        "total": total,
        "page": page,
        "previous": page - 1 if page > 1 else None,
        "next": page + 1 if page < pages else None,
        "pages": pages,
    }
    return render(request, "console/matches.html", context)


@staff_view
def match_review(request: HttpRequest, actor: Actor, review_id: UUID) -> HttpResponse:
    """One pair: look, then decide; after a decision, the next pair waiting."""
    if request.method == "POST":
        decision = request.POST.get("decision", "")
        try:
            if decision == "same":
                _review, merge = match_review_link(actor=actor, review_id=review_id)
                messages.success(
                    request,
                    _("Linked: both records are now one person's, and the merge can be undone.")
                    if merge is not None
                    else _("Linked: both records are now one person's."),
                )
            elif decision == "different":
                review_decide(actor=actor, review_id=review_id, same=False)
                messages.success(
                    request, _("Kept apart: this pair will not be put to anyone again.")
                )
            else:
                messages.error(request, _("Choose “same person” or “not the same person”."))
                return redirect("console:match", review_id=review_id)
        except NotFound as missing:
            raise Http404(missing.message) from missing
        except Conflict as refused:
            messages.error(request, refused.message)
        following = review_next(actor=actor)
        if following is None:
            return redirect("console:matches")
        return redirect("console:match", review_id=following)
    try:
        pending = review_get(
            actor=actor, review_id=review_id, purpose=_("Reviewing a likely match")
        )
    except NotFound as missing:
        raise Http404(missing.message) from missing
    return render(request, "console/match.html", {"pending": pending})
