"""Every API endpoint and every staff page, called by every role: allowed where the rule says,
refused (403, nothing written) everywhere else. A new endpoint without a rule fails here.
Citizen pages of the portal: only the signed-in citizen; every staff role and anonymous visitors
are sent to the citizen sign-in, and nothing is written or read."""

from __future__ import annotations

import base64
import copy
import functools
import io
import json
import re
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import URLResolver, get_resolver, resolve
from django.utils import timezone

from tests.appointments.conftest import build_office
from tests.appointments.test_services import tomorrow_at
from tests.conftest import PASSWORD, build_service, build_town, portal_client, sign_in
from tests.factories import SIGNED_FORM_PDF, make_party, signed_form
from ventanilla.access.actors import actor_for_user
from ventanilla.access.services import staff_member_ensure
from ventanilla.api.urls import api
from ventanilla.appointments.services import appointment_book
from ventanilla.audit.models import AuditEntry
from ventanilla.budgets.models import Budget
from ventanilla.cases.models import CaseTask
from ventanilla.cases.services import case_open, life_event_open, task_create
from ventanilla.catalog.services import life_event_ensure
from ventanilla.consent.models import Consent
from ventanilla.consent.services import consent_record
from ventanilla.demo.boundaries import write_town_boundaries
from ventanilla.identity.models import MatchModel, MatchReview, SourceRecord
from ventanilla.interactions.services import attachment_add, interaction_record
from ventanilla.loops.models import Loop
from ventanilla.mail.models import InboundMessage
from ventanilla.notices.models import Notice
from ventanilla.notifications.models import Notification, NotificationTemplate
from ventanilla.parties.models import Party
from ventanilla.proposals.models import Proposal
from ventanilla.surveys.models import Survey
from ventanilla.web.portal import appointment_views as portal_appointments
from ventanilla.web.portal import case_views as portal_cases
from ventanilla.web.portal import views as portal

pytestmark = pytest.mark.django_db

ROLES = ["agent", "case_worker", "supervisor", "analyst", "dpo", "administrator"]
FRONT = {"agent", "case_worker", "supervisor", "administrator"}
READERS = FRONT | {"dpo"}
EVERYONE = set(ROLES) | {"anonymous"}

# (method, path) -> roles allowed. Written out by hand on purpose: this is the rule book.
RULES: dict[tuple[str, str], set[str]] = {
    ("get", "/api/v1/parties"): READERS,
    ("post", "/api/v1/parties"): FRONT,
    ("post", "/api/v1/parties/candidates"): READERS,
    ("get", "/api/v1/parties/{party_id}"): READERS,
    ("patch", "/api/v1/parties/{party_id}"): FRONT,
    ("get", "/api/v1/parties/{party_id}/360"): READERS,
    ("get", "/api/v1/parties/{party_id}/interactions"): READERS,
    ("post", "/api/v1/interactions"): FRONT,
    ("post", "/api/v1/batch/contacts"): FRONT,
    ("post", "/api/v1/batch/cases"): FRONT,
    ("get", "/api/v1/analytics/alerts"): {"analyst", "supervisor", "administrator"},
    ("post", "/api/v1/surveys"): {"supervisor", "administrator"},
    ("get", "/api/v1/surveys"): {"analyst", "supervisor", "administrator"},
    ("get", "/api/v1/surveys/{survey_id}/results"): {"analyst", "supervisor", "administrator"},
    ("post", "/api/v1/cases"): FRONT,
    ("get", "/api/v1/cases"): READERS,
    ("get", "/api/v1/cases/{case_id}"): READERS,
    ("post", "/api/v1/cases/{case_id}/transitions"): FRONT,
    ("get", "/api/v1/cases/{case_id}/events"): READERS,
    ("post", "/api/v1/cases/{case_id}/notes"): FRONT,
    ("post", "/api/v1/cases/{case_id}/assignment"): {"supervisor", "administrator"},
    ("post", "/api/v1/cases/{case_id}/transfer"): FRONT,
    ("post", "/api/v1/cases/{case_id}/tasks"): FRONT,
    ("get", "/api/v1/cases/{case_id}/tasks"): READERS,
    ("post", "/api/v1/cases/tasks/{task_id}/outcome"): FRONT,
    ("get", "/api/v1/cases/{case_id}/duplicates"): READERS,
    ("post", "/api/v1/cases/{case_id}/duplicate-of"): FRONT,
    ("post", "/api/v1/life-event-requests"): FRONT,
    ("get", "/api/v1/life-event-requests/{request_id}"): READERS,
    ("get", "/api/v1/catalog/services"): EVERYONE,
    ("get", "/api/v1/catalog/channels"): EVERYONE,
    ("get", "/api/v1/proposals"): EVERYONE,
    ("get", "/api/v1/proposals/{proposal_id}"): EVERYONE,
    ("get", "/api/v1/catalog/knowledge"): set(ROLES),
    ("get", "/api/v1/audit/entries"): {"dpo", "administrator"},
    ("post", "/api/v1/parties/{party_id}/consents"): FRONT,
    ("post", "/api/v1/consents/{consent_id}/withdraw"): FRONT,
    ("post", "/api/v1/parties/{party_id}/sharing-requests"): FRONT,
    ("post", "/api/v1/interactions/{interaction_id}/attachments"): FRONT,
    # A mail gateway's key only (mail:receive): no role delivers email.
    ("post", "/api/v1/mail/messages"): set(),
    ("get", "/api/v1/attachments/{attachment_id}"): READERS,
}

