"""Documents attached to interactions over HTTP: accepted by what their bytes are, refused when
the content is another kind or lies about its name, scoped to the agency, every access audited."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.test import Client, TestCase

from tests.factories import make_party
from ventanilla.access.actors import Actor, actor_for_user
from ventanilla.access.services import apikey_create
from ventanilla.audit.models import AuditEntry
from ventanilla.interactions.models import Interaction, InteractionAttachment
from ventanilla.interactions.services import attachment_add, interaction_record

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 60


def odt() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        package.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def interaction(actor: Actor) -> Interaction:
    party = make_party(actor)
    return interaction_record(
        actor=actor, party_id=party.pk, channel="desk", summary="Trae papeles"
    )


def upload(client: Client, interaction: Interaction, name: str, data: bytes, **extra: str) -> Any:
    """Post ``data`` as ``name`` (declared a PDF, as a lying client would); HTTP_* are headers."""
    headers = {key: value for key, value in extra.items() if key.startswith("HTTP_")}
    form = {key: value for key, value in extra.items() if key not in headers}
    return client.post(
        f"/api/v1/interactions/{interaction.pk}/attachments",
        {"file": SimpleUploadedFile(name, data, content_type="application/pdf"), **form},
        **headers,
    )


def stored_files(media: Path) -> list[Path]:
    return [path for path in media.rglob("*") if path.is_file()]


def test_a_pdf_is_attached_and_comes_back_as_a_download(
    api: Client, interaction: Interaction, media: Path
) -> None:
    response = upload(api, interaction, "../../etc/Solicitud firmada.pdf", PDF)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["content_type"] == "application/pdf"
    assert body["file_name"] == "Solicitud firmada.pdf"
    assert body["size"] == len(PDF)
    assert len(body["sha256"]) == 64
    [stored] = stored_files(media)
    assert "Solicitud" not in stored.name

    download = api.get(f"/api/v1/attachments/{body['id']}")

    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert "Solicitud firmada.pdf" in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"attachment.add", "attachment.read"} <= actions


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("foto.png", PNG, "image/png"),
        ("nota.txt", "Cita el lunes, año 2026\n".encode(), "text/plain"),
        ("informe.odt", odt(), "application/vnd.oasis.opendocument.text"),
    ],
)
def test_each_accepted_kind_is_told_by_its_content(
    api: Client, interaction: Interaction, name: str, data: bytes, content_type: str
) -> None:
    response = upload(api, interaction, name, data)

    assert response.status_code == 201, response.content
    assert response.json()["content_type"] == content_type


@pytest.mark.parametrize(("name", "data"), [("factura.pdf", HTML), ("factura.pdf", EXE)])
def test_a_pdf_name_on_other_content_is_refused_and_nothing_is_kept(
    api: Client, interaction: Interaction, media: Path, name: str, data: bytes
) -> None:
    response = upload(api, interaction, name, data, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 415
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "urn:ventanilla:problem:unsupported-media-type"
    assert "not accepted" in response.json()["detail"]
    assert not InteractionAttachment.objects.exists()
    assert stored_files(media) == []


def test_an_accepted_kind_under_the_wrong_extension_is_refused(
    api: Client, interaction: Interaction
) -> None:
    response = upload(api, interaction, "foto.pdf", PNG)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "file"
    assert ".pdf" in response.json()["detail"]
    assert not InteractionAttachment.objects.exists()


def test_a_file_over_the_limit_is_refused(
    api: Client, interaction: Interaction, settings: Any
) -> None:
    settings.VENTANILLA_MAX_UPLOAD_BYTES = 100

    response = upload(api, interaction, "grande.pdf", PDF + b"0" * 200)

    assert response.status_code == 413
    assert response.json()["type"] == "urn:ventanilla:problem:payload-too-large"


def test_the_description_is_sanitised(api: Client, interaction: Interaction) -> None:
    response = upload(
        api,
        interaction,
        "a.pdf",
        PDF,
        description=(
            '<p onclick="x()">Firmada <a href="javascript:alert(1)">aqui</a></p><script>1</script>'
        ),
    )

    assert response.status_code == 201
    description = response.json()["description"]
    assert description.startswith("<p>Firmada")
    assert "script" not in description
    assert "onclick" not in description


def test_another_agencys_interaction_is_not_found(
    interaction: Interaction, town: Any, media: Path
) -> None:
    _key, secret = apikey_create(
        name="salud", agency_code="salud", scopes=["interactions:read", "interactions:write"]
    )
    other = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    response = upload(other, interaction, "a.pdf", PDF)

    assert response.status_code == 404
    assert stored_files(media) == []


def test_another_agencys_attachment_cannot_be_downloaded(
    api: Client, interaction: Interaction, town: Any
) -> None:
    attachment_id = upload(api, interaction, "a.pdf", PDF).json()["id"]
    _key, secret = apikey_create(name="salud", agency_code="salud", scopes=["interactions:read"])

    response = Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get(
        f"/api/v1/attachments/{attachment_id}"
    )

    assert response.status_code == 404


def test_a_key_without_the_write_scope_cannot_attach(interaction: Interaction, town: Any) -> None:
    _key, secret = apikey_create(name="lector", agency_code="ayto", scopes=["interactions:read"])

    response = upload(Client(HTTP_AUTHORIZATION=f"Bearer {secret}"), interaction, "a.pdf", PDF)

    assert response.status_code == 403
    assert not InteractionAttachment.objects.exists()


def test_the_file_is_removed_when_its_row_cannot_be_written(
    interaction: Interaction, make_staff: Any, media: Path, monkeypatch: Any
) -> None:
    actor = actor_for_user(make_staff("otra", "ayto", "agent"))

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise IntegrityError("disk full")

    monkeypatch.setattr(InteractionAttachment.objects, "create", refuse)

    with pytest.raises(IntegrityError):
        attachment_add(
            actor=actor,
            interaction_id=interaction.pk,
            file_name="a.pdf",
            content=io.BytesIO(PDF),
            size=len(PDF),
        )

    assert stored_files(media) == []


def test_erasing_a_party_removes_its_documents_and_their_files(
    api: Client, interaction: Interaction, actor: Actor, media: Path
) -> None:
    from ventanilla.privacy.services import party_erase

    assert upload(api, interaction, "a.pdf", PDF).status_code == 201

    with TestCase.captureOnCommitCallbacks(execute=True):
        party_erase(actor=actor, party_id=interaction.party_id, reason="art. 17")

    assert not InteractionAttachment.objects.exists()
    assert stored_files(media) == []
