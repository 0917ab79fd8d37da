"""The results rule, computed from the ballots alone, and the command that prints them."""

from __future__ import annotations

import csv
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.budgets.conftest import EUR, ballots_cast
from ventanilla.access.actors import Actor
from ventanilla.budgets.models import Budget, Project
from ventanilla.budgets.results import budget_results, tally
from ventanilla.budgets.services import budget_vote


def test_projects_are_chosen_by_votes_while_they_fit_and_one_that_does_not_is_passed() -> None:
    results = tally(
        [("d", "Centro", 100)],
        [("a", "d", "A", 70), ("b", "d", "B", 50), ("c", "d", "C", 30), ("z", "d", "Z", 1)],
        [("d", ["a", "b"]), ("d", ["a", "b"]), ("d", ["a"]), ("d", ["a"]), ("d", ["b", "c"])],
    )

    (centro,) = results
    assert [(r.project_id, r.votes, r.selected) for r in centro.projects] == [
        ("a", 4, True),
        ("b", 3, False),  # 70 + 50 > 100: passed over
        ("c", 1, True),  # 70 + 30 fits
        ("z", 0, False),  # no vote, never selected
    ]
    assert centro.ballots == 5
    assert centro.spent_cents == 100


def test_ties_go_to_the_lower_cost_then_the_title() -> None:
    (result,) = tally(
        [("d", "Norte", 100)],
        [("x", "d", "Beta", 60), ("y", "d", "Alfa", 60), ("w", "d", "Caro", 90)],
        [("d", ["x", "y", "w"])],
    )
    assert [r.title for r in result.projects] == ["Alfa", "Beta", "Caro"]
    assert [r.selected for r in result.projects] == [True, False, False]


def test_a_ballot_counts_only_in_its_district_and_names_count_once() -> None:
    north, south = tally(
        [("n", "Norte", 10), ("s", "Sur", 10)],
        [("p", "n", "P", 5), ("q", "s", "Q", 5)],
        [("n", ["p", "p", "q"]), ("s", ["q"])],
    )
    assert [(r.title, r.votes) for r in north.projects] == [("P", 1)]
    assert [(r.title, r.votes) for r in south.projects] == [("Q", 1)]


@pytest.mark.django_db
def test_results_and_the_command_come_from_the_ballots(
    voting: Budget,
    projects: dict[str, Project],
    make_resident: Callable[..., Actor],
    tmp_path: Path,
) -> None:
    for chosen in (["parque", "bancos"], ["parque"], ["bancos", "fuente"]):
        budget_vote(
            actor=make_resident("Centro"),
            budget_id=voting.pk,
            project_ids=[projects[name].pk for name in chosen],
        )
    budget_vote(
        actor=make_resident("Norte"), budget_id=voting.pk, project_ids=[projects["carril"].pk]
    )

    centro, norte = budget_results(voting)

    assert [(r.title, r.votes, r.selected) for r in centro.projects] == [
        ("Bancos nuevos", 2, True),
        ("Parque infantil", 2, True),
        ("Fuente", 1, False),  # 30.000 + 60.000 + 20.000 > 100.000
    ]
    assert centro.spent_cents == 90_000 * EUR
    assert [(r.title, r.votes, r.selected) for r in norte.projects] == [("Carril bici", 1, True)]

    out = StringIO()
    target = tmp_path / "ballots.csv"
    call_command("budgets", "results", str(voting.pk), "--csv", str(target), stdout=out)
    printed = out.getvalue()
    assert "Centro: 3 ballots, 90,000 of 100,000 €" in printed
    assert "*       2         30,000 €  Bancos nuevos" in printed
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert len(rows) == ballots_cast() == 4
    recounted = tally(
        [(d.pk, d.district, d.amount_cents) for d in voting.districts.all()],
        [
            (p.pk, p.district_id, p.title, p.cost_cents)
            for p in projects.values()
            if p.cost_cents and p.review == "feasible"
        ],
        [
            (voting.districts.get(district=row["district"]).pk, row["projects"].split())
            for row in rows
        ],
    )
    assert [[(r.title, r.votes, r.selected) for r in d.projects] for d in recounted] == [
        [(r.title, r.votes, r.selected) for r in d.projects] for d in (centro, norte)
    ]