PAGES: dict[tuple[str, str], set[str]] = {
    ("get", "/console/home/"): set(ROLES),
    ("get", "/console/analytics/"): {"analyst", "supervisor", "administrator"},
    ("get", "/console/analytics/alerts/"): {"analyst", "supervisor", "administrator"},
    ("get", "/console/analytics/segments/"): {"analyst", "supervisor", "administrator"},
    ("get", "/console/analytics/associations/"): {"analyst", "supervisor", "administrator"},
    ("get", "/console/analytics/deadline-risk/"): {"analyst", "supervisor", "administrator"},
    ("get", "/console/analytics/districts.geojson"): {"analyst", "supervisor", "administrator"},
    ("get", "/console/desk/"): READERS,
    ("post", "/console/desk/actions/"): FRONT,
    ("get", "/console/?q=ana"): READERS,
    ("get", "/console/parties/{party_id}/"): READERS,
    ("get", "/console/audit/"): {"dpo", "administrator"},
    ("get", "/console/retention/"): {"dpo", "administrator"},
    ("post", "/console/retention/"): {"administrator"},
    ("get", "/console/consents/{consent_id}/withdraw/"): FRONT,
    ("post", "/console/consents/{consent_id}/withdraw/"): FRONT,
    ("get", "/console/parties/{party_id}/sharing/"): FRONT,
    ("get", "/console/parties/{party_id}/consents/new/"): FRONT,
    ("get", "/console/parties/{party_id}/edit/"): FRONT,
    ("post", "/console/parties/{party_id}/edit/"): FRONT,
    ("post", "/console/parties/{party_id}/consents/new/"): FRONT,
    ("post", "/console/parties/{party_id}/sharing/"): FRONT,
    ("get", "/console/parties/{party_id}/merge/"): {"supervisor", "administrator"},
    ("post", "/console/parties/{party_id}/merge/"): {"supervisor", "administrator"},
    ("post", "/console/parties/{party_id}/unmerge/"): {"supervisor", "administrator"},
    ("get", "/console/call-backs/"): FRONT,
    ("get", "/console/mail/"): FRONT,
    ("get", "/console/mail/{message_id}/raw/"): FRONT,
    ("post", "/console/mail/{message_id}/done/"): FRONT,
    ("post", "/console/call-backs/{interaction_id}/"): FRONT,
    ("get", "/console/matches/"): {"supervisor", "administrator"},
    ("get", "/console/matches/{review_id}/"): {"supervisor", "administrator"},
    ("post", "/console/matches/{review_id}/"): {"supervisor", "administrator"},
    ("get", "/console/trust/"): {"supervisor", "administrator"},
    # Other systems' webhooks: the operator of the installation (a superuser) only, no role.
    ("get", "/console/webhooks/"): set(),
    ("post", "/console/webhooks/"): set(),
    ("get", "/console/webhooks/{subscription_id}/"): set(),
    ("post", "/console/webhooks/{subscription_id}/"): set(),
    ("post", "/console/trust/"): {"supervisor", "administrator"},
    ("get", "/console/cases/"): READERS,
    ("get", "/console/cases/new/"): FRONT,
    ("get", "/console/parties/new/"): FRONT,
    ("post", "/console/parties/new/"): FRONT,
    ("get", "/console/parties/{party_id}/contacts/new/"): FRONT,
    ("post", "/console/parties/{party_id}/contacts/new/"): FRONT,
    ("get", "/console/parties/{party_id}/knowledge/"): FRONT,
    ("get", "/console/parties/{party_id}/cases/new/"): FRONT,
    ("post", "/console/parties/{party_id}/cases/new/"): FRONT,
    ("get", "/console/parties/{party_id}/appointments/new/"): FRONT,
    ("post", "/console/parties/{party_id}/appointments/new/"): FRONT,
    ("get", "/console/inbox/"): FRONT,
    ("get", "/console/messages/"): {"supervisor", "administrator"},
    ("get", "/console/messages/{template_id}/"): {"supervisor", "administrator"},
    ("post", "/console/messages/{template_id}/"): {"supervisor", "administrator"},
    ("get", "/console/messages/undelivered/"): {"supervisor", "administrator"},
    ("post", "/console/messages/undelivered/{notification_id}/resend/"): {
        "supervisor",
        "administrator",
    },
    ("get", "/console/proposals/"): {"supervisor", "administrator"},
    ("get", "/console/proposals/{proposal_id}/"): {"supervisor", "administrator"},
    ("post", "/console/proposals/{proposal_id}/"): {"supervisor", "administrator"},
    ("get", "/console/surveys/"): {"analyst", "supervisor", "administrator"},
    ("get", "/console/surveys/{survey_id}/"): {"analyst", "supervisor", "administrator"},
    ("get", "/console/surveys/{survey_id}/results.csv"): {"analyst", "supervisor", "administrator"},
    ("get", "/console/loops/"): {"supervisor", "administrator"},
    ("get", "/console/loops/new/"): {"supervisor", "administrator"},
    ("get", "/console/loops/{loop_id}/"): {"supervisor", "administrator"},
    ("get", "/console/moderation/"): {"supervisor", "administrator"},
    ("post", "/console/moderation/"): {"supervisor", "administrator"},
    ("get", "/console/debates/new/"): {"supervisor", "administrator"},
    ("post", "/console/debates/new/"): {"supervisor", "administrator"},
    ("get", "/console/budgets/"): {"supervisor", "administrator"},
    ("get", "/console/budgets/{budget_id}/"): {"supervisor", "administrator"},
    ("post", "/console/budgets/{budget_id}/"): {"supervisor", "administrator"},
    ("get", "/console/notices/"): {"supervisor", "administrator"},
    ("get", "/console/notices/new/"): {"supervisor", "administrator"},
    ("post", "/console/notices/new/"): {"supervisor", "administrator"},
    ("get", "/console/notices/{notice_id}/"): {"supervisor", "administrator"},
    ("post", "/console/notices/{notice_id}/"): {"supervisor", "administrator"},
    ("post", "/console/cases/assign/"): FRONT,
    ("get", "/console/cases/{reference}/"): READERS,
    ("post", "/console/cases/{reference}/step/"): FRONT,
    ("post", "/console/cases/{reference}/notes/"): FRONT,
    ("post", "/console/cases/{reference}/documents/"): FRONT,
    ("post", "/console/cases/{reference}/assign/"): FRONT,
    ("post", "/console/cases/{reference}/transfer/"): FRONT,
    ("post", "/console/cases/{reference}/service/"): FRONT,
    ("post", "/console/cases/{reference}/tasks/"): FRONT,
    ("post", "/console/cases/{reference}/tasks/{task_id}/finish/"): FRONT,
    ("post", "/console/cases/{reference}/duplicate/"): FRONT,
    ("get", "/accounts/password/"): set(ROLES),
    ("get", "/accounts/second-factor/"): set(ROLES),
    ("get", "/accounts/second-factor/recovery-codes/"): set(ROLES),
}
# Staff who ask another agency for data must belong to an agency that does not hold it already.
ASKING_AGENCY = "ayto"


