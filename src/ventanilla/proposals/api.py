"""Citizen proposals in the API: what anyone may read in the portal, as data — the proposals,
their supports, the answer owed or given, and how the cases they cite are going (counts only).
No author and no supporter is ever named here."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from ventanilla.core.problems import PUBLIC_PROBLEM_RESPONSES, ProblemOut
from ventanilla.proposals.models import Proposal
from ventanilla.proposals.selectors import (
    evidence_published,
    proposal_published,
    proposals_published,
    still_needed,
    supports_needed,
)

router = Router(tags=["proposals"], auth=None)  # proposals are published to everyone


class ProposalQuery(Schema):
    sort: Literal["supported", "newest"] = "supported"
    district: str = Field("", max_length=100, description="this district's and the whole town's")


class ProposalOut(Schema):
    id: UUID
    agency: str = Field(description="agency code the proposal is addressed to")
    district: str
    title: str
    summary: str
    status: str = Field(description="published | answered")
    supports: int
    supports_needed: int
    still_needed: int
    answer_due: date | None = Field(description="set when the supports needed were reached")
    decision: str = Field(description="accepted | partly | rejected | study, once answered")
    published_at: datetime


class CitedCasesOut(Schema):
    service: str = Field(description="service code")
    district: str
    since: date | None
    waiting: int | None = Field(
        description="null when hidden: below the small-cell threshold, or able to give such a "
        "count away through the total (the same for each count)"
    )
    in_progress: int | None
    resolved: int | None
    closed_otherwise: int | None
    total: int | None


class ProposalDetailOut(ProposalOut):
    body: str
    answer: str
    answered_at: datetime | None
    cited_cases: list[CitedCasesOut]


def _shaped(proposal: Proposal) -> dict[str, Any]:
    return {
        "id": proposal.pk,
        "agency": proposal.agency.code,
        "district": proposal.district,
        "title": proposal.title,
        "summary": proposal.summary,
        "status": proposal.status,
        "supports": proposal.supports_count,
        "supports_needed": supports_needed(),
        "still_needed": still_needed(proposal),
        "answer_due": proposal.answer_due,
        "decision": proposal.decision,
        "published_at": proposal.created_at,
    }


@router.get(
    "",
    response={200: list[ProposalOut], 422: ProblemOut, **PUBLIC_PROBLEM_RESPONSES},
    summary="Citizen proposals",
    description="The proposals published in the portal, most supported or newest first.",
)
def list_proposals(request: HttpRequest, query: Query[ProposalQuery]) -> list[dict[str, Any]]:
    return [
        _shaped(p) for p in proposals_published(sort=query.sort, district=query.district.strip())
    ]


@router.get(
    "/{proposal_id}",
    response={
        200: ProposalDetailOut,
        404: ProblemOut,
        422: ProblemOut,
        **PUBLIC_PROBLEM_RESPONSES,
    },
    summary="A citizen proposal",
    description="One proposal with the official answer, when given, and the counts of the "
    "cases it cites by how they are going.",
)
def get_proposal(request: HttpRequest, proposal_id: UUID) -> dict[str, Any]:
    proposal = proposal_published(proposal_id=proposal_id)
    return _shaped(proposal) | {
        "body": proposal.body,
        "answer": proposal.answer,
        "answered_at": proposal.answered_at,
        "cited_cases": [
            {
                "service": e.citation.service.code,
                "district": e.citation.district,
                "since": e.citation.since,
                "waiting": e.waiting,
                "in_progress": e.in_progress,
                "resolved": e.resolved,
                "closed_otherwise": e.closed_otherwise,
                "total": e.total,
            }
            for e in evidence_published(proposal)
        ],
    }
