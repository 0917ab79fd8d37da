"""Which register wins when two disagree: the administration's order of trust in its agencies'
registers, changed one step at a time ("move up", "move down", "add", "take out") with plain
forms. Each step sends the order the person saw; the new whole order is set by
``merging.services.source_trust_set``."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.core.errors import ValidationFailed
from ventanilla.merging.selectors import source_trust_order
from ventanilla.merging.services import source_trust_set
from ventanilla.web.console.views import staff_view

MOVES = ("up", "down", "add", "remove")


def moved(order: list[str], code: str, move: str) -> list[str]:
    """``order`` after one step of ``code``; a step that cannot be taken leaves it as it is."""
    order = list(order)
    if move == "add" and code not in order:
        return [*order, code]
    if code not in order:
        return order
    at = order.index(code)
    if move == "remove":
        del order[at]
    elif move == "up" and at > 0:
        order[at - 1], order[at] = order[at], order[at - 1]
    elif move == "down" and at < len(order) - 1:
        order[at + 1], order[at] = order[at], order[at + 1]
    return order


@staff_view
def trust_order(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The order, most trusted first, each agency with its steps; the agencies not ranked below."""
    require(actor, Scope.SOURCES_TRUST)
    order = source_trust_order()
    current = [agency.code for agency in order.ranked]
    if request.method == "POST":
        code, move = request.POST.get("agency", ""), request.POST.get("move", "")
        seen = [c for c in request.POST.get("seen", "").split(",") if c]
        if seen != current:
            messages.error(
                request, _("Someone changed the order meanwhile: here it is now. Try again.")
            )
            return redirect("console:trust")
        if move not in MOVES:
            messages.error(request, _("Choose a step for the agency."))
            return redirect("console:trust")
        try:
            source_trust_set(actor=actor, agency_codes=moved(current, code, move))
        except ValidationFailed as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("The order was saved."))
        return redirect("console:trust")
    context = {
        "ranked": order.ranked,
        "unranked": order.unranked,
        "seen": ",".join(current),
    }
    return render(request, "console/trust.html", context)