# Citizen pages: who reaches them as a citizen. Staff sessions never count as citizens.
PORTAL_PAGES: dict[tuple[str, str], set[str]] = {
    ("get", "/portal/me/"): {"citizen"},
    ("get", "/portal/me/disclosures/"): {"citizen"},
    ("get", "/portal/me/consents/new/"): {"citizen"},
    ("post", "/portal/me/consents/new/"): {"citizen"},
    ("get", "/portal/me/consents/{consent_id}/withdraw/"): {"citizen"},
    ("post", "/portal/me/consents/{consent_id}/withdraw/"): {"citizen"},
    ("get", "/portal/me/my-data.json"): {"citizen"},
    ("get", "/portal/me/my-data.html"): {"citizen"},
    ("get", "/portal/me/my-data.zip"): {"citizen"},
    ("get", "/portal/me/appointments/"): {"citizen"},
    ("get", "/portal/me/appointments/new/"): {"citizen"},
    ("post", "/portal/me/appointments/new/"): {"citizen"},
    ("get", "/portal/me/appointments/{appointment_reference}/"): {"citizen"},
    ("get", "/portal/me/appointments/{appointment_reference}/move/"): {"citizen"},
    ("post", "/portal/me/appointments/{appointment_reference}/move/"): {"citizen"},
    ("post", "/portal/me/appointments/{appointment_reference}/cancel/"): {"citizen"},
    ("get", "/portal/me/cases/"): {"citizen"},
    ("get", "/portal/me/cases/{reference}/"): {"citizen"},
    ("post", "/portal/me/cases/{reference}/message/"): {"citizen"},
    ("get", "/portal/me/cases/{reference}/cancel/"): {"citizen"},
    ("post", "/portal/me/cases/{reference}/cancel/"): {"citizen"},
    ("get", "/portal/me/cases/{reference}/satisfaction/"): {"citizen"},
    ("post", "/portal/me/cases/{reference}/satisfaction/"): {"citizen"},
    ("get", "/portal/me/life-events/{request_id}/"): {"citizen"},
    ("get", "/portal/services/"): {"citizen"},
    ("get", "/portal/services/{service_code}/request/"): {"citizen"},
    ("post", "/portal/services/{service_code}/request/"): {"citizen"},
    ("get", "/portal/life-events/{life_event_code}/"): {"citizen"},
    ("post", "/portal/life-events/{life_event_code}/"): {"citizen"},
}


