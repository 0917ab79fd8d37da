"""Search forgives a typing slip in a surname, and only when the exact words find no one."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_party
from ventanilla.access.actors import Actor
from ventanilla.core.text import one_edit
from ventanilla.parties.selectors import party_search

pytestmark = pytest.mark.django_db


def found(actor: Actor, query: str) -> list[str]:
    return [party.display_name for party in party_search(actor=actor, query=query).items]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Isabel Fernandes", "Isabel Fernández Ruiz"),
        ("Luis Gonzales", "Luis González Abad"),
        ("Rodriguez", "Pilar Rodríguez Sanz"),
        ("Isabel Fenrandez", "Isabel Fernández Ruiz"),
        ("Fernadez", "Isabel Fernández Ruiz"),
        ("Rodrigguez Pilar", "Pilar Rodríguez Sanz"),
    ],
    ids=[
        "s-for-z",
        "s-for-z-in-gonzalez",
        "no-accent",
        "transposition",
        "missing-letter",
        "extra-letter",
    ],
)
def test_a_typo_in_a_surname_still_finds_the_person(
    actor: Actor, query: str, expected: str
) -> None:
    make_party(actor, given_name="Isabel", family_name_1="Fernández", family_name_2="Ruiz")
    make_party(actor, given_name="Luis", family_name_1="González", family_name_2="Abad")
    make_party(actor, given_name="Pilar", family_name_1="Rodríguez", family_name_2="Sanz")

    assert found(actor, query) == [expected]


def test_an_exact_match_is_not_mixed_with_near_ones(actor: Actor) -> None:
    make_party(actor, given_name="Ana", family_name_1="Mora", family_name_2="Gil")
    make_party(actor, given_name="Ana", family_name_1="Moro", family_name_2="Gil")

    assert found(actor, "Ana Mora") == ["Ana Mora Gil"]


def test_two_slips_in_one_word_find_no_one(actor: Actor) -> None:
    make_party(actor, given_name="Isabel", family_name_1="Fernández")

    assert found(actor, "Frenandes") == []


def test_a_forgiving_search_costs_one_lookup_more(actor: Actor) -> None:
    make_party(actor, given_name="Isabel", family_name_1="Fernández")
    with CaptureQueriesContext(connection) as exact:
        party_search(actor=actor, query="Fernández")

    with CaptureQueriesContext(connection) as forgiving:
        party_search(actor=actor, query="Fernandes")

    assert len(forgiving) <= len(exact) + 2


def test_one_edit_covers_every_kind_of_slip() -> None:
    variants = one_edit("ruiz")

    assert {"ruiz", "riuz", "rui", "ruizz", "ruis"} <= variants
    assert "zuir" not in variants
