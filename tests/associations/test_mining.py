"""Mining the services that follow each other: the pairs planted are found with their counts, a
pair behind fewer people than the small-cell threshold is not kept, B before A does not count,
nor B after the window, and a new run replaces the rules of the one before."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings

from ventanilla.associations.models import AssociationRun, ServiceAssociation
from ventanilla.associations.services import associations_mine
from ventanilla.catalog.models import PublicService

pytestmark = pytest.mark.django_db


def rules() -> dict[tuple[str, str], ServiceAssociation]:
    return {
        (rule.antecedent.code, rule.consequent.code): rule
        for rule in ServiceAssociation.objects.select_related("antecedent", "consequent")
    }


@pytest.fixture
def others(people: Callable[[int], list[Any]], asks: Callable[..., Any]) -> None:
    """Ten people who only asked for a works permit: not everyone is a new parent."""
    for party in people(10):
        asks(party, "licencia-obra-menor", 200)


def test_a_planted_pair_is_found_with_its_counts(
    births: dict[str, PublicService],
    people: Callable[[int], list[Any]],
    asks: Callable[..., Any],
    others: None,
) -> None:
    parents = people(10)
    for party in parents[:6]:
        asks(party, "inscripcion-nacimiento", 200)
        asks(party, "empadronamiento", 170)
    for party in parents[6:]:
        asks(party, "inscripcion-nacimiento", 200)

    run = associations_mine(window_days=90, min_confidence=0.2)

    rule = rules()[("inscripcion-nacimiento", "empadronamiento")]
    assert (rule.with_antecedent, rule.with_both) == (10, 6)
    assert rule.confidence == pytest.approx(0.6)
    # 6 of the 20 people ever asked for the register: 0.6 / (6 / 20).
    assert rule.lift == pytest.approx(2.0)
    assert (rule.run, rule.window_days) == (run, 90)
    assert (run.number, run.people, run.rules) == (1, 20, len(rules()))


def test_a_pair_behind_fewer_people_than_the_threshold_is_not_kept(
    births: dict[str, PublicService],
    people: Callable[[int], list[Any]],
    asks: Callable[..., Any],
    others: None,
) -> None:
    for party in people(4):
        asks(party, "inscripcion-nacimiento", 200)
        asks(party, "empadronamiento", 170)

    with override_settings(VENTANILLA_SMALL_CELL_THRESHOLD=5):
        associations_mine(window_days=90, min_confidence=0.2, min_people=1)
        assert rules() == {}
    with override_settings(VENTANILLA_SMALL_CELL_THRESHOLD=4):
        associations_mine(window_days=90, min_confidence=0.2)
        assert ("inscripcion-nacimiento", "empadronamiento") in rules()


def test_b_before_a_and_b_after_the_window_do_not_count(
    births: dict[str, PublicService],
    people: Callable[[int], list[Any]],
    asks: Callable[..., Any],
    others: None,
) -> None:
    for party in people(5):
        asks(party, "empadronamiento", 300)
        asks(party, "inscripcion-nacimiento", 250)
    for party in people(5):
        asks(party, "inscripcion-nacimiento", 300)
        asks(party, "empadronamiento", 150)
    for party in people(10):
        asks(party, "licencia-obra-menor", 200)

    associations_mine(window_days=90, min_confidence=0.2)

    found = rules()
    assert ("inscripcion-nacimiento", "empadronamiento") not in found
    # The same people, the other way round and within the window: kept.
    assert found[("empadronamiento", "inscripcion-nacimiento")].with_both == 5


def test_a_recent_first_request_waits_for_its_window_to_pass(
    births: dict[str, PublicService],
    people: Callable[[int], list[Any]],
    asks: Callable[..., Any],
    others: None,
) -> None:
    parents = people(10)
    for party in parents[:5]:
        asks(party, "inscripcion-nacimiento", 200)
        asks(party, "empadronamiento", 190)
    for party in parents[5:]:
        asks(party, "inscripcion-nacimiento", 10)

    associations_mine(window_days=90, min_confidence=0.2)

    rule = rules()[("inscripcion-nacimiento", "empadronamiento")]
    assert (rule.with_antecedent, rule.with_both) == (5, 5)


def test_mining_again_replaces_the_rules(
    births: dict[str, PublicService],
    people: Callable[[int], list[Any]],
    asks: Callable[..., Any],
    others: None,
) -> None:
    parents = people(6)
    for party in parents:
        asks(party, "inscripcion-nacimiento", 200)
        asks(party, "empadronamiento", 170)
    first = associations_mine(window_days=90, min_confidence=0.2)
    assert rules()[("inscripcion-nacimiento", "empadronamiento")].with_both == 6

    second = associations_mine(window_days=20, min_confidence=0.2)

    assert rules() == {}
    assert (second.number, second.window_days) == (first.number + 1, 20)
    third = associations_mine(window_days=90, min_confidence=0.2)
    assert {rule.run for rule in rules().values()} == {third}
    assert AssociationRun.objects.count() == 3


def test_the_command_says_what_it_does_and_prints_the_rules(
    births: dict[str, PublicService],
    people: Callable[[int], list[Any]],
    asks: Callable[..., Any],
    others: None,
) -> None:
    for party in people(6):
        asks(party, "inscripcion-nacimiento", 200)
        asks(party, "empadronamiento", 170)
    out, err = StringIO(), StringIO()

    call_command("associations", "mine", "--window", "60", stdout=out, stderr=err)

    assert "Counting the pairs" in err.getvalue()
    text = out.getvalue()
    assert "inscripcion-nacimiento" in text and "empadronamiento" in text
    assert "window 60 days, 1 rules kept" in text
