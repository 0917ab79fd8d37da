"""Reads of citizen proposals: the published ones for everyone (no names of supporters, no
author's name), the one a resident supports, the console's list of those waiting for an
answer, and how the cases a proposal cites are going — counts only, never who or which."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.db.models import Value as V
from django.db.models.expressions import Case, When
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.cases.models import Case as CitizenCase
from ventanilla.cases.models import CaseStatus
from ventanilla.core.errors import NotFound
from ventanilla.proposals.models import Proposal, ProposalEvidence, Support

SORTS = ("supported", "newest")
PAGE = 100


def supports_needed() -> int:
    return int(settings.VENTANILLA_PROPOSAL_SUPPORTS_NEEDED)


def still_needed(proposal: Proposal) -> int:
    return max(0, supports_needed() - proposal.supports_count)


def _public() -> QuerySet[Proposal]:
    return Proposal.objects.select_related("agency").exclude(status=Proposal.Status.WITHDRAWN)


def proposals_published(*, sort: str = "supported", district: str = "") -> list[Proposal]:
    """The proposals anyone may read, most supported or newest first, of one district (and
    those of the whole town) when one is given."""
    rows = _public()
    if district:
        rows = rows.filter(Q(district__iexact=district) | Q(district=""))
    order = ["-created_at"] if sort == "newest" else ["-supports_count", "-created_at"]
    return list(rows.order_by(*order)[:PAGE])


def districts_of_proposals() -> list[str]:
    return sorted(
        set(_public().exclude(district="").values_list("district", flat=True)), key=str.casefold
    )


def proposal_published(*, proposal_id: Any) -> Proposal:
    proposal = _public().filter(pk=proposal_id).first()
    if proposal is None:
        raise NotFound(_("No such proposal."))
    return proposal


def already_supported(*, actor: Actor | None, proposal: Proposal) -> bool:
    if actor is None or not actor.is_citizen:
        return False
    return Support.objects.filter(proposal=proposal, party_id=str(actor.party_id)).exists()


@dataclass(frozen=True)
class Evidence:
    """How the cases one citation names are going: waiting to be dealt with, being dealt with,
    resolved, and closed otherwise (rejected or cancelled)."""

    citation: ProposalEvidence
    waiting: int
    in_progress: int
    resolved: int
    closed_otherwise: int

    @property
    def total(self) -> int:
        return self.waiting + self.in_progress + self.resolved + self.closed_otherwise

    def published(self, threshold: int | None = None) -> PublishedEvidence:
        """The counts as the public may read them: a count below the small-cell threshold
        (``VENTANILLA_SMALL_CELL_THRESHOLD``) is hidden, as is, when the total is shown and
        exactly one count is hidden, the smallest other count, so the hidden one cannot be
        worked out by subtraction. A total below the threshold hides everything."""
        limit = settings.VENTANILLA_SMALL_CELL_THRESHOLD if threshold is None else threshold
        counts = {
            "waiting": self.waiting,
            "in_progress": self.in_progress,
            "resolved": self.resolved,
            "closed_otherwise": self.closed_otherwise,
        }
        shown: dict[str, int | None] = dict(counts)
        total: int | None = self.total
        small: set[str] = set()
        if 0 < self.total < limit:
            shown = dict.fromkeys(counts)
            total = None
            # Each is at most the total, so each is truly "fewer than" the threshold.
            small = {"total", *counts}
        else:
            for name, n in counts.items():
                if 0 < n < limit:
                    shown[name] = None
                    small.add(name)
            if list(shown.values()).count(None) == 1:
                others = [(n, name) for name, n in counts.items() if shown[name] and n > 0]
                if others:
                    shown[min(others)[1]] = None
        return PublishedEvidence(
            citation=self.citation,
            total=total,
            threshold=limit,
            small=frozenset(small),
            **shown,
        )


@dataclass(frozen=True)
class PublishedEvidence:
    """``Evidence`` with its small counts hidden (None). ``small`` names those hidden for being
    below the threshold; the others hidden (None, not in ``small``) are hidden only because
    they would give a small one away, and may be of any size."""

    citation: ProposalEvidence
    waiting: int | None
    in_progress: int | None
    resolved: int | None
    closed_otherwise: int | None
    total: int | None
    threshold: int
    small: frozenset[str] = frozenset()

    @property
    def cells(self) -> list[tuple[str, int | None, bool]]:
        """(name, count or None, hidden for being small) in the order of the table's columns."""
        names = ("waiting", "in_progress", "resolved", "closed_otherwise", "total")
        return [(name, getattr(self, name), name in self.small) for name in names]


