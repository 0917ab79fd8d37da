"""The contacts a case brings (its opening, a public reply, a document handed in) go on the
party's history through the contact history's own service, so each one is audited as any other
contact is."""

from __future__ import annotations

import io
from typing import Any

import pytest

from tests.factories import SIGNED_FORM_PDF, make_party
from ventanilla.access.actors import Actor, actor_for_citizen, actor_for_user
from ventanilla.audit.actions import Action
from ventanilla.audit.models import AuditEntry
from ventanilla.cases.models import Case
from ventanilla.cases.services import case_document_add, case_note_add, case_open
from ventanilla.catalog.models import PublicService
from ventanilla.interactions.models import Interaction

pytestmark = pytest.mark.django_db


@pytest.fixture
def planner(make_staff: Any) -> Actor:
    return actor_for_user(make_staff("tramitador", "urbanismo", "case_worker"))


@pytest.fixture
def case(actor: Actor, planner: Actor, service: PublicService) -> Case:
    party = make_party(actor)
    return case_open(actor=planner, party_id=party.pk, service_code=service.code, channel="desk")


def contact_entries(interaction: Interaction) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            action=Action.INTERACTION_CREATE, object_type="interaction", object_id=interaction.pk
        )
    )


def test_the_contact_that_opens_a_case_is_audited(case: Case, planner: Actor) -> None:
    contact = Interaction.objects.get(case=case)

    [entry] = contact_entries(contact)
    assert (entry.actor, entry.party_id) == (planner.label, case.party_id)
    assert entry.detail == {"case": str(case.pk)}


def test_a_public_reply_is_an_audited_contact_and_an_internal_note_is_none(
    case: Case, planner: Actor
) -> None:
    case_note_add(actor=planner, case_id=case.pk, text="Solo para el equipo", public=False)
    case_note_add(actor=planner, case_id=case.pk, text="Su licencia está lista", public=True)

    reply = Interaction.objects.get(case=case, direction=Interaction.Direction.OUTBOUND)
    assert reply.summary == "Su licencia está lista"
    assert len(contact_entries(reply)) == 1
    assert Interaction.objects.filter(case=case).count() == 2  # the opening and the reply


def test_a_citizens_reply_on_the_portal_is_an_audited_contact(case: Case) -> None:
    citizen = actor_for_citizen(case.party)

    case_note_add(actor=citizen, case_id=case.pk, text="Adjunto lo que faltaba", public=True)

    reply = Interaction.objects.get(case=case, channel_id="web")
    [entry] = contact_entries(reply)
    assert entry.actor == citizen.label


def test_a_document_handed_in_for_a_case_is_an_audited_contact(case: Case, planner: Actor) -> None:
    case_document_add(
        actor=planner,
        case_id=case.pk,
        file_name="plano.pdf",
        content=io.BytesIO(SIGNED_FORM_PDF),
        size=len(SIGNED_FORM_PDF),
    )

    contact = Interaction.objects.get(case=case, attachments__file_name="plano.pdf")
    assert len(contact_entries(contact)) == 1