def portal_url(path: str, world: dict[str, Any]) -> str:
    return (
        path.replace("{appointment_reference}", world["appointment"].reference)
        .replace("{consent_id}", str(world["consent"].pk))
        .replace("{reference}", world["case"].reference)
        .replace("{request_id}", str(world["life_event_request"].pk))
        .replace("{service_code}", world["service"].code)
        .replace("{life_event_code}", world["life_event_request"].life_event.code)
    )


def api_operations() -> set[tuple[str, str]]:
    paths = api.get_openapi_schema(path_prefix="/api/v1/")["paths"]
    return {(method, path) for path, item in paths.items() for method in item}


def test_every_api_endpoint_has_a_rule() -> None:
    assert api_operations() == set(RULES)


def console_routes() -> set[str]:
    """Every staff page's path, with its parameters written as {name}."""

    def walk(patterns: list[Any], prefix: str) -> set[str]:
        found: set[str] = set()
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                found |= walk(pattern.url_patterns, route)
            elif route.startswith("console/"):
                found.add("/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route))
        return found

    return walk(get_resolver().url_patterns, "")


def test_every_staff_page_has_a_rule() -> None:
    ruled = {path.split("?")[0] for _method, path in PAGES}
    assert console_routes() == {path for path in ruled if path.startswith("/console/")}


def build_world() -> dict[str, Any]:
    """A party with cases, a task, life-event requests, consents and a document, and the town."""
    town = build_town()
    service = build_service(town)
    staff = staff_member_ensure(
        username="autor", password=PASSWORD, agency_code="ayto", role="agent"
    )
    author = actor_for_user(staff.user)
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
    case = case_open(
        actor=author,
        party_id=party.pk,
        service_code=service.code,
        channel="web",
        location_text="Calle Mayor 1",
    )
    earlier = case_open(
        actor=author,
        party_id=party.pk,
        service_code=service.code,
        channel="web",
        location_text="Calle Mayor 1",
    )
    task = task_create(actor=author, case_id=case.pk, department_code="padron", title="Informe")
    original = earlier
    event = life_event_ensure(code="obras", kind="life", name_es="Obras", name_en="Works")
    service.life_events.add(event)
    request = life_event_open(
        actor=author, party_id=party.pk, life_event_code="obras", channel="desk"
    )
    consent = consent_record(
        actor=author,
        party_id=party.pk,
        purpose="Ayuda",
        recipient_code="salud",
        data_categories=["income"],
        channel="desk",
        evidence=signed_form(),
    )
    consent_record(
        actor=author,
        party_id=party.pk,
        purpose="Bonificación del IBI",
        recipient_code=ASKING_AGENCY,
        data_categories=["income"],
        channel="desk",
        evidence=signed_form(),
    )
    moving = life_event_ensure(
        code="cambio-domicilio", kind="life", name_es="Cambio de domicilio", name_en="Moving"
    )
    service.life_events.add(moving)
    life_event_request = life_event_open(
        actor=author, party_id=party.pk, life_event_code=moving.code, channel="desk"
    )
    stray = SourceRecord.objects.create(
        agency=town["salud"], source_key="S-1", given_name="Ana", family_name_1="Ruiz"
    )
    review = MatchReview.objects.create(
        record=stray,
        party=party,
        model=MatchModel.objects.create(version=1, settings={}),
        probability=0.7,
    )
    office = build_office(town, service)
    appointment = appointment_book(
        actor=author,
        party_id=party.pk,
        office_id=office.pk,
        service_code=service.code,
        start=tomorrow_at(10),
    )
    return {
        "town": town,
        "appointment": appointment,
        "party": party,
        "review": review,
        "case": case,
        "original": original,
        "task": task,
        "request": request,
        "life_event_request": life_event_request,
        "consent": consent,
        "service": service,
        "interaction": interaction,
        "attachment": attachment,
        "earlier": earlier,
        "duplicate": make_party(author),
        "notice": Notice.objects.create(
            agency=town["ayto"],
            topic="works",
            title_es="Corte de agua",
            body_es="Mañana no habrá agua.",
            created_by_label="autor",
        ),
        "budget": Budget.objects.create(agency=town["ayto"], title_es="Presupuestos", year=2027),
        "proposal": Proposal.objects.create(
            agency=town["ayto"], title="Bancos", summary="Más bancos en la plaza.", author=party
        ),
        "survey": Survey.objects.create(
            agency=town["ayto"],
            title_es="Parques",
            opens_at=timezone.now() - timedelta(days=1),
            closes_at=timezone.now() + timedelta(days=1),
        ),
        # The complaints about the service, turned into a consultation.
        "loop": Loop.objects.create(
            agency=town["ayto"],
            survey=Survey.objects.get(title_es="Parques"),
            service=service,
            since=timezone.localdate(),
            until=timezone.localdate(),
            opened_by_label="supervisora",
        ),
        # An email recorded on the person's history that waits for someone to place it.
        "mail": InboundMessage.objects.create(
            interaction=interaction,
            sha256="0" * 64,
            raw=b"From: vecina@example.es\r\nSubject: Farola\r\n\r\nHola",
            source="gateway",
            state=InboundMessage.State.NEEDS_PERSON,
            reason="No se pudo leer.",
        ),
    }


@pytest.fixture(scope="module")
def built_world(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """The world is built once for the module, in a transaction rolled back at its end; each test
    runs in a savepoint inside it (as Django's setUpTestData), so no test sees another's writes."""
    media = tmp_path_factory.mktemp("matrix-uploads")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture
def world(db: None, built_world: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(built_world)  # a test may change its copies of the rows


@pytest.fixture
def town(world: dict[str, Any]) -> dict[str, Any]:
    """The world's town, for make_staff: already there, not made again for each test."""
    return world["town"]


CONSENT_FORM = {
    "purpose": "Beca de comedor",
    "recipient": "salud",
    "data_categories": ["income"],
    "legal_basis": "consent",
    "channel": "desk",
}
WITHDRAW_FORM = {"instruction": "En ventanilla, con el DNI a la vista", "channel": "desk"}
EDIT_FORM = {
    "given_name": "Ana",
    "family_name_1": "Ruiz",
    "family_name_2": "Sanz",
    "preferred_language": "es",
}
PERSON_FORM = {"given_name": "Eva", "family_name_1": "Gil", "preferred_language": "es"}
CONTACT_FORM = {
    "channel": "phone",
    "direction": "inbound",
    "kind": "question",
    "summary": "Pregunta por el horario",
    "minutes": "2",
    "seconds": "10",
    "outcome": "answered",
}
SHARING_BODY = {
    "holder": "salud",
    "purpose": "Bonificación del IBI por renta",
    "data_categories": ["income"],
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
        ("post", "/api/v1/batch/contacts"): {
            "items": [
                {"external_id": "crm-1", "party_id": party_id, "channel": "web", "summary": "Hola"}
            ]
        },
        ("post", "/api/v1/batch/cases"): {
            "items": [
                {
                    "external_id": "exp-1",
                    "party_id": party_id,
                    "service": world["service"].code,
                    "channel": "web",
                }
            ]
        },
        ("post", "/api/v1/surveys"): {
            "agency": "ayto",
            "title_es": "Aceras",
            "opens_at": "2026-01-01T09:00:00+01:00",
            "closes_at": "2026-02-01T09:00:00+01:00",
            "questions": [{"kind": "text", "text_es": "¿Qué mejoraría?"}],
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
            "evidence": {
                "file_name": "firma.pdf",
                "content_base64": base64.b64encode(SIGNED_FORM_PDF).decode(),
            },
        },
        ("post", "/api/v1/consents/{consent_id}/withdraw"): WITHDRAW_FORM,
        ("post", "/api/v1/parties/{party_id}/sharing-requests"): SHARING_BODY,
        ("post", "/api/v1/cases/{case_id}/transitions"): {"action": "accept", "version": 1},
        ("post", "/api/v1/cases/{case_id}/notes"): {"text": "Llamó para preguntar"},
        ("post", "/api/v1/cases/{case_id}/assignment"): {"assignee": "autor", "version": 1},
        ("post", "/api/v1/cases/{case_id}/transfer"): {
            "department": "padron",
            "reason": "Es un trámite del padrón",
            "version": 1,
        },
        ("post", "/api/v1/cases/{case_id}/tasks"): {
            "department": "padron",
            "title": "Comprobar el domicilio",
        },
        ("post", "/api/v1/cases/tasks/{task_id}/outcome"): {"outcome": "done"},
        ("post", "/api/v1/cases/{case_id}/duplicate-of"): {
            "original": world["original"].reference,
            "version": 1,
        },
        ("post", "/api/v1/life-event-requests"): {
            "party_id": party_id,
            "life_event": "obras",
            "channel": "desk",
        },
    }
    return bodies.get((method, path))


def concrete(path: str, world: dict[str, Any]) -> str:
    path = path.replace("{party_id}", str(world["party"].pk))
    path = path.replace("{case_id}", str(world["case"].pk))
    path = path.replace("{consent_id}", str(world["consent"].pk))
    path = path.replace("{interaction_id}", str(world["interaction"].pk))
    path = path.replace("{attachment_id}", str(world["attachment"].pk))
    path = path.replace("{task_id}", str(world["task"].pk))
    path = path.replace("{request_id}", str(world["request"].pk))
    path = path.replace("{survey_id}", str(world["survey"].pk))
    path = path.replace("{proposal_id}", str(world["proposal"].pk))
    query = {"/api/v1/parties": "?q=ana", "/api/v1/analytics/alerts": "?since=2026-01-01"}
    return path + query.get(path, "")


def case_forms(world: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A valid form for each case page that takes one, keyed by the end of its path."""
    case = world["case"]
    return {
        "/step/": {"action": "accept", "version": case.version},
        "/notes/": {"text": "Llamada del ciudadano"},
        "/cases/assign/": {
            "case": [str(case.pk)],
            f"version-{case.pk}": case.version,
            "assignee": "me",
        },
        "/assign/": {"assignee": "me", "version": case.version},
        "/transfer/": {"department": "padron", "reason": "Es del padrón", "version": case.version},
        "/service/": {"service": case.service.code, "version": case.version},
        "/tasks/": {"department": "padron", "title": "Certificado", "due_in_days": 5},
        "/finish/": {"outcome": "done", "result": "Hecho"},
        "/duplicate/": {"original": str(world["earlier"].pk), "version": case.version},
        "/documents/": {"file": SimpleUploadedFile("informe.txt", b"Informe de la inspeccion")},
    }


@functools.cache
def counted_tables() -> tuple[str, ...]:
    """Every table but two that a refused call writes by design: the audit log records the
    refusal (and what the caller was allowed to read first), and a visitor sent to the sign-in
    gets a session remembering the page they asked for."""
    skipped = {model._meta.db_table for model in apps.get_app_config("audit").get_models()}
    skipped.add(Session._meta.db_table)
    return tuple(sorted(set(connection.introspection.table_names()) - skipped))


@functools.cache
def count_rows() -> str:
    """One query counting the rows of every counted table."""
    quote = connection.ops.quote_name
    # The table names come from the database itself, never from input.
    counts = (f"(SELECT COUNT(*) FROM {quote(table)})" for table in counted_tables())  # noqa: S608
    return "SELECT " + ", ".join(counts)


def written() -> dict[str, int]:
    """What a call may have written: the rows of every table, and the fields the refused changes
    would set in rows that already exist."""
    with connection.cursor() as cursor:
        cursor.execute(count_rows())
        rows = dict(zip(counted_tables(), cursor.fetchone(), strict=True))
    return {
        **rows,
        "consents withdrawn": Consent.objects.filter(withdrawn_at__isnull=False).count(),
        "parties edited": Party.objects.filter(family_name_2="Sanz").count(),
        "tasks finished": CaseTask.objects.exclude(status="open").count(),
        "messages resent": Notification.objects.filter(resent_at__isnull=False).count(),
    }


def given_up_message(world: dict[str, Any]) -> str:
    """A message about the world's case that was given up after days of retrying."""
    row = Notification.objects.filter(case=world["case"]).order_by("medium").first()
    assert row is not None
    Notification.objects.filter(pk=row.pk).update(status="failed", attempts=45)
    return str(row.pk)


def client_for(role: str, make_staff: Any, agency: str = "villanueva") -> Client:
    client = Client()
    if role != "anonymous":
        sign_in(client, make_staff(f"user-{role}", agency, role))
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
    client = client_for(role, make_staff, ASKING_AGENCY if "sharing" in path else "villanueva")
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
    role: str,
    method: str,
    path: str,
    world: dict[str, Any],
    make_staff: Any,
    settings: Any,
    tmp_path: Path,
) -> None:
    if path.endswith("districts.geojson"):  # the map's boundaries, there to be refused or read
        settings.VENTANILLA_DISTRICTS_GEOJSON = tmp_path / "districts.geojson"
        write_town_boundaries(settings.VENTANILLA_DISTRICTS_GEOJSON)
    client = client_for(role, make_staff, ASKING_AGENCY if "sharing" in path else "villanueva")
    before = written()
    url = (
        path.replace("{party_id}", str(world["party"].pk))
        .replace("{consent_id}", str(world["consent"].pk))
        .replace("{reference}", world["case"].reference)
        .replace("{task_id}", str(world["task"].pk))
        .replace("{template_id}", str(NotificationTemplate.objects.order_by("event").first().pk))
        .replace("{notification_id}", given_up_message(world))
        .replace("{review_id}", str(world["review"].pk))
        .replace("{interaction_id}", str(uuid.uuid4()))
        .replace("{subscription_id}", str(uuid.uuid4()))
        .replace("{message_id}", str(world["mail"].pk))
        .replace("{notice_id}", str(world["notice"].pk))
        .replace("{survey_id}", str(world["survey"].pk))
        .replace("{loop_id}", str(world["loop"].pk))
        .replace("{budget_id}", str(world["budget"].pk))
        .replace("{proposal_id}", str(world["proposal"].pk))
    )
    signed = SimpleUploadedFile("firma.pdf", SIGNED_FORM_PDF)
    forms = {
        "sharing": SHARING_BODY,
        "consents/new": {**CONSENT_FORM, "evidence": signed},
        "withdraw": WITHDRAW_FORM,
        "edit": EDIT_FORM,
        "parties/new": PERSON_FORM,
        "contacts/new": CONTACT_FORM,
        "cases/new": {"service": world["service"].code, "channel": "desk"},
        "/merge/": {"other": str(world["duplicate"].pk), "reason": "El mismo DNI"},
        "/matches/": {"decision": "different"},
        "/call-backs/": {"result": "answered"},
        "/debates/new/": {"agency": "ayto", "title": "Calle Mayor", "body": "¿Peatonal?"},
        "/notices/": {
            "agency": "ayto",
            "topic": "works",
            "kind": "notice",
            "title_es": "Corte de agua",
            "body_es": "Mañana no habrá agua.",
        },
        "/proposals/": {"action": "answer", "decision": "accepted", "text": "Se hará."},
        "appointments/new": {
            "what": world["appointment"].office.services.get().pk,
            "start": tomorrow_at(11).isoformat(),
        },
    }
    form = next((body for part, body in forms.items() if part in path), {})
    if path.startswith("/console/cases/"):
        form = next((body for end, body in case_forms(world).items() if path.endswith(end)), {})

    response = client.get(url) if method == "get" else client.post(url, form)

    if role in PAGES[(method, path)]:
        assert response.status_code in {200, 302}, response.content
    else:
        assert response.status_code == 403
        assert written() == before
        assert AuditEntry.objects.filter(action="access.denied").exists()


def test_every_citizen_page_has_a_rule() -> None:
    citizen_views = {
        view
        for module in (portal, portal_cases, portal_appointments)
        for view in vars(module).values()
        if getattr(view, "citizen_only", False)
    }
    some_id = "00000000-0000-0000-0000-000000000000"
    covered = {
        resolve(re.sub(r"\{\w+_id\}", some_id, path).replace("{", "").replace("}", "")).func
        for _m, path in PORTAL_PAGES
    }

    assert covered == citizen_views


def citizen_client(party: Party) -> Client:
    client = portal_client(party, language="es")
    client.get("/portal/")  # sets the CSRF cookie
    return client


@pytest.mark.parametrize("role", [*ROLES, "anonymous", "citizen"])
@pytest.mark.parametrize(("method", "path"), sorted(PORTAL_PAGES))
def test_citizen_pages_are_the_citizens_alone(
    role: str, method: str, path: str, world: dict[str, Any], make_staff: Any
) -> None:
    client = citizen_client(world["party"]) if role == "citizen" else client_for(role, make_staff)
    before = written()
    entries = AuditEntry.objects.count()
    url = portal_url(path, world)

    response = call(client, method, url, None) if method == "post" else client.get(url)

    if role in PORTAL_PAGES[(method, path)]:
        # A form posted empty is refused with its errors (422), not with an error page.
        assert response.status_code in {200, 302, 422}, response.content
        assert response.get("Location", "") != "/portal/sign-in/"
    else:
        assert response.status_code == 302
        assert response["Location"] == "/portal/sign-in/"
        assert written() == before
        assert AuditEntry.objects.count() == entries
