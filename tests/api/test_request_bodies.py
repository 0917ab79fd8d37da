"""What the API answers to a body it cannot or will not read: always problem+json, never the
framework's HTML page, and never a body read as something it does not say it is."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.factories import make_party
from ventanilla.access.actors import Actor
from ventanilla.interactions.models import Interaction
from ventanilla.interactions.services import interaction_record

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< >>\n%%EOF\n"


@pytest.fixture
def party(actor: Actor) -> Any:
    return make_party(actor)


@pytest.fixture
def interaction(actor: Actor, party: Any) -> Interaction:
    return interaction_record(actor=actor, party_id=party.pk, channel="desk", summary="Papeles")


def contact(party: Any) -> dict[str, str]:
    return {"party_id": str(party.pk), "channel": "phone", "summary": "Pregunta por el padrón"}


def is_problem(response: Any, status: int) -> bool:
    return (
        response.status_code == status
        and response["Content-Type"] == "application/problem+json"
        and response.json()["status"] == status
    )


def test_a_json_body_sent_as_plain_text_is_refused_as_unsupported(api: Client, party: Any) -> None:
    response = api.post(
        "/api/v1/interactions", json.dumps(contact(party)), content_type="text/plain"
    )

    assert is_problem(response, 415), response.content
    assert "application/json" in response.json()["detail"]
    assert not Interaction.objects.exists()


def test_a_json_body_without_a_content_type_is_refused_as_unsupported(
    api: Client, party: Any
) -> None:
    response = api.generic("POST", "/api/v1/interactions", json.dumps(contact(party)), "")

    assert is_problem(response, 415), response.content


def test_a_form_posted_to_a_json_operation_is_refused_as_unsupported(
    api: Client, party: Any
) -> None:
    response = api.post("/api/v1/interactions", contact(party))

    assert is_problem(response, 415), response.content
    assert not Interaction.objects.exists()


def test_json_with_a_charset_is_read(api: Client, party: Any) -> None:
    response = api.post(
        "/api/v1/interactions",
        json.dumps(contact(party)),
        content_type="application/json; charset=utf-8",
    )

    assert response.status_code == 201, response.content


def test_plain_text_posted_to_the_upload_is_refused_as_unsupported(
    api: Client, interaction: Interaction
) -> None:
    response = api.post(
        f"/api/v1/interactions/{interaction.pk}/attachments", "hola", content_type="text/plain"
    )

    assert is_problem(response, 415), response.content


def test_a_file_name_too_long_to_read_is_a_problem_not_a_page(
    api: Client, interaction: Interaction
) -> None:
    # Written by hand: Django's own upload class would cut the name to 255 characters.
    name = "solicitud-" + "x" * 2000 + ".pdf"
    body = (
        b"--edge\r\n"
        + f'Content-Disposition: form-data; name="file"; filename="{name}"\r\n'.encode()
        + b"Content-Type: application/pdf\r\n\r\n"
        + PDF
        + b"\r\n--edge--\r\n"
    )

    response = api.generic(
        "POST",
        f"/api/v1/interactions/{interaction.pk}/attachments",
        body,
        "multipart/form-data; boundary=edge",
    )

    assert is_problem(response, 400), response.content
    assert response.json()["type"] == "urn:ventanilla:problem:malformed-request"


def test_a_broken_multipart_body_is_a_problem_not_a_page(
    api: Client, interaction: Interaction
) -> None:
    response = api.generic(
        "POST",
        f"/api/v1/interactions/{interaction.pk}/attachments",
        b'--edge\r\nContent-Disposition: form-data; name="file"\r\n',
        "multipart/form-data; boundary=",
    )

    assert is_problem(response, 400), response.content


def test_too_many_form_fields_is_a_problem_not_a_page(
    api: Client, interaction: Interaction, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    fields = {f"field{number}": "x" for number in range(10)}

    response = api.post(
        f"/api/v1/interactions/{interaction.pk}/attachments",
        {"file": SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf"), **fields},
    )

    assert is_problem(response, 413), response.content


def test_a_form_body_over_the_limit_is_a_problem_not_a_page(
    api: Client, interaction: Interaction, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = api.post(
        f"/api/v1/interactions/{interaction.pk}/attachments",
        {
            "file": SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf"),
            "description": "x" * 5000,
        },
    )

    assert is_problem(response, 413), response.content
