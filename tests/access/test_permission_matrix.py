"""Every API endpoint and every staff page, called by every role: allowed where the rule says,
refused (403, nothing written) everywhere else. A new endpoint without a rule fails here."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.conftest import PASSWORD
from tests.factories import make_party
from ventanilla.access.actors import actor_for_user
from ventanilla.api.urls import api
from ventanilla.audit.models import AuditEntry
from ventanilla.cases.models import Case
from ventanilla.cases.services import case_open
from ventanilla.consent.models import Consent
from ventanilla.consent.services import consent_record
from ventanilla.interactions.models import Interaction, InteractionAttachment
from ventanilla.interactions.services import attachment_add, interaction_record
from ventanilla.parties.models import Party

pytestmark = pytest.mark.django_db

ROLES = ["agent", "case_worker", "supervisor", "analyst", "dpo", "administrator"]
FRONT = {"agent", "case_worker", "supervisor", "administrator"}
READERS = FRONT | {"dpo"}
EVERYONE = set(ROLES) | {"anonymous"}

# (method, path) -> roles allowed. Written out by hand on purpose: this is the rule book.
RULES: dict[tuple[str, str], set[str]] = {
    ("get", "/api/v1/parties"): READERS,
    ("post", "/api/v1/parties"): FRONT,
    ("get", "/api/v1/parties/{party_id}"): READERS,
    ("patch", "/api/v1/parties/{party_id}"): FRONT,
    ("get", "/api/v1/parties/{party_id}/360"): READERS,
    ("get", "/api/v1/parties/{party_id}/interactions"): READERS,
    ("post", "/api/v1/interactions"): FRONT,
    ("post", "/api/v1/cases"): FRONT,
    ("get", "/api/v1/cases"): READERS,
    ("get", "/api/v1/cases/{case_id}"): READERS,
    ("get", "/api/v1/catalog/services"): EVERYONE,
    ("get", "/api/v1/catalog/channels"): EVERYONE,
    ("get", "/api/v1/audit/entries"): {"dpo", "administrator"},
    ("post", "/api/v1/parties/{party_id}/consents"): FRONT,
    ("post", "/api/v1/consents/{consent_id}/withdraw"): FRONT,
    ("post", "/api/v1/interactions/{interaction_id}/attachments"): FRONT,
    ("get", "/api/v1/attachments/{attachment_id}"): READERS,
}

PAGES: dict[tuple[str, str], set[str]] = {
    ("get", "/console/?q=ana"): READERS,
    ("get", "/console/parties/{party_id}/"): READERS,
    ("get", "/console/audit/"): {"dpo", "administrator"},
    ("post", "/console/consents/{consent_id}/withdraw/"): FRONT,
}


def api_operations() -> set[tuple[str, str]]:
    paths = api.get_openapi_schema(path_prefix="/api/v1/")["paths"]
    return {(method, path) for path, item in paths.items() for method in item}


def test_every_api_endpoint_has_a_rule() -> None:
    assert api_operations() == set(RULES)


@pytest.fixture
def world(town: Any, service: Any, make_staff: Any, settings: Any, tmp_path: Any) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path
    author = actor_for_user(make_staff("autor", "ayto", "agent"))
    party = make_party(author, given_name="Ana", family_name_1="Ruiz")
    interaction = interaction_record(
        actor=author, party_id=party.pk, channel="desk", summary="Trae un plano"
    )
    attachment = attachment_add(
        actor=author,
        interaction_id=interaction.pk,
        file_name="plano.txt",
        content=io.BytesIO(b"plano"),
        size=5,
    )
    case = case_open(actor=author, party_id=party.pk, service_code=service.code, channel="web")
    consent = consent_record(
        actor=author,
        party_id=party.pk,
        purpose="Ayuda",
        recipient_code="salud",
        data_categories=["income"],
        channel="desk",
    )
    return {
        "party": party,
        "case": case,
        "consent": consent,
        "service": service,
        "interaction": interaction,
        "attachment": attachment,
    }


def body_for(method: str, path: str, world: dict[str, Any]) -> dict[str, Any] | None:
    party_id = str(world["party"].pk)
    bodies: dict[tuple[str, str], dict[str, Any]] = {
        ("post", "/api/v1/parties"): {"given_name": "Eva", "family_name_1": "Gil"},
        ("patch", "/api/v1/parties/{party_id}"): {"family_name_2": "Sanz"},
        ("post", "/api/v1/interactions"): {
            "party_id": party_id,
            "channel": "web",
            "summary": "Consulta",
            "agency": "ayto",
        },
        ("post", "/api/v1/cases"): {
            "party_id": party_id,
            "service": world["service"].code,
            "channel": "web",
        },
        ("post", "/api/v1/parties/{party_id}/consents"): {
            "purpose": "Beca",
            "recipient": "salud",
            "data_categories": ["income"],
            "channel": "desk",
        },
        ("post", "/api/v1/consents/{consent_id}/withdraw"): {},
    }
    return bodies.get((method, path))


def concrete(path: str, world: dict[str, Any]) -> str:
    path = path.replace("{party_id}", str(world["party"].pk))
    path = path.replace("{case_id}", str(world["case"].pk))
    path = path.replace("{consent_id}", str(world["consent"].pk))
    path = path.replace("{interaction_id}", str(world["interaction"].pk))
    path = path.replace("{attachment_id}", str(world["attachment"].pk))
    return path + ("?q=ana" if path == "/api/v1/parties" else "")


def written() -> tuple[int, ...]:
    return (
        Party.objects.count(),
        Interaction.objects.count(),
        Case.objects.count(),
        Consent.objects.filter(withdrawn_at__isnull=True).count(),
        Party.objects.filter(family_name_2="Sanz").count(),
        InteractionAttachment.objects.count(),
    )


def client_for(role: str, make_staff: Any) -> Client:
    client = Client()
    if role != "anonymous":
        make_staff(f"user-{role}", "villanueva", role)
        client.login(username=f"user-{role}", password=PASSWORD)
        client.get("/console/audit/")  # any page sets the CSRF cookie
    return client


def call(client: Client, method: str, url: str, body: dict[str, Any] | None) -> Any:
    token = client.cookies["csrftoken"].value if "csrftoken" in client.cookies else ""
    if method == "get":
        return client.get(url)
    if url.endswith("/attachments"):
        upload = SimpleUploadedFile("nota.txt", b"Nota del ciudadano")
        return client.post(url, {"file": upload}, HTTP_X_CSRFTOKEN=token)
    payload = json.dumps(body or {})
    send = getattr(client, method)
    return send(url, payload, content_type="application/json", HTTP_X_CSRFTOKEN=token)


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
@pytest.mark.parametrize(("method", "path"), sorted(RULES))
def test_the_api_allows_and_refuses_each_role_as_the_rules_say(
    role: str, method: str, path: str, world: dict[str, Any], make_staff: Any
) -> None:
    client = client_for(role, make_staff)
    before = written()

    response = call(client, method, concrete(path, world), body_for(method, path, world))

    if role in RULES[(method, path)]:
        assert response.status_code < 400, response.content
    else:
        assert response.status_code in {401, 403}, response.content
        assert written() == before


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path"), sorted(PAGES))
def test_the_console_allows_and_refuses_each_role_as_the_rules_say(
    role: str, method: str, path: str, world: dict[str, Any], make_staff: Any
) -> None:
    client = client_for(role, make_staff)
    before = written()
    url = path.replace("{party_id}", str(world["party"].pk)).replace(
        "{consent_id}", str(world["consent"].pk)
    )

    response = client.get(url) if method == "get" else client.post(url)

    if role in PAGES[(method, path)]:
        assert response.status_code in {200, 302}, response.content
    else:
        assert response.status_code == 403
        assert written() == before
        assert AuditEntry.objects.filter(action="access.denied").exists()
