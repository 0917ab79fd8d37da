"""The citizen's download of "My data": the page in the portal's language with no raw keys, the
zip with copies of their documents, and their own visits listed apart from others' uses, as the
page on who has used their data says."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import portal_client
from tests.factories import make_party
from ventanilla.access.actors import Actor, actor_for_user
from ventanilla.audit.models import AuditEntry
from ventanilla.interactions.services import attachment_add, interaction_record
from ventanilla.parties.models import Party
from ventanilla.parties.selectors import party_get
from ventanilla.parties.services import party_update

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< >>\n%%EOF\n"


@pytest.fixture
def agent(make_staff: Any) -> Actor:
    """A front-line agent with a user name the citizen must never see."""
    return actor_for_user(make_staff("jperez", "ayto", "agent"))


@pytest.fixture
def citizen(agent: Actor) -> Party:
    return make_party(agent, given_name="Lucía", family_name_1="Vega", family_name_2="Ortiz")


def test_my_own_visits_are_listed_apart_from_who_has_used_my_data(
    agent: Actor, citizen: Party
) -> None:
    client = portal_client(citizen)
    client.get("/portal/me/")
    client.get("/portal/me/disclosures/")

    document = json.loads(client.get("/portal/me/my-data.json").content)

    assert {e["action"] for e in document["disclosure_log"]} == {"party.create"}
    assert {e["action"] for e in document["own_activity"]} == {
        "party.self_view",
        "party.disclosures",
    }


def test_a_correction_by_staff_shows_their_kind_never_their_name(
    agent: Actor, citizen: Party
) -> None:
    party_update(actor=agent, party_id=citizen.pk, changes={"family_name_2": "Ortega"})

    response = portal_client(citizen).get("/portal/me/my-data.json")

    [change] = json.loads(response.content)["profile_changes"]
    assert change["changed_by"] == "A member of staff"
    assert "jperez" not in response.content.decode()


def test_the_page_reads_in_the_portals_language_with_no_raw_keys(
    agent: Actor, citizen: Party
) -> None:
    party_get(actor=agent, party_id=citizen.pk)

    page = portal_client(citizen).get("/portal/me/my-data.html").content.decode()

    assert '<html lang="en">' in page
    assert "Given name" in page and "Verified" in page and "No" in page
    for raw in ("given_name", "verified", "True", "False", "party.read", "jperez"):
        assert raw not in page, raw
    assert "Front-line agent" in page


def test_the_zip_holds_my_data_and_a_copy_of_each_of_my_documents(
    agent: Actor, citizen: Party, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    contact = interaction_record(
        actor=agent, party_id=citizen.pk, channel="desk", summary="Trae el contrato"
    )
    attachment_add(
        actor=agent,
        interaction_id=contact.pk,
        file_name="contrato alquiler.pdf",
        content=io.BytesIO(PDF),
        size=len(PDF),
    )

    response = portal_client(citizen).get("/portal/me/my-data.zip")

    assert response["Content-Disposition"] == 'attachment; filename="my-data.zip"'
    assert "no-store" in response["Cache-Control"]
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        [paper] = json.loads(archive.read("my-data.json"))["documents"]
        assert archive.read(paper["file"]) == PDF
        assert "contrato alquiler.pdf" in archive.read("my-data.html").decode()
    assert AuditEntry.objects.filter(
        action="party.export", party_id=citizen.pk, detail__format="zip"
    ).exists()


def test_a_document_lost_from_storage_is_named_and_the_rest_still_comes(
    agent: Actor, citizen: Party, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    contact = interaction_record(
        actor=agent, party_id=citizen.pk, channel="desk", summary="Papeles"
    )
    lost = attachment_add(
        actor=agent,
        interaction_id=contact.pk,
        file_name="a.pdf",
        content=io.BytesIO(PDF),
        size=len(PDF),
    )
    attachment_add(
        actor=agent,
        interaction_id=contact.pk,
        file_name="b.pdf",
        content=io.BytesIO(PDF),
        size=len(PDF),
    )
    (tmp_path / lost.file.name).unlink()

    response = portal_client(citizen).get("/portal/me/my-data.zip")

    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        missing = archive.read("documents/missing.txt").decode()
        names = archive.namelist()
    assert "a.pdf" in missing
    assert any(name.endswith("b.pdf") for name in names)


def test_how_a_call_ended_is_in_my_data_by_its_words(agent: Actor, citizen: Party) -> None:
    interaction_record(
        actor=agent,
        party_id=citizen.pk,
        channel="phone",
        summary="Pregunta por el horario",
        duration_seconds=200,
        outcome="call_back",
    )
    client = portal_client(citizen)

    document = json.loads(client.get("/portal/me/my-data.json").content)
    page = client.get("/portal/me/my-data.html").content.decode()

    assert [i["outcome"] for i in document["interactions"]] == ["call_back"]
    assert "How it ended" in page and "To call back" in page
    assert "call_back" not in page
