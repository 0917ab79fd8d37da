"""Racing supports count exactly once: fifty clicks at once by the same resident (two tabs, a
double click, a replayed request) leave one support and a count of one, and fifty residents at
once leave fifty. The race is PostgreSQL's, where the requests truly run side by side; on SQLite,
which takes one writer at a time, a few run so the same checks hold there too."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings

from ventanilla.access.actors import Actor
from ventanilla.core.errors import Conflict
from ventanilla.interactions.models import Interaction
from ventanilla.proposals.models import Proposal, Support
from ventanilla.proposals.services import proposal_support

pytestmark = pytest.mark.django_db(transaction=True)

# Fifty on PostgreSQL; SQLite takes one writer at a time, so a few there show the constraint
# holds without testing what it cannot race.
CLIENTS = 50 if connection.vendor == "postgresql" else 6


def race(actors: list[Actor], proposal: Proposal) -> tuple[list[Conflict], list[BaseException]]:
    start = threading.Barrier(len(actors))
    refused: list[Conflict] = []
    failures: list[BaseException] = []

    def run(actor: Actor) -> None:
        try:
            start.wait()
            proposal_support(actor=actor, proposal_id=proposal.pk)
        except Conflict as clash:
            refused.append(clash)
        except BaseException as failure:  # noqa: BLE001 - reported to the test below
            failures.append(failure)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(actor,)) for actor in actors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return refused, failures


def test_fifty_racing_supports_of_one_resident_count_once(
    author: Actor, make_resident: Callable[..., Actor], proposal: Proposal
) -> None:
    resident = make_resident()
    supports_before = Interaction.objects.filter(party_id=resident.party_id).count()

    refused, failures = race([resident] * CLIENTS, proposal)

    assert failures == []
    assert len(refused) == CLIENTS - 1
    proposal.refresh_from_db()
    assert proposal.supports_count == 1
    assert Support.objects.filter(proposal=proposal).count() == 1
    assert Interaction.objects.filter(party_id=resident.party_id).count() == supports_before + 1


@override_settings(VENTANILLA_PROPOSAL_SUPPORTS_NEEDED=CLIENTS // 2)
def test_fifty_residents_at_once_are_each_counted_and_the_threshold_is_set_once(
    make_resident: Callable[..., Actor], proposal: Proposal, town: Any
) -> None:
    residents = [make_resident() for _ in range(CLIENTS)]

    refused, failures = race(residents, proposal)

    assert failures == [] and refused == []
    proposal.refresh_from_db()
    assert proposal.supports_count == CLIENTS == Support.objects.filter(proposal=proposal).count()
    assert proposal.threshold_reached_at is not None and proposal.answer_due is not None
