"""The proposals as data: anyone reads them, never who wrote or supported them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from ventanilla.access.actors import Actor
from ventanilla.proposals.models import Proposal
from ventanilla.proposals.services import proposal_cite_cases, proposal_support

pytestmark = pytest.mark.django_db


def test_anyone_lists_and_reads_proposals_with_counts_and_no_names(
    proposal: Proposal,
    make_resident: Callable[..., Actor],
    supervisor: Actor,
    service: Any,
) -> None:
    proposal_support(actor=make_resident(), proposal_id=proposal.pk)
    proposal_cite_cases(actor=supervisor, proposal_id=proposal.pk, service_id=service.pk)

    listing = Client().get("/api/v1/proposals?sort=newest")
    detail = Client().get(f"/api/v1/proposals/{proposal.pk}")

    assert listing.status_code == 200
    [row] = listing.json()
    assert row["supports"] == 1 and row["still_needed"] == 99
    body = detail.json()
    assert body["cited_cases"] == [
        {
            "service": service.code,
            "district": "",
            "since": None,
            "waiting": 0,
            "in_progress": 0,
            "resolved": 0,
            "closed_otherwise": 0,
            "total": 0,
        }
    ]
    assert "author" not in body and str(proposal.author_id) not in detail.content.decode()


def test_an_unknown_proposal_is_a_problem_not_found(town: Any) -> None:
    response = Client().get("/api/v1/proposals/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")
