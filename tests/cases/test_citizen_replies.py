"""The citizen's answer to a case waiting for them: it puts the case back to work through the
lifecycle's own step, restarts the clock (the due date moves on by the working days waited), may
bring a photo checked as every attachment is, and is all or nothing. A message on a case not
waiting is kept without changing it; a finished case takes none."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time

from tests.factories import make_party
from ventanilla.access.actors import Actor, actor_for_citizen, actor_for_user
from ventanilla.audit.models import AuditEntry
from ventanilla.cases.lifecycle import actions_from
from ventanilla.cases.models import Case, CaseEvent
from ventanilla.cases.services import (
    case_citizen_reply,
    case_note_add,
    case_open,
    case_transition,
)
from ventanilla.catalog.models import PublicService
from ventanilla.core.errors import (
    InvalidTransition,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
    UnsupportedMediaType,
)
from ventanilla.interactions.models import Interaction, InteractionAttachment

pytestmark = pytest.mark.django_db

MADRID = ZoneInfo("Europe/Madrid")
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40
# Friday 20 and Tuesday 24 November 2026: Monday and Tuesday are the working days in between.
FRIDAY = datetime(2026, 11, 20, 10, 0, tzinfo=MADRID)
TUESDAY = datetime(2026, 11, 24, 10, 0, tzinfo=MADRID)


@pytest.fixture
def planner(make_staff: Any) -> Actor:
    return actor_for_user(make_staff("tramitador", "urbanismo", "case_worker"))


@pytest.fixture
def case(planner: Actor, service: PublicService) -> Case:
    party = make_party(planner)
    return case_open(actor=planner, party_id=party.pk, service_code=service.code, channel="web")


def waiting(case: Case, planner: Actor) -> Case:
    for action in ("accept", "start"):
        case_transition(actor=planner, case_id=case.pk, action=action)
    return case_transition(
        actor=planner, case_id=case.pk, action="ask_citizen", reason="Envíe una foto de la acera"
    )


def test_the_citizens_answer_puts_a_waiting_case_back_in_progress(
    case: Case, planner: Actor
) -> None:
    waiting(case, planner)
    citizen = actor_for_citizen(case.party)

    reply = case_citizen_reply(actor=citizen, case_id=case.pk, text="Ahí va la foto")

    case.refresh_from_db()
    assert case.status == "in_progress" and case.waiting_since is None
    assert (reply.kind, reply.public, reply.text) == ("citizen_reply", True, "Ahí va la foto")
    step = CaseEvent.objects.get(case=case, kind="transition", action="citizen_reply")
    assert (step.from_status, step.to_status, step.actor_label) == (
        "waiting_citizen",
        "in_progress",
        citizen.label,
    )
    assert AuditEntry.objects.filter(object_id=str(case.pk), detail__step="citizen_reply").exists()


def test_the_clock_restarts_and_the_due_date_moves_on_by_the_working_days_waited(
    case: Case, planner: Actor
) -> None:
    with freeze_time(FRIDAY):
        waiting(case, planner)
    Case.objects.filter(pk=case.pk).update(due_date=date(2026, 11, 26))

    with freeze_time(TUESDAY):
        case_citizen_reply(actor=actor_for_citizen(case.party), case_id=case.pk, text="Hecho")

    case.refresh_from_db()
    assert case.due_date == date(2026, 11, 30)


def test_a_message_on_a_case_not_waiting_is_kept_and_changes_nothing_else(
    case: Case, planner: Actor
) -> None:
    case_transition(actor=planner, case_id=case.pk, action="accept")
    case.refresh_from_db()

    case_citizen_reply(actor=actor_for_citizen(case.party), case_id=case.pk, text="¿Cómo va?")

    after = Case.objects.get(pk=case.pk)
    assert (after.status, after.due_date, after.version) == ("accepted", case.due_date, 2)
    assert CaseEvent.objects.filter(case=case, kind="citizen_reply").count() == 1
    assert not CaseEvent.objects.filter(case=case, action="citizen_reply").exists()


def test_a_finished_case_takes_no_more_messages(case: Case, planner: Actor) -> None:
    case_transition(actor=planner, case_id=case.pk, action="reject", reason="No procede")

    with pytest.raises(InvalidTransition):
        case_citizen_reply(actor=actor_for_citizen(case.party), case_id=case.pk, text="¿Por qué?")

    assert not CaseEvent.objects.filter(case=case, kind="citizen_reply").exists()


def test_the_photo_comes_with_the_answer_on_the_citizens_web_contact(
    case: Case, planner: Actor
) -> None:
    waiting(case, planner)

    reply = case_citizen_reply(
        actor=actor_for_citizen(case.party),
        case_id=case.pk,
        text="La foto",
        file_name="acera.png",
        content=io.BytesIO(PNG),
        size=len(PNG),
    )

    photo = InteractionAttachment.objects.get(interaction=reply.interaction)
    assert (photo.file_name, photo.content_type) == ("acera.png", "image/png")
    assert reply.interaction is not None
    assert (reply.interaction.channel_id, reply.interaction.direction) == ("web", "inbound")


def test_a_file_that_is_not_what_its_name_says_refuses_the_whole_answer(
    case: Case, planner: Actor
) -> None:
    waiting(case, planner)
    page = b"<html><script>alert(1)</script></html>"

    with pytest.raises(UnsupportedMediaType):
        case_citizen_reply(
            actor=actor_for_citizen(case.party),
            case_id=case.pk,
            text="La foto",
            file_name="acera.png",
            content=io.BytesIO(page),
            size=len(page),
        )

    assert Case.objects.get(pk=case.pk).status == "waiting_citizen"
    assert not CaseEvent.objects.filter(case=case, kind="citizen_reply").exists()
    assert not Interaction.objects.filter(case=case, channel_id="web", direction="inbound").exclude(
        pk=CaseEvent.objects.get(case=case, kind="opened").interaction_id
    )


def test_a_file_over_the_size_limit_is_refused(case: Case, planner: Actor, settings: Any) -> None:
    waiting(case, planner)
    settings.VENTANILLA_MAX_UPLOAD_BYTES = 20

    with pytest.raises(PayloadTooLarge):
        case_citizen_reply(
            actor=actor_for_citizen(case.party),
            case_id=case.pk,
            text="",
            file_name="acera.png",
            content=io.BytesIO(PNG),
            size=len(PNG),
        )

    assert Case.objects.get(pk=case.pk).status == "waiting_citizen"


def test_staff_cannot_take_the_citizens_step_nor_see_it_offered(case: Case, planner: Actor) -> None:
    waiting(case, planner)

    with pytest.raises(PermissionDenied):
        case_transition(actor=planner, case_id=case.pk, action="citizen_reply")

    assert "citizen_reply" not in [t.action for t in actions_from("waiting_citizen")]
    assert "resume" in [t.action for t in actions_from("waiting_citizen")]


def test_only_the_citizen_whose_case_it_is_can_answer_it(
    case: Case, planner: Actor, service: PublicService
) -> None:
    waiting(case, planner)
    stranger = actor_for_citizen(make_party(planner, given_name="Otro"))

    with pytest.raises(NotFound):
        case_citizen_reply(actor=stranger, case_id=case.pk, text="Hola")
    with pytest.raises(PermissionDenied):
        case_citizen_reply(actor=planner, case_id=case.pk, text="Hola")

    assert Case.objects.get(pk=case.pk).status == "waiting_citizen"


def test_a_public_note_by_a_citizen_is_their_answer(case: Case, planner: Actor) -> None:
    waiting(case, planner)

    event = case_note_add(
        actor=actor_for_citizen(case.party), case_id=case.pk, text="Adjunto", public=True
    )

    assert event.kind == "citizen_reply"
    assert Case.objects.get(pk=case.pk).status == "in_progress"
