"""Registering many parties at once (``party_create_many``), as a batch match registers them."""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories import make_party
from ventanilla.access.actors import Actor
from ventanilla.audit.models import AuditEntry
from ventanilla.core.errors import Conflict
from ventanilla.parties.models import ContactPoint, Identifier, NameToken, Party, PartyKey
from ventanilla.parties.services import (
    ContactPointInput,
    IdentifierInput,
    PartyInput,
    party_create_many,
)

pytestmark = pytest.mark.django_db


def person(given: str, dni: str = "", email: str = "") -> PartyInput:
    return PartyInput(
        profile={
            "given_name": given,
            "family_name_1": "Azcárate",
            "family_name_2": "Olaizola",
            "birth_date": date(1980, 3, 4),
        },
        identifiers=[IdentifierInput(scheme="dni", value=dni)] if dni else [],
        contact_points=[ContactPointInput(kind="email", value=email)] if email else [],
    )


def test_each_party_gets_its_rows_and_one_audit_entry(actor: Actor) -> None:
    before = AuditEntry.objects.filter(action="party.create").count()

    made = party_create_many(
        actor=actor,
        parties=[person("Itziar", "12345678Z", "itziar@example.es"), person("Iker")],
    )

    itziar = Party.objects.get(pk=made[0].pk)
    assert itziar.sort_name
    assert Identifier.objects.get(party=itziar).value == "12345678Z"
    assert ContactPoint.objects.get(party=itziar).normalized == "itziar@example.es"
    assert NameToken.objects.filter(party=itziar).exists()
    assert PartyKey.objects.filter(party=made[1]).exists()
    entries = AuditEntry.objects.filter(action="party.create").order_by("id")
    assert entries.count() == before + 2
    assert [e.party_id for e in entries[before:]] == [made[0].pk, made[1].pk]


def test_an_identifier_already_held_is_refused_or_left_off(actor: Actor) -> None:
    holder = make_party(actor)
    held = Identifier.objects.get(party=holder).value

    with pytest.raises(Conflict):
        party_create_many(actor=actor, parties=[person("Itziar", held)])
    assert not Party.objects.filter(given_name="Itziar").exists()

    made = party_create_many(
        actor=actor,
        parties=[person("Itziar", held), person("Ane", "12345678Z"), person("Iker", "12345678Z")],
        leave_off_held=True,
    )

    assert not Identifier.objects.filter(party=made[0]).exists()
    assert Identifier.objects.get(party=made[1]).value == "12345678Z"
    assert not Identifier.objects.filter(party=made[2]).exists()
