"""Racing votes count exactly once: 50 requests of one resident at the same moment (a double
click, many tabs) leave one ballot, and 50 residents voting at once leave 50. The database's
unique constraint on the voter's hash is what refuses the second vote; 50 clients run on
PostgreSQL, while SQLite (one writer at a time) runs a few to keep the check in every suite."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from tests.budgets.conftest import ballots_cast
from ventanilla.access.actors import Actor
from ventanilla.budgets.models import Budget, Project, Voter
from ventanilla.budgets.services import budget_vote
from ventanilla.core.errors import Conflict
from ventanilla.interactions.models import Interaction

pytestmark = pytest.mark.django_db(transaction=True)


def clients() -> int:
    return 50 if connection.vendor == "postgresql" else 6


def race(votes: list[Callable[[], Any]]) -> tuple[list[Conflict], list[BaseException]]:
    start = threading.Barrier(len(votes))
    refused: list[Conflict] = []
    failures: list[BaseException] = []

    def run(vote: Callable[[], Any]) -> None:
        try:
            start.wait()
            vote()
        except Conflict as clash:
            refused.append(clash)
        except BaseException as failure:  # noqa: BLE001 - reported to the test below
            failures.append(failure)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(vote,)) for vote in votes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return refused, failures


def test_racing_votes_of_one_resident_count_exactly_once(
    voting: Budget, projects: dict[str, Project], make_resident: Callable[..., Actor]
) -> None:
    citizen = make_resident("Centro")
    chosen = [projects["fuente"].pk]
    runs = clients()

    refused, failures = race(
        [
            lambda: budget_vote(actor=citizen, budget_id=voting.pk, project_ids=chosen)
            for _ in range(runs)
        ]
    )

    assert failures == []
    assert len(refused) == runs - 1
    assert ballots_cast(voting) == 1
    assert Voter.objects.filter(budget=voting).count() == 1
    assert Interaction.objects.filter(party_id=citizen.party_id).count() == 1


def test_racing_votes_of_different_residents_all_count(
    voting: Budget, projects: dict[str, Project], make_resident: Callable[..., Actor]
) -> None:
    runs = clients()
    citizens = [make_resident("Centro") for _ in range(runs)]
    chosen = [projects["bancos"].pk]

    def vote_of(citizen: Actor) -> Callable[[], Any]:
        return lambda: budget_vote(actor=citizen, budget_id=voting.pk, project_ids=chosen)

    refused, failures = race([vote_of(citizen) for citizen in citizens])

    assert failures == [] and refused == []
    assert ballots_cast(voting) == runs
    assert Voter.objects.filter(budget=voting).count() == runs
