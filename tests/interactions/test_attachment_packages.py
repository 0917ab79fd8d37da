"""Word and OpenDocument files are zip packages: the upload check reads their directory, without
unpacking them, and refuses zip bombs, parts named to escape a folder, and macros or scripts."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.factories import make_party
from ventanilla.access.actors import Actor
from ventanilla.interactions.models import Interaction, InteractionAttachment
from ventanilla.interactions.services import interaction_record

pytestmark = pytest.mark.django_db

DOCX_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
DOCM_TYPES = DOCX_TYPES.replace(
    "vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "vnd.ms-word.document.macroEnabled.main+xml",
)


def package(parts: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def docx(extra: dict[str, bytes | str] | None = None) -> bytes:
    parts: dict[str, bytes | str] = {
        "[Content_Types].xml": DOCX_TYPES,
        "word/document.xml": "<w:document/>",
    }
    parts.update(extra or {})
    return package(parts)


def odt(extra: dict[str, bytes | str] | None = None) -> bytes:
    parts: dict[str, bytes | str] = {
        "mimetype": "application/vnd.oasis.opendocument.text",
        "content.xml": "<office:document-content/>",
    }
    parts.update(extra or {})
    return package(parts)


def declaring_size(data: bytes, name: str, size: int) -> bytes:
    """The package with ``name``'s unpacked size in its central directory set to ``size``: what
    a bomb declares, without the bytes to unpack (the test stays small and fast)."""
    entry = data.rindex(b"PK\x01\x02")
    while data[entry + 46 : entry + 46 + len(name)] != name.encode():
        entry = data.rindex(b"PK\x01\x02", 0, entry)
    return data[: entry + 24] + struct.pack("<I", size) + data[entry + 28 :]


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def interaction(actor: Actor) -> Interaction:
    party = make_party(actor)
    return interaction_record(actor=actor, party_id=party.pk, channel="desk", summary="Papeles")


def upload(client: Client, interaction: Interaction, name: str, data: bytes) -> Any:
    return client.post(
        f"/api/v1/interactions/{interaction.pk}/attachments",
        {"file": SimpleUploadedFile(name, data, content_type="application/octet-stream")},
        HTTP_ACCEPT_LANGUAGE="en",
    )


def refused(response: Any) -> bool:
    return (
        response.status_code == 415
        and response.json()["type"] == "urn:ventanilla:problem:unsupported-media-type"
        and not InteractionAttachment.objects.exists()
    )


def test_a_plain_word_document_is_accepted(api: Client, interaction: Interaction) -> None:
    response = upload(api, interaction, "informe.docx", docx())

    assert response.status_code == 201, response.content


def test_word_printer_settings_are_not_taken_for_a_program(
    api: Client, interaction: Interaction
) -> None:
    data = docx({"word/printerSettings/printerSettings1.bin": b"\x00" * 64})

    response = upload(api, interaction, "informe.docx", data)

    assert response.status_code == 201, response.content


def test_a_package_declaring_four_gigabytes_unpacked_is_refused(
    api: Client, interaction: Interaction
) -> None:
    data = declaring_size(
        docx({"word/media/image1.png": b"x" * 1000}), "word/media/image1.png", 2**32 - 16
    )

    response = upload(api, interaction, "informe.docx", data)

    assert refused(response), response.content
    assert "zip bomb" in response.json()["detail"]


def test_a_part_squeezed_a_thousand_times_is_refused(api: Client, interaction: Interaction) -> None:
    data = docx({"word/media/zeros.png": bytes(20 * 1024 * 1024)})
    assert len(data) < 100 * 1024  # 20 MB of zeros squeeze to about 20 KB

    response = upload(api, interaction, "informe.docx", data)

    assert refused(response), response.content


def test_a_word_document_with_a_vba_project_is_refused(
    api: Client, interaction: Interaction
) -> None:
    response = upload(api, interaction, "informe.docx", docx({"word/vbaProject.bin": b"\xd0\xcf"}))

    assert refused(response), response.content
    assert "macros" in response.json()["detail"]


def test_a_macro_enabled_word_document_named_docx_is_refused(
    api: Client, interaction: Interaction
) -> None:
    data = package({"[Content_Types].xml": DOCM_TYPES, "word/document.xml": "<w:document/>"})

    response = upload(api, interaction, "informe.docx", data)

    assert refused(response), response.content


def test_an_opendocument_text_with_basic_macros_is_refused(
    api: Client, interaction: Interaction
) -> None:
    data = odt({"Basic/Standard/Module1.xml": "<script:module/>"})

    response = upload(api, interaction, "informe.odt", data)

    assert refused(response), response.content


@pytest.mark.parametrize(
    "name", ["../../etc/cron.d/job", "/etc/passwd", "word\\..\\..\\evil.xml", "C:/evil.xml"]
)
def test_a_part_named_to_escape_its_folder_is_refused(
    api: Client, interaction: Interaction, name: str
) -> None:
    data = package(
        {"[Content_Types].xml": DOCX_TYPES, "word/document.xml": "<w:document/>", name: "x"}
    )

    response = upload(api, interaction, "informe.docx", data)

    assert refused(response), response.content
    assert "unsafe names" in response.json()["detail"]


def test_a_refusal_is_given_in_the_users_language(api: Client, interaction: Interaction) -> None:
    response = api.post(
        f"/api/v1/interactions/{interaction.pk}/attachments",
        {"file": SimpleUploadedFile("informe.docx", docx({"word/vbaProject.bin": b"\xd0\xcf"}))},
        HTTP_ACCEPT_LANGUAGE="es",
    )

    assert response.status_code == 415
    assert "macros" in response.json()["detail"]
    assert "which is not accepted" not in response.json()["detail"]
