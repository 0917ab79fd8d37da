"""Budgets in the portal: the list and the budget's page in each phase, proposing, supporting,
the ballot with its errors (over the money, already voted, not resident) and the results."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from tests.budgets.conftest import ballots_cast, move_to, resident_of
from tests.conftest import portal_client
from tests.factories import make_party
from ventanilla.access.actors import Actor
from ventanilla.budgets.models import Budget, Phase, Project, ProjectSupport

pytestmark = pytest.mark.django_db


def test_the_list_and_the_budget_page_say_the_phase(budget: Budget) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")

    listing = client.get("/portal/budgets/").content.decode()
    page = client.get(f"/portal/budgets/{budget.pk}/").content.decode()

    assert "Budget 2027" in listing and "Phase: Proposals" in listing
    assert "Phase now: Proposals" in page and "Sign in to propose one" in page
    spanish = Client(HTTP_ACCEPT_LANGUAGE="es").get(f"/portal/budgets/{budget.pk}/")
    assert "Presupuestos 2027" in spanish.content.decode()


def test_a_resident_proposes_from_the_page(budget: Budget, actor: Actor) -> None:
    client = portal_client(resident_of(actor, "Norte"))

    empty = client.post(f"/portal/budgets/{budget.pk}/", {"title": "", "description": ""})
    sent = client.post(
        f"/portal/budgets/{budget.pk}/", {"title": "Huerto", "description": "Un huerto urbano"}
    )

    assert empty.status_code == 422
    assert sent.status_code == 302
    assert Project.objects.get().district.district == "Norte"
    assert "will be reviewed" in client.get(sent["Location"]).content.decode()


def test_a_resident_supports_from_the_page(
    budget: Budget, projects: dict[str, Project], actor: Actor
) -> None:
    move_to(budget, Phase.SUPPORTS)
    client = portal_client(resident_of(actor, "Centro"))
    page = client.get(f"/portal/budgets/{budget.pk}/").content.decode()
    assert "Support “Fuente”" in page and "Support “Carril bici”" not in page

    url = f"/portal/budgets/{budget.pk}/support/{projects['fuente'].pk}/"
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 409
    assert ProjectSupport.objects.count() == 1


def test_the_ballot_shows_the_districts_feasible_projects_and_refuses_too_much(
    voting: Budget, projects: dict[str, Project], actor: Actor
) -> None:
    client = portal_client(resident_of(actor, "Centro"))
    url = f"/portal/budgets/{voting.pk}/vote/"

    page = client.get(url).content.decode()
    over = client.post(
        url, {"project": [projects["parque"].pk, projects["bancos"].pk, projects["fuente"].pk]}
    )

    assert "Parque infantil — 60,000 €" in page
    assert "Carril bici" not in page and "Piscina" not in page
    assert over.status_code == 422
    assert "more than the 100,000 €" in over.content.decode()
    assert not ballots_cast()
    done = client.post(url, {"project": [projects["parque"].pk]})
    assert done.status_code == 302 and done["Location"].endswith("/thanks/")
    assert "already voted" in client.get(url).content.decode()
    again = client.post(url, {"project": [projects["bancos"].pk]})
    assert again.status_code == 409
    assert ballots_cast() == 1


def test_who_is_not_registered_is_told_why_they_cannot_vote(voting: Budget, actor: Actor) -> None:
    client = portal_client(make_party(actor))
    page = client.get(f"/portal/budgets/{voting.pk}/vote/").content.decode()
    assert "ask at any service desk to be registered" in page


def test_the_ballot_asks_to_sign_in(voting: Budget) -> None:
    response = Client().get(f"/portal/budgets/{voting.pk}/vote/")
    assert response.status_code == 302 and "sign-in" in response["Location"]


def test_results_show_after_the_vote_only(
    voting: Budget, projects: dict[str, Project], actor: Actor
) -> None:
    url = f"/portal/budgets/{voting.pk}/results/"
    portal_client(resident_of(actor, "Centro")).post(
        f"/portal/budgets/{voting.pk}/vote/", {"project": [projects["bancos"].pk]}
    )
    assert Client().get(url).status_code == 404
    move_to(voting, Phase.RESULTS)

    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(url).content.decode()

    assert "✔ Bancos nuevos" in page
    assert "1 vote · 30,000 € of 100,000 € assigned" in page


def test_anyone_downloads_the_anonymised_ballots_once_the_vote_is_over(
    voting: Budget, projects: dict[str, Project], actor: Actor
) -> None:
    url = f"/portal/budgets/{voting.pk}/ballots.csv"
    for name, chosen in (("Ana", ["bancos", "fuente"]), ("Luis", ["bancos"])):
        portal_client(resident_of(actor, "Centro", given_name=name)).post(
            f"/portal/budgets/{voting.pk}/vote/", {"project": [projects[c].pk for c in chosen]}
        )
    assert Client().get(url).status_code == 404  # not while the vote is open
    move_to(voting, Phase.RESULTS)
    page = Client(HTTP_ACCEPT_LANGUAGE="es").get(f"/portal/budgets/{voting.pk}/results/")
    assert "Descargar las papeletas anónimas (CSV)" in page.content.decode()

    response = Client().get(url)

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    chosen = sorted(sorted(row["titles"].split(" | ")) for row in rows)
    assert chosen == [["Bancos nuevos"], ["Bancos nuevos", "Fuente"]]
    assert {row["district"] for row in rows} == {"Centro"}
    assert all(len(row["projects"].split()) == len(row["titles"].split(" | ")) for row in rows)
