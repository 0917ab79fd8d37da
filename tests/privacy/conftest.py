"""A person with one row of every kind held on them, each written the way the product writes it,
every free text distinct, so a test can look for each after the export or the erasure."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tests.appointments.conftest import build_office
from tests.appointments.test_services import tomorrow_at
from tests.factories import make_party
from tests.surveys.conftest import full_answers, survey_data
from ventanilla.access.actors import Actor, actor_for_citizen
from ventanilla.appointments.services import appointment_book
from ventanilla.budgets.models import Budget, DistrictBudget, ProjectSupport
from ventanilla.budgets.models import Project as BudgetProject
from ventanilla.cases.models import Case, LifeEventRequest
from ventanilla.cases.services import (
    case_contact_record,
    case_note_add,
    case_open,
    satisfaction_record,
    task_create,
)
from ventanilla.catalog.services import life_event_ensure
from ventanilla.consent.models import Consent
from ventanilla.debates.services import (
    appeal_decide,
    comment_appeal,
    comment_hide,
    comment_post,
    comment_report,
    debate_open,
)
from ventanilla.identity.models import SourceRecord
from ventanilla.interactions.satisfaction import (
    satisfaction_answer,
    satisfaction_ask,
    satisfaction_token,
)
from ventanilla.interactions.services import attachment_add, interaction_record
from ventanilla.notices.models import Subscription
from ventanilla.notifications.models import Notification
from ventanilla.notifications.sending import notifications_send
from ventanilla.parties.models import (
    Party,
    PortalSignInToken,
    ProfileAttribute,
    Representation,
)
from ventanilla.parties.services import ContactPointInput, party_update
from ventanilla.proposals.models import Proposal, Support
from ventanilla.sharing.models import SharingRequest
from ventanilla.surveys.services import survey_load, survey_respond

# A small but real PDF, as a desk scans a document.
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< >>\n%%EOF\n"


def someone_else(actor: Actor, given: str, family: str, email: str) -> Party:
    """Another person of the record, with nothing random: the erasure tests search the whole
    database for the citizen's names, which a made-up email or surname could hold by chance."""
    return make_party(
        actor,
        given_name=given,
        family_name_1=family,
        family_name_2="Sanz",
        contact_points=[ContactPointInput(kind="email", value=email)],
    )


