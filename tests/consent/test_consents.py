"""Consents: given by the person at a desk (signed document kept, clerk named) or in the portal,
shown in the 360° view, withdrawn with effect at once, every step in the audit log and told to the
person. An agency never opens another's data on its own word."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tests.conftest import portal_client, sign_in
from tests.factories import SIGNED_FORM_PDF, make_party, signed_form
from ventanilla.access.actors import Actor, actor_for_citizen, actor_for_user
from ventanilla.audit.models import AuditEntry
from ventanilla.consent.models import Consent, GivenBy
from ventanilla.consent.services import consent_give, consent_record
from ventanilla.notifications.models import Notification
from ventanilla.parties.services import ContactPointInput

pytestmark = pytest.mark.django_db


def post(client: Client, path: str, body: Any = None) -> Any:
    return client.post(path, json.dumps(body or {}), content_type="application/json")


EVIDENCE = {
    "file_name": "consentimiento-firmado.pdf",
    "content_base64": base64.b64encode(SIGNED_FORM_PDF).decode(),
}
CONSENT = {
    "purpose": "Ayuda al alquiler joven",
    "recipient": "salud",
    "data_categories": ["income", "address"],
    "channel": "desk",
    "evidence": EVIDENCE,
}
WITHDRAWAL = {"instruction": "En ventanilla, identidad comprobada con el DNI", "channel": "desk"}


def person(actor: Actor) -> Any:
    return make_party(
        actor,
        contact_points=[ContactPointInput(kind="email", value="lucia@example.org")],
        preferred_language="es",
    )


def staff_api(user: Any) -> Client:
    return sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), user)


def test_a_desk_consent_is_recorded_with_the_signed_document_and_shown_in_the_360_view(
    agent_user: Any, actor: Actor
) -> None:
    party = person(actor)
    client = staff_api(agent_user)
    expires = (timezone.now() + timedelta(days=365)).isoformat()

    response = post(
        client, f"/api/v1/parties/{party.pk}/consents", {**CONSENT, "expires_at": expires}
    )
    view = client.get(f"/api/v1/parties/{party.pk}/360").json()

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["recorded_by"], body["given_by"], body["has_evidence"]) == (
        "agente",
        "desk",
        True,
    )
    consent = Consent.objects.get()
    assert consent.evidence_file.read() == SIGNED_FORM_PDF
    assert view["other_consents"] == 1  # given to the health agency, not to the town hall
    assert AuditEntry.objects.filter(action="consent.record", party_id=party.pk).exists()


def test_the_person_is_told_of_a_consent_recorded_in_their_name(actor: Actor) -> None:
    party = person(actor)

    consent_record(
        actor=actor,
        party_id=party.pk,
        purpose="Ayuda al alquiler joven",
        recipient_code="salud",
        data_categories=["income"],
        channel="desk",
        evidence=signed_form(),
    )

    message = Notification.objects.get(party=party, medium="email")
    assert message.event == "consent_recorded"
    assert message.recipient == "lucia@example.org"
    assert "Servicio de Salud: Ayuda al alquiler joven (Renta)" in message.body
    assert "/portal/me/" in message.body


def test_an_api_key_cannot_record_a_consent_for_its_own_agency(api: Client, actor: Actor) -> None:
    party = make_party(actor)

    response = post(api, f"/api/v1/parties/{party.pk}/consents", {**CONSENT, "recipient": "ayto"})

    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert not Consent.objects.exists()
    assert AuditEntry.objects.filter(action="access.denied", party_id=party.pk).exists()


def test_a_consent_without_the_signed_document_is_refused(agent_user: Any, actor: Actor) -> None:
    party = make_party(actor)
    body = {key: value for key, value in CONSENT.items() if key != "evidence"}

    response = post(staff_api(agent_user), f"/api/v1/parties/{party.pk}/consents", body)

    assert response.status_code == 422
    assert "evidence" in [error["field"] for error in response.json()["errors"]]
    assert not Consent.objects.exists()


def test_a_document_that_is_not_one_is_refused_and_nothing_kept(
    agent_user: Any, actor: Actor
) -> None:
    party = make_party(actor)
    fake = {"file_name": "firma.pdf", "content_base64": base64.b64encode(b"MZ\x90\x00").decode()}

    response = post(
        staff_api(agent_user), f"/api/v1/parties/{party.pk}/consents", {**CONSENT, "evidence": fake}
    )

    assert response.status_code in (415, 422)
    assert not Consent.objects.exists()


@pytest.mark.parametrize("basis", ["public_task", "legal_obligation"])
def test_health_data_are_never_recorded_on_another_basis(
    agent_user: Any, actor: Actor, basis: str
) -> None:
    party = make_party(actor)
    body = {**CONSENT, "recipient": "ayto", "legal_basis": basis, "data_categories": ["health"]}

    response = post(staff_api(agent_user), f"/api/v1/parties/{party.pk}/consents", body)

    assert response.status_code == 422
    assert "data_categories" in [error["field"] for error in response.json()["errors"]]
    assert not Consent.objects.exists()


def test_another_basis_names_only_the_recording_agency(agent_user: Any, actor: Actor) -> None:
    party = make_party(actor)
    body = {**CONSENT, "recipient": "salud", "legal_basis": "public_task"}

    response = post(staff_api(agent_user), f"/api/v1/parties/{party.pk}/consents", body)

    assert response.status_code == 422
    assert "recipient" in [error["field"] for error in response.json()["errors"]]


def test_health_data_by_consent_need_it_to_be_explicit(agent_user: Any, actor: Actor) -> None:
    party = make_party(actor)
    body = {**CONSENT, "data_categories": ["health"]}
    client = staff_api(agent_user)

    refused = post(client, f"/api/v1/parties/{party.pk}/consents", body)
    accepted = post(client, f"/api/v1/parties/{party.pk}/consents", {**body, "explicit": True})

    assert refused.status_code == 422
    assert "explicit" in [error["field"] for error in refused.json()["errors"]]
    assert accepted.status_code == 201 and accepted.json()["explicit"] is True


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"recipient": "nowhere"}, "recipient"),
        ({"data_categories": ["shoe-size"]}, "data_categories"),
        ({"data_categories": []}, "data_categories"),
        ({"legal_basis": "whim"}, "legal_basis"),
        ({"expires_at": "2001-01-01T00:00:00Z"}, "expires_at"),
        ({"expires_at": "2999-12-31T23:59:59Z"}, "expires_at"),
        ({"purpose": ""}, "purpose"),
    ],
)
def test_a_bad_consent_names_the_field_and_writes_nothing(
    agent_user: Any, actor: Actor, change: dict[str, Any], field: str
) -> None:
    party = make_party(actor)

    response = post(
        staff_api(agent_user), f"/api/v1/parties/{party.pk}/consents", {**CONSENT, **change}
    )

    assert response.status_code == 422, response.content
    assert field in [error["field"] for error in response.json()["errors"]]
    assert not Consent.objects.exists()


def test_a_withdrawal_on_the_persons_instruction_takes_effect_at_once_and_is_told(
    make_staff: Any, actor: Actor
) -> None:
    party = person(actor)
    nurse = make_staff("enfermera", "salud", "agent")
    consent = consent_record(
        actor=actor_for_user(nurse),
        party_id=party.pk,
        purpose="Coordinación sociosanitaria",
        recipient_code="salud",
        data_categories=["cases"],
        channel="desk",
        evidence=signed_form(),
    )
    client = staff_api(nurse)

    first = post(client, f"/api/v1/consents/{consent.pk}/withdraw", WITHDRAWAL)
    second = post(client, f"/api/v1/consents/{consent.pk}/withdraw", WITHDRAWAL)

    assert first.status_code == 200, first.content
    consent.refresh_from_db()
    assert not consent.in_force(timezone.now())
    assert consent.withdrawal_evidence.startswith("desk: En ventanilla")
    assert second.status_code == 409
    assert AuditEntry.objects.filter(action="consent.withdraw").count() == 1
    assert Notification.objects.filter(party=party, event="consent_withdrawn").exists()


def test_a_withdrawal_without_the_persons_instruction_is_refused(
    make_staff: Any, actor: Actor
) -> None:
    party = make_party(actor)
    nurse = make_staff("enfermera", "salud", "agent")
    consent = consent_record(
        actor=actor_for_user(nurse),
        party_id=party.pk,
        purpose="Coordinación sociosanitaria",
        recipient_code="salud",
        data_categories=["cases"],
        channel="desk",
        evidence=signed_form(),
    )

    response = post(
        staff_api(nurse),
        f"/api/v1/consents/{consent.pk}/withdraw",
        {"instruction": "x", "channel": "desk"},
    )

    assert response.status_code == 422
    assert "instruction" in [error["field"] for error in response.json()["errors"]]
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


def test_one_agency_cannot_withdraw_a_consent_given_to_another(
    agent_user: Any, actor: Actor
) -> None:
    party = make_party(actor)
    consent = consent_record(
        actor=actor,
        party_id=party.pk,
        purpose="Coordinación sociosanitaria",
        recipient_code="salud",
        data_categories=["cases"],
        channel="desk",
        evidence=signed_form(),
    )
    client = staff_api(agent_user)  # the town hall's agent recorded it, for the health agency

    api_answer = post(client, f"/api/v1/consents/{consent.pk}/withdraw", WITHDRAWAL)
    page = client.post(f"/console/consents/{consent.pk}/withdraw/", WITHDRAWAL)

    assert api_answer.status_code == 403
    assert page.status_code == 404
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


def test_staff_withdraw_a_consent_of_their_agency_from_the_360_page(
    agent_user: Any, actor: Actor
) -> None:
    party = make_party(actor)
    consent = consent_record(
        actor=actor,
        party_id=party.pk,
        purpose="Bonificación del IBI",
        recipient_code="ayto",
        data_categories=["income"],
        channel="desk",
        evidence=signed_form(),
    )
    client = staff_api(agent_user)

    page = client.get(f"/console/parties/{party.pk}/").content.decode()
    form = client.get(f"/console/consents/{consent.pk}/withdraw/").content.decode()
    refused = client.post(f"/console/consents/{consent.pk}/withdraw/", {"channel": "desk"})
    response = client.post(f"/console/consents/{consent.pk}/withdraw/", WITHDRAWAL, follow=True)

    assert "Bonificación del IBI" in page and f"/console/consents/{consent.pk}/withdraw/" in page
    assert "How the person asked" in form
    assert refused.status_code == 422 and 'id="instruction-error"' in refused.content.decode()
    assert "The consent was withdrawn." in response.content.decode()
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None


def test_other_agencies_consent_purposes_are_not_shown_to_staff(
    agent_user: Any, make_staff: Any
) -> None:
    nurse = actor_for_user(make_staff("enfermera", "salud", "agent"))
    party = make_party(nurse)
    consent_record(
        actor=nurse,
        party_id=party.pk,
        purpose="Seguimiento de la diabetes",
        recipient_code="salud",
        data_categories=["cases"],
        channel="desk",
        evidence=signed_form(),
    )
    client = staff_api(agent_user)

    page = client.get(f"/console/parties/{party.pk}/").content.decode()
    view = client.get(f"/api/v1/parties/{party.pk}/360").json()

    assert "Seguimiento de la diabetes" not in page
    assert "1 more consent was given to another agency" in page.replace("One more", "1 more")
    assert view["consents"] == [] and view["other_consents"] == 1


def test_at_the_desk_an_agent_records_a_consent_with_the_signed_document(
    actor: Actor, agent_user: Any
) -> None:
    party = make_party(actor)
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), agent_user)
    url = f"/console/parties/{party.pk}/consents/new/"

    form = client.get(url)
    response = client.post(
        url,
        {
            "purpose": "Ayuda al alquiler joven",
            "recipient": "ayto",
            "data_categories": ["income", "address"],
            "legal_basis": "consent",
            "channel": "desk",
            "expires": "2030-12-31",
            "evidence": SimpleUploadedFile("firmado.pdf", SIGNED_FORM_PDF, "application/pdf"),
        },
    )

    assert form.status_code == 200 and "Document the person signed" in form.content.decode()
    assert response.status_code == 302, response.content.decode()[:2000]
    consent = Consent.objects.get(party=party)
    assert (consent.given_by, consent.recorded_by_label) == (GivenBy.DESK, "agente")
    assert consent.evidence_name == "firmado.pdf"
    assert timezone.localtime(consent.expires_at).date().isoformat() == "2030-12-31"
    page = client.get(f"/console/parties/{party.pk}/").content.decode()
    assert "Ayuda al alquiler joven" in page and "Income" in page


def test_at_the_desk_a_bad_consent_form_says_what_to_fix_and_records_nothing(
    actor: Actor, agent_user: Any
) -> None:
    party = make_party(actor)
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="es"), agent_user)

    response = client.post(
        f"/console/parties/{party.pk}/consents/new/",
        {
            "purpose": "",
            "recipient": "salud",
            "legal_basis": "consent",
            "channel": "desk",
            "expires": "2001-01-01",
        },
    )

    body = response.content.decode()
    assert response.status_code == 422
    assert 'id="purpose-error"' in body and 'id="categories-error"' in body
    assert 'id="expires-error"' in body and 'id="evidence-error"' in body
    assert "Adjunte el documento" in body
    assert not Consent.objects.filter(party=party).exists()


def test_the_person_gives_a_consent_in_the_portal_and_it_opens_their_cases(
    actor: Actor, make_staff: Any, service: Any
) -> None:
    from ventanilla.cases.services import case_open

    party = person(actor)
    case_open(actor=actor, party_id=party.pk, service_code=service.code, channel="desk")
    nurse = actor_for_user(make_staff("enfermera", "salud", "agent"))
    client = portal_client(party)

    form = client.get("/portal/me/consents/new/")
    response = client.post(
        "/portal/me/consents/new/",
        {"recipient": "salud", "purpose": "Informe social", "data_categories": ["cases"]},
    )

    assert form.status_code == 200 and "Give a consent" in form.content.decode()
    assert response.status_code == 302
    consent = Consent.objects.get(party=party)
    assert (consent.given_by, consent.channel_id) == (GivenBy.PERSON, "web")
    from ventanilla.citizen360.selectors import party_360

    assert len(party_360(actor=nurse, party_id=party.pk).open_cases) == 1
    assert Notification.objects.filter(party=party, event="consent_recorded").exists()


def test_in_the_portal_health_data_need_the_explicit_box(actor: Actor) -> None:
    party = person(actor)

    response = portal_client(party, "es").post(
        "/portal/me/consents/new/",
        {"recipient": "salud", "purpose": "Informe social", "data_categories": ["health"]},
    )

    assert response.status_code == 422
    assert 'id="explicit-error"' in response.content.decode()
    assert not Consent.objects.exists()


def test_a_consent_given_in_the_portal_cannot_be_given_for_someone_else(actor: Actor) -> None:
    party, other = person(actor), make_party(actor)

    consent = consent_give(
        actor=actor_for_citizen(party),
        purpose="Informe social",
        recipient_code="salud",
        data_categories=["cases"],
    )

    assert consent.party_id == party.pk
    assert not Consent.objects.filter(party=other).exists()


def test_erasure_removes_the_signed_form_and_keeps_its_digest(
    actor: Actor, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core.files.storage import default_storage

    from ventanilla.access.actors import Actor as Operator
    from ventanilla.privacy.services import party_erase

    party = make_party(actor)
    consent = consent_record(
        actor=actor,
        party_id=party.pk,
        purpose="Bonificación del IBI",
        recipient_code="ayto",
        data_categories=["income"],
        channel="desk",
        evidence=signed_form(),
    )
    stored = consent.evidence_file.name
    assert default_storage.exists(stored)

    with django_capture_on_commit_callbacks(execute=True):
        party_erase(
            actor=Operator(label="command:gdpr", sees_everything=True),
            party_id=party.pk,
            reason="Derecho de supresión, solicitud 2026/77",
        )

    consent.refresh_from_db()
    assert (consent.evidence_file.name, consent.evidence_name) == ("", "")
    assert consent.evidence_sha256 and consent.withdrawn_at is not None
    assert not default_storage.exists(stored)


def test_in_the_portal_no_office_is_chosen_for_the_person(actor: Actor) -> None:
    party = person(actor)
    client = portal_client(party)

    form = client.get("/portal/me/consents/new/").content.decode()
    response = client.post(
        "/portal/me/consents/new/", {"purpose": "Informe social", "data_categories": ["cases"]}
    )

    assert '<option value="">Choose an office</option>' in form
    assert response.status_code == 422
    assert "Choose who may use the data." in response.content.decode()
    assert not Consent.objects.exists()
