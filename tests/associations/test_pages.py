"""Where the rules are read: the "Often needed next" panel on a person's 360° page, in the
reader's language with a link to open the case; and the managers' report with its CSV, refused
to an agent."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import sign_in
from tests.factories import make_party
from ventanilla.access.actors import Actor
from ventanilla.associations.models import AssociationRun, ServiceAssociation
from ventanilla.catalog.models import PublicService

pytestmark = pytest.mark.django_db


@pytest.fixture
def rule(births: dict[str, PublicService]) -> ServiceAssociation:
    """Last night's run: 43 of 100 people who registered a birth put the baby on the register
    within 90 days."""
    now = timezone.now()
    run = AssociationRun.objects.create(
        number=7,
        mined_at=now,
        window_days=90,
        min_people=5,
        min_confidence=0.2,
        uses=5000,
        people=900,
        rules=1,
        seconds=0.4,
    )
    return ServiceAssociation.objects.create(
        run=run,
        antecedent=births["birth"],
        consequent=births["register"],
        with_antecedent=100,
        with_both=43,
        confidence=0.43,
        lift=3.9,
        window_days=90,
        mined_at=now,
    )


def test_the_360_page_suggests_what_people_often_need_next(
    rule: ServiceAssociation, actor: Actor, agent_user: Any, asks: Callable[..., Any]
) -> None:
    party = make_party(actor)
    asks(party, "inscripcion-nacimiento", 20)
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), agent_user)

    page = client.get(f"/console/parties/{party.pk}/").content.decode()

    assert "Often needed next" in page
    assert (
        "4 in 10 people who asked for Birth registration asked for Registration on the register "
        "within 90 days." in page
    )
    assert f'href="/console/parties/{party.pk}/cases/new/?service=empadronamiento"' in page


def test_no_suggestion_once_the_next_service_was_asked_for_or_the_first_is_old(
    rule: ServiceAssociation, actor: Actor, agent_user: Any, asks: Callable[..., Any]
) -> None:
    done = make_party(actor)
    asks(done, "inscripcion-nacimiento", 20)
    asks(done, "empadronamiento", 5)
    old = make_party(actor)
    asks(old, "inscripcion-nacimiento", 200)
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), agent_user)

    for party in (done, old):
        page = client.get(f"/console/parties/{party.pk}/").content.decode()
        assert "Often needed next" not in page


def test_the_analyst_reads_the_report_and_its_csv(
    rule: ServiceAssociation, make_staff: Any
) -> None:
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), make_staff("ana", "ayto", "analyst"))

    page = client.get("/console/analytics/associations/").content.decode()

    assert "Run 7, mined on" in page and "with a window of 90 days" in page
    assert '<th scope="row">Birth registration</th>' in page
    assert "Registration on the register" in page and "43%" in page and "3.9" in page
    response = client.get("/console/analytics/associations/?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:2] == ["Service asked for first", "Service asked for next"]
    assert rows[1] == [
        "Birth registration",
        "Registration on the register",
        "100",
        "43",
        "0.430",
        "3.90",
    ]
    dashboards = client.get("/console/analytics/").content.decode()
    assert 'href="/console/analytics/associations/"' in dashboards


def test_the_report_says_when_there_is_no_run_yet(make_staff: Any) -> None:
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), make_staff("ana", "ayto", "analyst"))

    page = client.get("/console/analytics/associations/").content.decode()

    assert "No run yet." in page and "ventanilla associations mine" in page


def test_an_agent_may_not_read_the_report(rule: ServiceAssociation, agent_user: Any) -> None:
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), agent_user)

    assert client.get("/console/analytics/associations/").status_code == 403
    assert client.get("/console/analytics/associations/?format=csv").status_code == 403
