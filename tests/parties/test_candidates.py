"""Who may already be registered when a desk registers a person: the same DNI/NIE, email or phone
first, then namesakes (those born the same day before others); only for staff who read parties,
at a cost that does not grow with the number of matches."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_party
from ventanilla.access.actors import Actor, actor_for_user
from ventanilla.core.errors import PermissionDenied
from ventanilla.parties.models import Party
from ventanilla.parties.selectors import party_candidates
from ventanilla.parties.services import ContactPointInput, IdentifierInput

pytestmark = pytest.mark.django_db


def names(candidates: list[Any]) -> list[str]:
    return [c.party.display_name for c in candidates]


def test_the_same_dni_comes_before_namesakes(actor: Actor) -> None:
    make_party(actor, given_name="Ana", family_name_1="Ruiz", family_name_2="Abad")
    holder = make_party(
        actor,
        given_name="Ana",
        family_name_1="Ruiz",
        family_name_2="Zamora",
        identifiers=[IdentifierInput(scheme="dni", value="12345678Z")],
    )

    found = party_candidates(
        actor=actor, given_name="Ana", family_name_1="Ruiz", identifier="12345678z"
    )

    assert found[0].party == holder
    assert found[0].same_identifier and found[0].same_name
    assert names(found) == ["Ana Ruiz Zamora", "Ana Ruiz Abad"]


def test_namesakes_born_the_same_day_come_first(actor: Actor) -> None:
    make_party(actor, given_name="Luis", family_name_1="Gil", family_name_2="Abad")
    twin = make_party(
        actor,
        given_name="Luis",
        family_name_1="Gil",
        family_name_2="Zamora",
        birth_date=date(1970, 3, 1),
    )

    found = party_candidates(
        actor=actor, given_name="luis", family_name_1="gil", birth_date=date(1970, 3, 1)
    )

    assert found[0].party == twin and found[0].same_birth_date


def test_a_phone_is_matched_however_it_is_written(actor: Actor) -> None:
    caller = make_party(actor, contact_points=[ContactPointInput(kind="phone", value="612345678")])

    found = party_candidates(actor=actor, phone="+34 612 34 56 78")

    assert [c.party for c in found] == [caller]
    assert found[0].same_phone


def test_half_typed_values_find_nobody_and_raise_nothing(actor: Actor) -> None:
    make_party(actor, given_name="Ana", family_name_1="Ruiz")

    assert party_candidates(actor=actor, given_name="A", identifier="1234", phone="6123") == []


def test_merged_records_are_not_offered(actor: Actor) -> None:
    old = make_party(actor, given_name="Eva", family_name_1="Sanz")
    current = make_party(actor, given_name="Eva", family_name_1="Sanz", family_name_2="Gil")
    Party.objects.filter(pk=old.pk).update(status=Party.Status.MERGED, merged_into=current)

    found = party_candidates(actor=actor, given_name="Eva", family_name_1="Sanz")

    assert [c.party for c in found] == [current]


def test_only_staff_who_read_parties_are_offered_anyone(actor: Actor, make_staff: Any) -> None:
    analyst = actor_for_user(make_staff("analista", "ayto", "analyst"))
    make_party(actor, given_name="Ana", family_name_1="Ruiz")

    with pytest.raises(PermissionDenied):
        party_candidates(actor=analyst, given_name="Ana", family_name_1="Ruiz")


def test_many_matches_cost_what_one_costs(actor: Actor) -> None:
    make_party(actor, given_name="Pilar", family_name_1="Mora")
    with CaptureQueriesContext(connection) as one:
        party_candidates(actor=actor, given_name="Pilar", family_name_1="Mora")
    for _ in range(6):
        make_party(actor, given_name="Pilar", family_name_1="Mora")

    with CaptureQueriesContext(connection) as many:
        found = party_candidates(actor=actor, given_name="Pilar", family_name_1="Mora")

    assert len(found) == 5
    assert len(many) == len(one) <= 12