@pytest.fixture
def citizen(actor: Actor) -> Party:
    party = make_party(actor, given_name="Lucía", family_name_1="Vega", family_name_2="Ortiz")
    interaction_record(actor=actor, party_id=party.pk, channel="phone", summary="Pide cita")
    return party


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def full_record(  # noqa: PLR0913 - one row of every kind needs every kind of helper
    citizen: Party, actor: Actor, service: Any, town: Any, media: Path
) -> dict[str, Any]:
    """One row of every kind held on a person, each written the way the product writes it."""
    party_update(actor=actor, party_id=citizen.pk, changes={"family_name_2": "Ortega"})
    ProfileAttribute.objects.create(
        party=citizen, name="income_band", value="B", category="income", source_agency=town["ayto"]
    )
    child = someone_else(actor, "Hugo", "Prieto", "hugo.prieto@example.org")
    mother = someone_else(actor, "Rosa", "Marin", "rosa.marin@example.org")
    Representation.objects.create(
        representative=citizen, represented=child, kind="parent", valid_from=date(2020, 1, 1)
    )
    Representation.objects.create(
        representative=mother,
        represented=citizen,
        kind="authorised_person",
        scope=[service.code],
        valid_from=date(2024, 1, 1),
        evidence="Poder notarial de Lucia Vega",
    )
    Party.objects.create(
        given_name="Lucia",
        family_name_1="Vega",
        status=Party.Status.MERGED,
        merged_into=citizen,
        sort_name="vega lucia",
    )
    case = case_open(
        actor=actor,
        party_id=citizen.pk,
        service_code=service.code,
        channel="desk",
        description="Quiero cambiar la ventana",
    )
    case_note_add(actor=actor, case_id=case.pk, text="Le falta el plano", public=True)
    case_note_add(actor=actor, case_id=case.pk, text="Vecina conflictiva", public=False)
    task = task_create(
        actor=actor, case_id=case.pk, department_code="padron", title="Comprobar domicilio"
    )
    type(task).objects.filter(pk=task.pk).update(
        description="Mirar el padron de la calle Mayor", result="Empadronada desde 2019"
    )
    contact = case_contact_record(
        actor=actor,
        party_id=citizen.pk,
        channel="desk",
        summary="Trae el plano",
        case_reference=case.reference,
    )
    attachment_add(
        actor=actor,
        interaction_id=contact.pk,
        file_name="plano-cocina.pdf",
        content=io.BytesIO(PDF),
        size=len(PDF),
        description="Plano de la cocina de la calle Mayor",
    )
    event = life_event_ensure(code="mudanza", kind="life", name_es="Mudanza", name_en="Moving")
    LifeEventRequest.objects.create(
        party=citizen,
        life_event=event,
        channel_id="web",
        requested_at=timezone.now(),
        requested_by_label=actor_for_citizen(citizen).label,
        description="Me mudo en marzo",
    )
    consent = Consent.objects.create(
        party=citizen,
        purpose="Beca comedor",
        recipient=town["salud"],
        data_categories=["income"],
        legal_basis="consent",
        granted_at=timezone.now(),
        channel_id="web",
        recorded_by_label=actor_for_citizen(citizen).label,
    )
    Consent.objects.create(
        party=citizen,
        purpose="Ayuda al alquiler",
        recipient=town["salud"],
        data_categories=["income"],
        legal_basis="consent",
        granted_at=timezone.now() - timedelta(days=30),
        withdrawn_at=timezone.now(),
        withdrawn_by_label="agente",
        withdrawal_evidence="Llamada de Lucia Vega el lunes",
        channel_id="web",
        recorded_by_label="agente",
    )
    sharing = SharingRequest.objects.create(
        party=citizen,
        requester=town["salud"],
        holder=town["ayto"],
        purpose="Comprobar ingresos para la beca",
        data_categories=["income"],
        legal_basis="consent",
        outcome="granted",
        requested_by_label="sanitaria",
        answered_at=timezone.now(),
    )
    sharing.consents.add(consent)
    SourceRecord.objects.create(
        agency=town["padron"],
        source_key="PAD-000123",
        given_name="Lucia",
        family_name_1="Vega",
        address="Calle Mayor 1",
        party=citizen,
        decided_by="agente",
    )
    PortalSignInToken.objects.create(
        party=citizen, token_hash="f" * 64, expires_at=timezone.now() + timedelta(minutes=15)
    )
    appointment_book(
        actor=actor,
        party_id=citizen.pk,
        office_id=build_office(town, service).pk,
        service_code=service.code,
        start=tomorrow_at(10),
    )
    # How did we do? Asked after the call, answered by the link in the message.
    asked = satisfaction_ask(
        party_id=citizen.pk, channel="phone", about="phone 2026-12-02", interaction=contact
    )
    assert asked is not None
    satisfaction_answer(token=satisfaction_token(asked), score=3, comment="La espera fue larga")
    if not Notification.objects.filter(party=citizen).exists():
        Notification.objects.create(
            party=citizen,
            case=case,
            event="opened",
            medium="email",
            recipient="lucia@example.org",
            language="es",
            body="Hemos recibido su solicitud",
        )
    Subscription.objects.get_or_create(
        email="lucia@example.org",
        topic="works",
        district="Centro",
        party=citizen,
        defaults={"confirmed_at": timezone.now()},
    )
    survey = survey_load(
        actor=Actor(label="command:test", sees_everything=True), data=survey_data()
    ).survey
    survey_respond(
        actor=actor_for_citizen(citizen),
        survey_id=survey.pk,
        answers=full_answers(survey, text="Soy Lucía, vivo junto al parque"),
    )
    operator = Actor(label="command:test", sees_everything=True)
    debate = debate_open(
        actor=operator, agency_id=town["ayto"].pk, title="Calle Mayor", body="¿Peatonal?"
    )
    own = actor_for_citizen(citizen)
    said = comment_post(actor=own, subject=debate.subject, body="Soy Lucía, de la calle Mayor")
    comment_hide(actor=operator, comment_id=said.pk, reason="Datos personales")
    appeal = comment_appeal(actor=own, comment_id=said.pk, text="Es mi propio nombre")
    appeal_decide(actor=operator, appeal_id=appeal.pk, upheld=True, note="Cierto, es el suyo")
    neighbour = someone_else(actor, "Tomás", "Gil", "tomas.gil@example.org")
    theirs = comment_post(
        actor=actor_for_citizen(neighbour), subject=debate.subject, body="No estoy de acuerdo"
    )
    comment_report(actor=own, comment_id=theirs.pk, reason="other", text="Me señala a mí")
    budget = Budget.objects.create(agency=survey.agency, title_es="Presupuestos", year=2027)
    centro = DistrictBudget.objects.create(budget=budget, district="Centro", amount_cents=10**7)
    proposal = BudgetProject.objects.create(
        budget=budget,
        district=centro,
        title="Huerto de Lucía",
        description="Soy Lucía y propongo un huerto junto a mi casa",
        proposed_by=citizen,
    )
    ProjectSupport.objects.create(project=proposal, party=citizen)
    published = Proposal.objects.create(
        agency=town["ayto"],
        author=citizen,
        title="Bancos en la ribera",
        summary="Soy Lucía y propongo bancos junto al río.",
        district="Centro",
    )
    Support.objects.create(proposal=published, party=citizen)
    return {"case": case, "contact": contact, "sharing": sharing, "child": child}


@pytest.fixture
def closed_record(full_record: dict[str, Any], citizen: Party, actor: Actor) -> dict[str, Any]:
    """The full record once its case is closed and rated, its messages sent, and a last one
    still waiting: what erasure finds when the law no longer requires keeping the file."""
    case = full_record["case"]
    Case.objects.filter(pk=case.pk).update(status="closed", closed_at=timezone.now())
    satisfaction_record(
        actor=actor, case_id=case.pk, score=4, comment="Muy amable la chica de la ventanilla"
    )
    notifications_send()
    Notification.objects.filter(party=citizen).update(
        status=Notification.Status.SENT, sent_at=timezone.now()
    )
    unsent = Notification.objects.create(
        party=citizen,
        case=case,
        event="reply",
        medium="email",
        recipient=citizen.contact_points.get(kind="email").value,
        language="es",
        subject="Respuesta a su solicitud",
        body="Le escribimos sobre la ventana de la calle Mayor",
        status=Notification.Status.FAILED,
        last_error=f"SMTPRecipientsRefused: {citizen.contact_points.get(kind='email').value}",
    )
    return {**full_record, "unsent": unsent}
