"""A statement written once gives each value as the ORM gives it for the field named, on SQLite
and on PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from ventanilla.core.statements import db_value, exists, fields_of, read_all, read_one
from ventanilla.parties.models import ContactPoint, Party

pytestmark = pytest.mark.django_db

_PARTY = """
SELECT party.id, party.created_at, party.birth_date, party.accessibility_needs, point.party_id,
    point.preferred
FROM parties_party AS party JOIN parties_contactpoint AS point ON point.party_id = party.id
WHERE party.family_name_1 = %s AND party.birth_date >= %s
ORDER BY party.sort_name
"""
FIELDS = [
    *fields_of(Party, "id", "created_at", "birth_date", "accessibility_needs"),
    *fields_of(ContactPoint, "party", "preferred"),
]


def a_party(given: str, needs: list[str]) -> Party:
    party = Party.objects.create(
        given_name=given,
        family_name_1="Azcárate",
        sort_name=f"azcarate {given.lower()}",
        birth_date=date(1980, 3, 4),
        accessibility_needs=needs,
    )
    ContactPoint.objects.create(
        party=party, kind="email", value=f"{given}@x.es", normalized=f"{given}@x.es", preferred=True
    )
    return party


def test_each_value_comes_as_the_orm_gives_it() -> None:
    ana, bea = a_party("Ana", ["lectura fácil"]), a_party("Bea", [])
    birth = fields_of(Party, "birth_date")[0]

    rows = read_all(_PARTY, ["Azcárate", db_value(birth, date(1970, 1, 1))], FIELDS)

    expected = [
        (
            *Party.objects.values_list("id", "created_at", "birth_date", "accessibility_needs").get(
                pk=party.pk
            ),
            party.pk,
            True,
        )
        for party in (ana, bea)
    ]
    assert rows == expected
    first = rows[0]
    assert first[1].tzinfo is not None and first[1] <= timezone.now()
    assert first[3] == ["lectura fácil"] and first[5] is True


def test_one_row_or_none_and_whether_any_is_there() -> None:
    ana = a_party("Ana", [])
    birth = fields_of(Party, "birth_date")[0]
    after = [db_value(birth, date(1990, 1, 1))]

    assert read_one(_PARTY, ["Azcárate", db_value(birth, date(1970, 1, 1))], FIELDS) is not None
    assert read_one(_PARTY, ["Azcárate", *after], FIELDS) is None
    key = db_value(fields_of(Party, "id")[0], ana.pk)
    assert exists("SELECT 1 FROM parties_party WHERE id = %s", [key])
    assert not exists("SELECT 1 FROM parties_party WHERE family_name_1 = %s", ["Nadie"])
