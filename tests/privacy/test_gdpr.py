"""The citizen's rights: access to everything held (itself audited) and erasure, refused with
the legal reason while a procedure is open."""

from __future__ import annotations

import io
import json
import zipfile
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tests.factories import SIGNED_FORM_PDF, signed_form
from tests.privacy.conftest import PDF
from ventanilla.access.actors import Actor
from ventanilla.audit.models import AuditEntry
from ventanilla.cases.models import Case
from ventanilla.cases.services import case_contact_record, case_note_add, case_open
from ventanilla.consent.services import consent_record
from ventanilla.interactions.models import Interaction
from ventanilla.interactions.services import attachment_add
from ventanilla.parties.models import (
    ContactPoint,
    Identifier,
    Party,
)
from ventanilla.parties.selectors import party_search
from ventanilla.parties.services import party_update
from ventanilla.privacy.export import party_export

pytestmark = pytest.mark.django_db


def gdpr(*args: str) -> str:
    out = StringIO()
    call_command("gdpr", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


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


# --- Everything held, in every section: documents, corrections, sharing requests and the rest ---


def test_the_export_lists_each_document_with_its_contact_case_type_and_size(
    full_record: dict[str, Any], citizen: Party
) -> None:
    document = json.loads(gdpr("export", str(citizen.pk), "--language", "en"))

    [paper] = document["documents"]
    assert paper["file_name"] == "plano-cocina.pdf"
    assert paper["content_type"] == "application/pdf" and paper["size"] == len(PDF)
    assert paper["case"] == full_record["case"].reference
    assert paper["contact_channel"] == "In-person desk" and paper["contact_at"]
    assert paper["file"].startswith("documents/") and paper["file"].endswith("plano-cocina.pdf")


def test_the_export_holds_each_correction_with_before_after_when_and_by_whom(
    full_record: dict[str, Any], citizen: Party
) -> None:
    document = json.loads(gdpr("export", str(citizen.pk)))

    [change] = document["profile_changes"]
    assert (change["field"], change["old_value"], change["new_value"]) == (
        "family_name_2",
        "Ortiz",
        "Ortega",
    )
    assert change["changed_by"] == "agente" and change["changed_at"]


def test_the_export_holds_each_sharing_request_with_who_asked_whom_why_and_the_answer(
    full_record: dict[str, Any], citizen: Party
) -> None:
    document = json.loads(gdpr("export", str(citizen.pk), "--language", "en"))

    [asked] = document["sharing_requests"]
    assert (asked["requester"], asked["holder"]) == ("Health", "Town hall")
    assert asked["purpose"] == "Comprobar ingresos para la beca"
    assert (asked["legal_basis"], asked["outcome"]) == ("consent", "granted")
    assert asked["data_categories"] == ["income"] and asked["consents"] == ["Beca comedor"]


def test_sign_in_links_are_exported_by_their_dates_and_never_their_hash(
    full_record: dict[str, Any], citizen: Party
) -> None:
    text = gdpr("export", str(citizen.pk))

    [link] = json.loads(text)["sign_in_links"]
    assert set(link) == {"requested_at", "expires_at", "used_at"}
    assert "f" * 64 not in text


def test_the_page_names_every_field_in_words_and_answers_yes_or_no(
    full_record: dict[str, Any], citizen: Party
) -> None:
    page = gdpr("export", str(citizen.pk), "--format", "html", "--language", "en")

    for raw in ("given_name", "family_name_2", "verified", "True", "False", "legal_basis"):
        assert raw not in page, raw
    assert "Given name" in page and "Second surname" in page
    assert "Corrections to your profile" in page and "Ortiz" in page and "Ortega" in page
    assert "Requests between offices for your data" in page and "Consent of the person" in page
    assert "Minor works permit" in page and "Le falta el plano" in page
    assert "plano-cocina.pdf" in page


def test_the_page_speaks_the_persons_preferred_language_unless_told_otherwise(
    citizen: Party,
) -> None:
    page = gdpr("export", str(citizen.pk), "--format", "html")

    assert '<html lang="es">' in page and "Todo lo que guardamos sobre usted" in page


def test_the_zip_holds_the_data_the_page_and_a_copy_of_each_document(
    full_record: dict[str, Any], citizen: Party, tmp_path: Path
) -> None:
    target = tmp_path / "export.zip"

    gdpr("export", str(citizen.pk), "--format", "zip", "--output", str(target))

    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
        document = json.loads(archive.read("my-data.json"))
        [paper] = document["documents"]
        assert archive.read(paper["file"]) == PDF
    assert {"my-data.json", "my-data.html"} <= set(names)
    assert all(not name.startswith(("/", "..")) for name in names)


def test_a_zip_needs_a_file_to_write_to(citizen: Party) -> None:
    with pytest.raises(CommandError, match="--output"):
        gdpr("export", str(citizen.pk), "--format", "zip")


def test_the_export_costs_as_many_queries_for_a_long_history_as_for_a_short_one(
    full_record: dict[str, Any], citizen: Party, actor: Actor
) -> None:
    with CaptureQueriesContext(connection) as short:
        party_export(actor=actor, party_id=citizen.pk)
    for number in range(5):
        case = case_open(
            actor=actor, party_id=citizen.pk, service_code="licencia-obra-menor", channel="web"
        )
        case_note_add(actor=actor, case_id=case.pk, text=f"Respuesta {number}", public=True)
        contact = case_contact_record(
            actor=actor,
            party_id=citizen.pk,
            channel="desk",
            summary=f"Visita {number}",
            case_reference=case.reference,
        )
        attachment_add(
            actor=actor,
            interaction_id=contact.pk,
            file_name=f"papel-{number}.pdf",
            content=io.BytesIO(PDF),
            size=len(PDF),
        )
        party_update(actor=actor, party_id=citizen.pk, changes={"family_name_2": f"Ortega{number}"})

    with CaptureQueriesContext(connection) as long:
        party_export(actor=actor, party_id=citizen.pk)

    assert len(long) == len(short) <= 37  # one query a section, proposals the last added


def test_a_desk_consent_comes_with_how_it_was_given_and_a_copy_of_the_signed_form(
    citizen: Party, actor: Actor, media: Path, tmp_path: Path
) -> None:
    consent_record(
        actor=actor,
        party_id=citizen.pk,
        purpose="Ayuda al alquiler joven",
        recipient_code="salud",
        data_categories=["income"],
        channel="desk",
        evidence=signed_form("firma.pdf"),
    )
    target = tmp_path / "export.zip"

    gdpr("export", str(citizen.pk), "--format", "zip", "--output", str(target), "--language", "en")

    with zipfile.ZipFile(target) as archive:
        [consent] = json.loads(archive.read("my-data.json"))["consents"]
        page = archive.read("my-data.html").decode()
        assert archive.read(consent["evidence_document"]) == SIGNED_FORM_PDF
    assert consent["evidence_document"].endswith("firma.pdf")
    assert "Given at a desk, signed form kept" in page
