"""The secret vote against someone who reads the database's own bookkeeping: a counted ballot
was not written by its voter's transaction, and the ballots do not lie in the order of the
votes. Until enough have been cast a ballot waits sealed, and the vote's end mixes the rest."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest
from django.db import connection

from tests.budgets.conftest import OPERATOR, ballots_cast
from ventanilla.access.actors import Actor
from ventanilla.budgets.models import Ballot, Budget, Phase, Project, SealedBallot, Voter
from ventanilla.budgets.results import budget_results
from ventanilla.budgets.services import ballots_mix, budget_phase_advance, budget_vote
from ventanilla.interactions.models import Interaction

# Six different ballots a resident of Centro can cast within its 100,000 €.
CHOICES = (
    ("parque",),
    ("bancos",),
    ("fuente",),
    ("parque", "bancos"),
    ("bancos", "fuente"),
    ("parque", "fuente"),
)


def cast(
    budget: Budget, projects: dict[str, Project], make_resident: Callable[..., Actor], n: int
) -> tuple[list[tuple[str, ...]], list[str]]:
    """``n`` votes, the choices in turn; what each chose (as sorted ids) and who voted."""
    chosen, voters = [], []
    for number in range(n):
        citizen = make_resident("Centro")
        ids = sorted(str(projects[name].pk) for name in CHOICES[number % len(CHOICES)])
        budget_vote(actor=citizen, budget_id=budget.pk, project_ids=ids)
        chosen.append(tuple(ids))
        voters.append(str(citizen.party_id))
    return chosen, voters


def stored_order(budget: Budget) -> list[tuple[str, ...]]:
    """The counted ballots in the order they lie in the table (SQLite's row ids, PostgreSQL's
    physical places)."""
    place = "ctid" if connection.vendor == "postgresql" else "rowid"
    table = Ballot._meta.db_table
    return [
        tuple(ballot.project_ids)
        for ballot in Ballot.objects.raw(
            f"SELECT * FROM {table} WHERE budget_id = %s ORDER BY {place}",  # noqa: S608
            [Ballot._meta.get_field("budget").get_db_prep_value(budget.pk, connection)],
        )
    ]


def test_ballots_wait_sealed_until_enough_are_cast_then_join_the_count_shuffled(
    voting: Budget,
    projects: dict[str, Project],
    make_resident: Callable[..., Actor],
    settings: pytest.FixtureRequest,
) -> None:
    settings.VENTANILLA_SEALED_MIX_SIZE = 12  # type: ignore[attr-defined]

    chosen, _voters = cast(voting, projects, make_resident, 11)
    assert not Ballot.objects.exists()
    assert SealedBallot.objects.filter(budget=voting).count() == 11
    # Sealed ballots are counted all the same.
    [centro, _norte] = budget_results(voting)
    assert centro.ballots == 11

    more, _ = cast(voting, projects, make_resident, 1)
    chosen += more

    assert not SealedBallot.objects.exists()
    in_table = stored_order(voting)
    assert Counter(in_table) == Counter(chosen)
    # Twelve ballots of six kinds keep the votes' order by chance once in 7 million.
    assert in_table != chosen


def test_no_counted_ballot_shares_a_transaction_with_a_voter_or_a_contact(
    voting: Budget,
    projects: dict[str, Project],
    make_resident: Callable[..., Actor],
    settings: pytest.FixtureRequest,
) -> None:
    settings.VENTANILLA_SEALED_MIX_SIZE = 6  # type: ignore[attr-defined]
    _chosen, voters = cast(voting, projects, make_resident, 12)
    assert Ballot.objects.filter(budget=voting).count() == 12
    if connection.vendor != "postgresql":
        # SQLite keeps no transaction on a row: its row order is the test above.
        assert not SealedBallot.objects.exists()
        return

    def transactions(model: type, **rows: object) -> set[str]:
        table = model._meta.db_table  # type: ignore[attr-defined]
        keys = model.objects.filter(**rows).values_list("pk", flat=True)  # type: ignore[attr-defined]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT DISTINCT xmin::text FROM {table} WHERE id = ANY(%s)",  # noqa: S608
                [list(keys)],
            )
            return {row[0] for row in cursor.fetchall()}

    ballots = transactions(Ballot, budget=voting)
    assert len(ballots) == 2  # two mixes of six
    assert ballots.isdisjoint(transactions(Voter, budget=voting))
    assert ballots.isdisjoint(transactions(Interaction, party_id__in=voters))


def test_the_end_of_the_vote_mixes_what_is_left_however_few(
    voting: Budget,
    projects: dict[str, Project],
    make_resident: Callable[..., Actor],
) -> None:
    chosen, _ = cast(voting, projects, make_resident, 3)
    assert SealedBallot.objects.count() == 3

    budget_phase_advance(actor=OPERATOR, budget_id=voting.pk, to_phase=Phase.RESULTS)

    assert not SealedBallot.objects.exists()
    assert Counter(stored_order(voting)) == Counter(chosen)


def test_a_vote_sealed_as_the_vote_closed_is_mixed_by_the_next_mix_whatever_the_number(
    voting: Budget,
    projects: dict[str, Project],
    make_resident: Callable[..., Actor],
) -> None:
    cast(voting, projects, make_resident, 2)
    # The vote's last ballot committed just after staff moved the budget on.
    Budget.objects.filter(pk=voting.pk).update(phase=Phase.RESULTS)

    assert ballots_mix(budget_id=voting.pk) == 2
    assert ballots_cast(voting) == Ballot.objects.filter(budget=voting).count() == 2
