"""Training the deadline-risk tree on cases with known outcomes: what counts as known and as late,
the backlog a case joined, the rules it keeps, its evaluation, the scores of the open cases
within their due date, and a new version at each training."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from tests.risk.conftest import OPENED, today
from ventanilla.access.actors import Actor
from ventanilla.cases.models import Case
from ventanilla.catalog.models import PublicService
from ventanilla.catalog.services import service_ensure
from ventanilla.risk.models import CaseRisk, RiskModel
from ventanilla.risk.selectors import rules_in_words
from ventanilla.risk.services import NotEnoughCases, known_cases, risk_train

pytestmark = pytest.mark.django_db

ANALYST = Actor(label="test:analyst", sees_everything=True)


def test_the_tree_learns_which_cases_run_late_and_flags_the_open_ones_like_them(
    history: dict[str, Any], service: PublicService
) -> None:
    model = risk_train(depth=1, threshold=0.5, today=today())

    # Known: 600 closed and 5 open past their due date; the cancelled and the open within
    # their due date are not.
    assert (model.version, model.cases, model.late) == (1, 605, 260)
    [risky, safe] = model.rules
    assert risky["share"] == pytest.approx(230 / 305, abs=1e-4) and risky["cases"] == 305
    assert safe["share"] == pytest.approx(30 / 300, abs=1e-4)
    scores = {risk.case_id: risk for risk in CaseRisk.objects.all()}
    within = history["permits"] + history["certificates"]
    assert set(scores) == {case.pk for case in within}
    assert all(scores[case.pk].flagged for case in history["permits"])
    assert not any(scores[case.pk].flagged for case in history["certificates"])
    assert all(scores[case.pk].model == model for case in within)
    with translation.override("en"):
        [said, _other] = rules_in_words(actor=ANALYST, model=model)
    assert said.flags and said.open_now == 3
    assert said.conditions in (["Service: Minor works permit"], ["Department: Planning"])


def test_the_evaluation_tries_the_tree_on_the_newest_cases_beside_the_service_alone(
    history: dict[str, Any],
) -> None:
    model = risk_train(depth=1, threshold=0.5, today=today())

    held = model.evaluation
    assert held["trained_on"] + held["tested_on"] == 605
    assert held["tested_on"] == 121
    for key in ("tree", "by_service", "none"):
        assert set(held[key]) == {"flagged", "hits", "precision", "recall", "f1", "accuracy"}
    assert held["none"]["flagged"] == 0 and held["none"]["recall"] == 0
    assert 0 <= held["tree_auc"] <= 1 and 0 <= held["by_service_auc"] <= 1


def test_each_training_is_a_new_version_and_replaces_the_scores(
    history: dict[str, Any],
) -> None:
    first = risk_train(depth=1, today=today())
    second = risk_train(depth=2, today=today())

    assert (first.version, second.version) == (1, 2)
    assert RiskModel.objects.count() == 2
    assert CaseRisk.objects.count() == 5
    assert set(CaseRisk.objects.values_list("model", flat=True)) == {second.pk}


def test_the_backlog_is_the_departments_cases_still_open_when_one_came_in(
    service: PublicService, certificate: PublicService, cases_of: Callable[..., Any]
) -> None:
    [early] = cases_of(service.code, 1)  # opened OPENED, closed five days later
    [later] = cases_of(service.code, 1)
    [elsewhere] = cases_of(certificate.code, 1)
    Case.objects.filter(pk=later.pk).update(
        opened_at=OPENED + timedelta(days=1), closed_at=OPENED + timedelta(days=8)
    )
    [last] = cases_of(service.code, 1)
    Case.objects.filter(pk=last.pk).update(
        opened_at=OPENED + timedelta(days=6), closed_at=OPENED + timedelta(days=9)
    )

    rows, outcomes, ids, _opened = known_cases(today())

    backlog = {pk: row["backlog"] for pk, row in zip(ids, rows, strict=True)}
    assert backlog[early.pk] == 0
    assert backlog[later.pk] == 1  # the first was still open
    assert backlog[last.pk] == 1  # the first was closed by then; the second not yet
    assert backlog[elsewhere.pk] == 0  # another department's
    assert outcomes == [False, False, False, False]


def test_too_few_known_cases_is_said_and_nothing_is_kept(
    service: PublicService, cases_of: Callable[..., Any]
) -> None:
    cases_of(service.code, 50, late=True)

    with pytest.raises(NotEnoughCases, match="50 cases have a known outcome; 200"):
        risk_train(today=today())
    with pytest.raises(CommandError, match="200 are needed"):
        call_command("risk", "train", stdout=StringIO(), stderr=StringIO())
    assert not RiskModel.objects.exists()


def test_the_command_prints_the_rules_and_how_the_tree_did(history: dict[str, Any]) -> None:
    out = StringIO()

    call_command("risk", "train", "--depth", "1", stdout=out, stderr=StringIO())

    text = out.getvalue()
    assert "AT RISK" in text and ("Minor works permit" in text or "Planning" in text)
    assert "Version 1: learnt from" in text and "AUC" in text
    with pytest.raises(CommandError, match="--depth must be from 1 to 8"):
        call_command("risk", "train", "--depth", "12", stdout=StringIO())
    with pytest.raises(CommandError, match="--threshold must be above 0"):
        call_command("risk", "train", "--threshold", "0", stdout=StringIO())


def test_a_case_of_a_service_the_tree_never_saw_is_not_judged_by_the_others(
    history: dict[str, Any], town: Any, cases_of: Callable[..., Any]
) -> None:
    service_ensure(
        code="nuevo-servicio",
        name_es="Servicio nuevo",
        name_en="New service",
        department=town["padron"],
        deadline_days=10,
        channels=["web"],
    )
    [new] = cases_of("nuevo-servicio", 1, status="new", due_in=30)

    risk_train(depth=1, today=today())

    assert not CaseRisk.objects.filter(case=new).exists()
    assert CaseRisk.objects.count() == 5
