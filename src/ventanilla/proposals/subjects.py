"""Comments on a proposal are a thread of the debates app, keyed "proposal:<id>": this tells that
app what such a key names — the proposal's title and page, the agency whose moderators answer for
it, and that only residents comment, as only residents support."""

from __future__ import annotations

import uuid

from django.urls import reverse

from ventanilla.debates.subjects import Subject, register_subject
from ventanilla.proposals.models import Proposal


def _proposal(key: str) -> Subject | None:
    try:
        proposal_id = uuid.UUID(key.partition(":")[2])
    except ValueError:
        return None
    proposal = Proposal.objects.filter(pk=proposal_id).first()
    if proposal is None or proposal.status == Proposal.Status.WITHDRAWN:
        return None
    return Subject(
        key=key,
        title=proposal.title,
        link=reverse("portal:proposal", args=[proposal.pk]),
        agency_id=str(proposal.agency_id),
        open=True,
        residents_only=True,
    )


def register_proposals() -> None:
    register_subject("proposal", _proposal)
