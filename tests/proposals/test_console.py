"""Proposals in the console: staff who run participation see those owed an answer first, overdue
ones marked, and record the answer and cite cases from a proposal's page; others are refused."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from tests.conftest import sign_in
from ventanilla.access.actors import Actor
from ventanilla.proposals.models import Proposal, ProposalEvidence
from ventanilla.proposals.services import proposal_support

pytestmark = pytest.mark.django_db


@pytest.fixture
def console(supervisor: Actor) -> Client:
    return sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), "jefa")


@override_settings(VENTANILLA_PROPOSAL_SUPPORTS_NEEDED=1)
def test_the_list_marks_an_overdue_answer(
    console: Client, proposal: Proposal, make_resident: Callable[..., Actor]
) -> None:
    proposal_support(actor=make_resident(), proposal_id=proposal.pk)
    Proposal.objects.filter(pk=proposal.pk).update(
        answer_due=timezone.localdate() - timedelta(days=1)
    )

    page = console.get("/console/proposals/").content.decode()

    assert proposal.title in page
    assert 'data-testid="overdue"' in page
    assert "Overdue: was due by" in page


def test_the_answer_is_recorded_from_the_page(console: Client, proposal: Proposal) -> None:
    refused = console.post(f"/console/proposals/{proposal.pk}/", {"action": "answer"})
    assert refused.status_code == 422
    assert 'aria-describedby="a-decision-error"' in refused.content.decode()

    done = console.post(
        f"/console/proposals/{proposal.pk}/",
        {"action": "answer", "decision": "study", "text": "Lo estudiará el área de parques."},
    )

    assert done.status_code == 302
    proposal.refresh_from_db()
    assert proposal.decision == "study" and proposal.status == Proposal.Status.ANSWERED


def test_cases_are_cited_from_the_page(console: Client, proposal: Proposal, service: Any) -> None:
    bad = console.post(
        f"/console/proposals/{proposal.pk}/",
        {"action": "cite", "service": str(service.pk), "since": "ayer"},
    )
    assert bad.status_code == 422

    done = console.post(
        f"/console/proposals/{proposal.pk}/",
        {"action": "cite", "service": str(service.pk), "district": "Centro", "since": ""},
    )

    assert done.status_code == 302
    assert ProposalEvidence.objects.get(proposal=proposal).district == "Centro"
    page = console.get(f"/console/proposals/{proposal.pk}/").content.decode()
    assert "Minor works permit" in page


def test_an_agent_is_refused(make_staff: Callable[..., Any], proposal: Proposal) -> None:
    make_staff("agente", "ayto", "agent")
    client = sign_in(Client(), "agente")
    assert client.get("/console/proposals/").status_code == 403
    assert client.get(f"/console/proposals/{proposal.pk}/").status_code == 403


def test_no_cases_are_cited_on_a_withdrawn_proposal(
    console: Client, proposal: Proposal, service: Any
) -> None:
    Proposal.objects.filter(pk=proposal.pk).update(status=Proposal.Status.WITHDRAWN)

    page = console.get(f"/console/proposals/{proposal.pk}/").content.decode()
    refused = console.post(
        f"/console/proposals/{proposal.pk}/",
        {"action": "cite", "service": str(service.pk), "district": "Centro", "since": ""},
    )

    assert 'data-testid="cite-closed"' in page
    assert 'data-testid="cite-send"' not in page
    assert refused.status_code == 409
    assert "no cases are cited on it now" in refused.content.decode()
    assert not ProposalEvidence.objects.filter(proposal=proposal).exists()
