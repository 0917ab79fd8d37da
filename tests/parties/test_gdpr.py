"""The citizen's rights: access to everything held (itself audited) and erasure, refused with
the legal reason while a procedure is open."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from tests.factories import make_party
from ventanilla.access.actors import Actor
from ventanilla.audit.models import AuditEntry
from ventanilla.cases.models import Case
from ventanilla.cases.services import case_open
from ventanilla.interactions.models import Interaction
from ventanilla.interactions.services import interaction_record
from ventanilla.parties.models import ContactPoint, Identifier, Party
from ventanilla.parties.selectors import party_search

pytestmark = pytest.mark.django_db


def gdpr(*args: str) -> str:
    out = StringIO()
    call_command("gdpr", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def citizen(actor: Actor) -> Party:
    party = make_party(actor, given_name="Lucía", family_name_1="Vega", family_name_2="Ortiz")
    interaction_record(actor=actor, party_id=party.pk, channel="phone", summary="Pide cita")
    return party


def test_the_export_holds_profile_contacts_history_and_who_looked(
    citizen: Party, actor: Actor
) -> None:
    document = json.loads(gdpr("export", str(citizen.pk)))

    assert document["party"]["given_name"] == "Lucía"
    assert {c["kind"] for c in document["contact_points"]} == {"email", "phone"}
    assert document["interactions"][0]["summary"] == "Pide cita"
    assert [e["action"] for e in document["disclosure_log"]][:2] == [
        "party.create",
        "interaction.create",
    ]
    assert AuditEntry.objects.filter(party_id=citizen.pk, action="party.export").exists()


def test_the_export_reads_as_a_page_too(citizen: Party) -> None:
    page = gdpr("export", str(citizen.pk), "--format", "html")

    assert "<html" in page and "Lucía" in page and "Pide cita" in page


def test_erasure_is_refused_while_a_case_is_open_and_says_why(
    citizen: Party, actor: Actor, service: Any
) -> None:
    case = case_open(actor=actor, party_id=citizen.pk, service_code=service.code, channel="web")

    # The command speaks the active language; pin it, not whatever an earlier test left.
    with (
        translation.override("en"),
        pytest.raises(CommandError, match=f"cases are open \\({case.reference}\\).*39/2015"),
    ):
        gdpr("erase", str(citizen.pk), "--reason", "solicitud art. 17")

    assert Party.objects.get(pk=citizen.pk).given_name == "Lucía"


def test_erasure_removes_the_identity_and_keeps_the_statistics(
    citizen: Party, actor: Actor, service: Any
) -> None:
    case = case_open(actor=actor, party_id=citizen.pk, service_code=service.code, channel="desk")
    Case.objects.filter(pk=case.pk).update(status="closed")
    contacts_before = Interaction.objects.filter(party=citizen).count()

    gdpr("erase", str(citizen.pk), "--reason", "solicitud art. 17")

    party = Party.objects.get(pk=citizen.pk)
    assert party.status == "erased"
    assert "Lucía" not in party.display_name and "Vega" not in party.display_name
    assert party.birth_date is None or (party.birth_date.month, party.birth_date.day) == (1, 1)
    assert not Identifier.objects.filter(party=party).exists()
    assert not ContactPoint.objects.filter(party=party).exists()
    assert not party_search(actor=actor, query="vega ortiz").items
    interactions = Interaction.objects.filter(party=party)
    assert interactions.count() == contacts_before
    assert {i.summary for i in interactions} == {"[erased]"}
    assert Case.objects.get(pk=case.pk).service_id == service.pk
    assert AuditEntry.objects.filter(party_id=party.pk, action="party.erase").exists()


def test_an_unknown_party_is_refused_clearly(town: Any) -> None:
    with pytest.raises(CommandError, match="Cannot export party"):
        gdpr("export", "00000000-0000-4000-8000-000000000000")
