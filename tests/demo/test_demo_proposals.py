"""The demo publishes its proposals once, through the portal's services: one owed an answer and
citing the street-lighting cases of its district."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings

from tests.proposals.conftest import resident_of
from ventanilla.access.actors import Actor
from ventanilla.demo.proposals import ensure_demo_proposals
from ventanilla.proposals.models import Proposal, ProposalEvidence

pytestmark = pytest.mark.django_db


@override_settings(VENTANILLA_PROPOSAL_SUPPORTS_NEEDED=4)
def test_the_demo_proposals_are_made_once(actor: Actor, town: Any) -> None:
    for _ in range(8):
        resident_of(actor)

    first = ensure_demo_proposals()
    again = ensure_demo_proposals()

    assert len(first) == 2 and {p.pk for p in again} == {p.pk for p in first}
    assert Proposal.objects.count() == 2
    owed = Proposal.objects.get(title__startswith="Farolas")
    assert owed.supports_count == 4 and owed.answer_due is not None
    assert Proposal.objects.get(title__startswith="Un carril").supports_count == 1
    assert ProposalEvidence.objects.count() == 0  # the test town has no street-lighting service
    page = Client().get("/portal/proposals/").content.decode()
    assert "Farolas LED" in page