WAITING = (CaseStatus.NEW, CaseStatus.ACCEPTED)
IN_PROGRESS = (CaseStatus.IN_PROGRESS, CaseStatus.WAITING_CITIZEN)
RESOLVED = (CaseStatus.RESOLVED, CaseStatus.CLOSED)
CLOSED_OTHERWISE = (CaseStatus.REJECTED, CaseStatus.CANCELLED)


def evidence_of(proposal: Proposal) -> list[Evidence]:
    """The cited cases' counts by how they are going, one query per citation. Only counts leave
    this function: no party, reference or description of any case."""
    figures = []
    citations = ProposalEvidence.objects.filter(proposal=proposal).select_related("service")
    for citation in citations:
        cases = CitizenCase.objects.filter(service_id=citation.service_id)
        if citation.district:
            cases = cases.filter(district__iexact=citation.district)
        if citation.since is not None:
            cases = cases.filter(opened_at__date__gte=citation.since)
        counts = cases.aggregate(
            waiting=Count("pk", filter=Q(status__in=WAITING)),
            in_progress=Count("pk", filter=Q(status__in=IN_PROGRESS)),
            resolved=Count("pk", filter=Q(status__in=RESOLVED)),
            closed_otherwise=Count("pk", filter=Q(status__in=CLOSED_OTHERWISE)),
        )
        figures.append(Evidence(citation=citation, **counts))
    return figures


def evidence_published(proposal: Proposal) -> list[PublishedEvidence]:
    """``evidence_of`` as the portal and the open API show it, small counts hidden."""
    return [figure.published() for figure in evidence_of(proposal)]


def _covered(actor: Actor) -> Q:
    """The proposals addressed to the actor's agencies, to a department below them or to an
    agency above them (the town hall's proposals reach its departments' supervisors)."""
    if actor.sees_everything:
        return Q()
    above = {
        "/".join(path.split("/")[:depth])
        for path in actor.agency_paths
        for depth in range(1, path.count("/") + 2)
    }
    return Q(agency_id__in=list(actor.agency_ids)) | Q(agency__path__in=sorted(above))


def proposals_to_answer(*, actor: Actor) -> list[Proposal]:
    """The console's list: those that must be answered first, soonest due first; then those still
    collecting supports, most supported first; then the answered ones, latest first."""
    require(actor, Scope.PARTICIPATION_MANAGE)
    waiting = Q(status=Proposal.Status.PUBLISHED)
    rows = (
        Proposal.objects.select_related("agency")
        .filter(_covered(actor))
        .exclude(status=Proposal.Status.WITHDRAWN)
        .annotate(
            band=Case(
                When(waiting & Q(answer_due__isnull=False), then=V(0)),
                When(waiting, then=V(1)),
                default=V(2),
            )
        )
        .order_by("band", "answer_due", "-supports_count", "-answered_at", "-created_at")
    )
    return list(rows[:300])


def proposal_managed(*, actor: Actor, proposal_id: Any) -> Proposal:
    require(actor, Scope.PARTICIPATION_MANAGE)
    proposal = (
        Proposal.objects.select_related("agency").filter(_covered(actor), pk=proposal_id).first()
    )
    if proposal is None:
        raise NotFound(_("No such proposal."))
    return proposal


def is_overdue(proposal: Proposal, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return bool(
        proposal.status == Proposal.Status.PUBLISHED
        and proposal.answer_due is not None
        and proposal.answer_due < today
    )
