"""Budgets in the console: staff who run participation set the money, review projects, move
the phase and follow execution; each step through the services, each error shown."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.budgets.conftest import EUR, move_to
from tests.conftest import sign_in
from ventanilla.budgets.models import Budget, Phase, Project
from ventanilla.web.console.budget_views import cents_from

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor(make_staff: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, make_staff("supervisora", "ayto", "supervisor"))
    return client


@pytest.mark.parametrize(
    ("typed", "cents"),
    [("60000", 6_000_000), ("60.000", 6_000_000), ("1.234,50", 123_450), ("12.5", 1250)],
)
def test_euros_are_read_as_staff_type_them(typed: str, cents: int) -> None:
    assert cents_from(typed) == cents


@pytest.mark.parametrize("typed", ["", "abc", "-3", "0", "NaN"])
def test_what_is_no_amount_is_none(typed: str) -> None:
    assert cents_from(typed) is None


def test_staff_set_money_review_and_move_the_phase(
    supervisor: Client, budget: Budget, projects: dict[str, Project]
) -> None:
    url = f"/console/budgets/{budget.pk}/"
    assert "Budget 2027" in supervisor.get("/console/budgets/").content.decode()

    money = supervisor.post(url, {"action": "district", "district": "Sur", "amount": "25.000"})
    review = supervisor.post(
        url,
        {"action": "review", "project": projects["piscina"].pk, "feasible": "yes", "cost": "9000"},
    )
    no_reason = supervisor.post(
        url, {"action": "review", "project": projects["fuente"].pk, "feasible": "no"}
    )
    moved = supervisor.post(url, {"action": "phase", "to": Phase.REVIEW})

    assert money.status_code == review.status_code == moved.status_code == 302
    assert budget.districts.get(district="Sur").amount_cents == 25_000 * EUR
    projects["piscina"].refresh_from_db()
    assert projects["piscina"].review == "feasible" and projects["piscina"].cost_cents == 9000 * EUR
    assert no_reason.status_code == 422
    assert "Say why the project is not feasible." in no_reason.content.decode()
    budget.refresh_from_db()
    assert budget.phase == Phase.REVIEW
    twice = supervisor.post(url, {"action": "phase", "to": Phase.REVIEW})
    assert twice.status_code == 409


def test_results_and_execution_show_once_voted(
    supervisor: Client, voting: Budget, projects: dict[str, Project]
) -> None:
    url = f"/console/budgets/{voting.pk}/"
    move_to(voting, Phase.EXECUTION)

    page = supervisor.get(url).content.decode()
    saved = supervisor.post(
        url,
        {
            "action": "execution",
            "project": projects["parque"].pk,
            "execution": "done",
            "note": "Inaugurado",
        },
    )

    assert "Download the anonymised ballots (CSV)" in page and "Save the execution" in page
    assert f"/portal/budgets/{voting.pk}/ballots.csv" in page
    assert saved.status_code == 302
    projects["parque"].refresh_from_db()
    assert projects["parque"].execution == "done"


def test_no_running_tally_while_the_vote_is_open(
    supervisor: Client, voting: Budget, projects: dict[str, Project]
) -> None:
    page = supervisor.get(f"/console/budgets/{voting.pk}/").content.decode()
    assert "<h2>Results</h2>" not in page
    assert f"/portal/budgets/{voting.pk}/ballots.csv" not in page
