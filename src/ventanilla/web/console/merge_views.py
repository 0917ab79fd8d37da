"""Merging two records of one person at the console, and undoing it: choose the other record by
search, see both side by side, confirm with a reason. The work is ``merging.services``'."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.core.errors import Conflict, NotFound, ValidationFailed
from ventanilla.merging.services import party_merge, party_unmerge
from ventanilla.parties.selectors import party_get, party_search
from ventanilla.web.console.views import staff_view


def _read(actor: Actor, party_id: Any) -> Any:
    try:
        party = party_get(actor=actor, party_id=party_id, purpose=_("Merging two records"))
    except NotFound as missing:
        raise Http404(missing.message) from missing
    return party


@staff_view
def party_merge_page(request: HttpRequest, actor: Actor, party_id: UUID) -> HttpResponse:
    """Find the other record of the same person, compare both, and join it into this one."""
    require(actor, Scope.PARTIES_MERGE, party_id=party_id)
    party = _read(actor, party_id)
    query = request.GET.get("q", "").strip()
    other_id = request.POST.get("other") or request.GET.get("other") or ""
    reason = request.POST.get("reason", "")
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            party_merge(actor=actor, survivor_id=party.pk, merged_id=_uuid(other_id), reason=reason)
        except ValidationFailed as failure:
            errors = failure.errors
        except (Conflict, NotFound) as refused:
            errors = {"merged_id": refused.message}
        else:
            messages.success(request, _("The two records are now one."))
            return redirect("console:party", party_id=party.pk)
    results: list[Any] = []
    if query and not other_id:
        try:
            page = party_search(actor=actor, query=query, limit=10)
            results = [p for p in page.items if p.pk != party.pk and p.status == "active"]
        except ValidationFailed as failure:
            errors = failure.errors
    other = None
    if other_id:
        try:
            other = _read(actor, _uuid(other_id))
        except (NotFound, Http404) as missing:
            if not errors:  # a refused merge says why on the page instead
                raise Http404(_("No such party.")) from missing
    context = {
        "party": party,
        "other": other,
        "q": query,
        "results": results,
        "reason": reason,
        "errors": errors,
        "sides": [_side(party), _side(other)] if other else [],
    }
    return render(request, "console/party_merge.html", context, status=422 if errors else 200)


def _uuid(text: str) -> UUID:
    """The other record's id as the form sent it; anything else is no record."""
    try:
        return UUID(text)
    except ValueError as not_an_id:
        raise NotFound(_("No such party.")) from not_an_id


def _side(party: Any) -> dict[str, Any]:
    return {
        "party": party,
        "identifiers": list(party.identifiers.order_by("scheme")),
        "contact_points": list(party.contact_points.order_by("kind", "value")),
        "cases": party.cases.count(),
        "interactions": party.interactions.count(),
    }


@staff_view
def party_unmerge_page(request: HttpRequest, actor: Actor, party_id: UUID) -> HttpResponse:
    """Undo the merge of the record ``party_id``: back to the survivor's page when refused."""
    if request.method != "POST":
        return redirect("console:party", party_id=party_id)
    try:
        record = party_unmerge(actor=actor, merged_id=party_id)
    except NotFound as missing:
        messages.error(request, missing.message)
        return redirect("console:party", party_id=party_id)
    except Conflict as refused:
        messages.error(request, refused.message)
        return redirect("console:party", party_id=party_id)
    messages.success(request, _("The merge was undone: both records are as they were."))
    return redirect("console:party", party_id=record.merged_id)
