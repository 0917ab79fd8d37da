"""Where deadline risk is read: the model's page (how it works, how it did, its rules in words,
the open cases at risk by department, and a supervisor's own flagged cases), in both languages
with names and never ids; its CSV; and the line on an open case's page."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests.conftest import sign_in
from tests.risk.conftest import today
from ventanilla.access.actors import Actor
from ventanilla.cases.models import Case
from ventanilla.cases.services import case_open
from ventanilla.catalog.models import PublicService
from ventanilla.risk.models import RiskModel
from ventanilla.risk.services import risk_train

pytestmark = pytest.mark.django_db

PAGE = "/console/analytics/deadline-risk/"
AN_ID = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}")


@pytest.fixture
def model(history: dict[str, Any]) -> RiskModel:
    return risk_train(depth=1, threshold=0.5, today=today())


@pytest.fixture
def freeze_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pages read today's date: the day the history was trained on."""
    monkeypatch.setattr("ventanilla.risk.selectors.today", today)


def visible_text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_an_analyst_reads_how_the_tree_works_in_english_and_spanish(
    model: RiskModel, make_staff: Callable[..., Any]
) -> None:
    analyst = make_staff("analista", "ayto", "analyst")

    english = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), analyst).get(PAGE)
    spanish = sign_in(Client(HTTP_ACCEPT_LANGUAGE="es"), analyst).get(PAGE)

    assert english.status_code == spanish.status_code == 200
    page = english.content.decode()
    assert "Version 1, trained on" in page and "from 605 cases with a known outcome" in page
    assert "The tree" in page and "Flagging no case" in page
    assert "Minor works permit" in page or "Planning" in page
    assert "Your open cases at risk" not in page  # an analyst sees no case
    assert not AN_ID.search(visible_text(page))
    es = spanish.content.decode()
    assert "Versión 1" in es and "Casos en riesgo de responderse tarde" in es
    assert "Licencia de obra menor" in es or "Urbanismo" in es
    assert not AN_ID.search(visible_text(es))


def test_the_rules_download_as_csv(model: RiskModel, make_staff: Callable[..., Any]) -> None:
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), make_staff("analista", "ayto", "analyst"))

    answer = client.get(PAGE, {"format": "csv"})

    assert answer["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.content.decode())))
    assert rows[0][0] == "Rule" and len(rows) == 3
    assert {row[4] for row in rows[1:]} == {"yes", "no"}


def test_a_supervisor_gets_the_list_of_their_cases_at_risk(
    model: RiskModel,
    history: dict[str, Any],
    make_staff: Callable[..., Any],
    freeze_today: None,
) -> None:
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), make_staff("jefa", "ayto", "supervisor"))

    page = client.get(PAGE).content.decode()

    assert "Your open cases at risk" in page
    for case in history["permits"]:
        assert f'href="/console/cases/{case.reference}/"' in page
    for case in history["certificates"] + history["overdue"]:
        assert case.reference not in page


def test_before_any_training_the_page_says_how_one_comes(
    town: Any, make_staff: Callable[..., Any]
) -> None:
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), make_staff("analista", "ayto", "analyst"))

    page = client.get(PAGE).content.decode()

    assert "No model yet" in page and "ventanilla risk train" in page


def test_an_open_case_says_how_likely_it_is_to_be_late_and_why(
    model: RiskModel,
    history: dict[str, Any],
    agent_user: Any,
    freeze_today: None,
) -> None:
    [permit, *_] = history["permits"]
    [certificate, *_] = history["certificates"]
    english = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), agent_user)
    spanish = sign_in(Client(HTTP_ACCEPT_LANGUAGE="es"), agent_user)

    risky = visible_text(english.get(f"/console/cases/{permit.reference}/").content.decode())
    calm = visible_text(english.get(f"/console/cases/{certificate.reference}/").content.decode())
    es = visible_text(spanish.get(f"/console/cases/{permit.reference}/").content.decode())
    closed = Case.objects.filter(service__code=permit.service.code, closed_at__isnull=False)[0]
    done = english.get(f"/console/cases/{closed.reference}/").content.decode()

    assert "at risk" in risky
    assert "Of 305 cases like this one, 75% were answered late" in risky
    assert "Of 300 cases like this one, 10% were answered late" in calm
    assert "at risk" not in calm.split("Deadline risk")[1].split("Opened")[0]
    assert "en riesgo" in es and "De 305 casos como este, el 75% se respondieron tarde" in es
    assert "How this is worked out" not in risky  # an agent does not read the analytics
    assert 'data-testid="deadline-risk"' not in done


def test_a_case_that_came_in_after_the_training_is_scored_when_read(
    model: RiskModel,
    service: PublicService,
    actor: Actor,
    history: dict[str, Any],
    agent_user: Any,
) -> None:
    fresh = case_open(
        actor=actor,
        party_id=history["permits"][0].party_id,
        service_code=service.code,
        channel="web",
    )
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), agent_user)

    page = visible_text(client.get(f"/console/cases/{fresh.reference}/").content.decode())

    assert "Of 305 cases like this one, 75% were answered late" in page
