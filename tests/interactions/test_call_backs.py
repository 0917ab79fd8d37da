"""The call-back queue: a contact that ends "to call back" waits, due at a time, until someone
returns the call; the return call is a contact of its own; no answer brings it back an hour later.
Through the service, the API and the console alike."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from tests.conftest import sign_in
from tests.factories import make_party
from ventanilla.access.actors import Actor, actor_for_user
from ventanilla.audit.models import AuditEntry
from ventanilla.core.errors import NotFound, ValidationFailed
from ventanilla.interactions.models import Interaction
from ventanilla.interactions.selectors import call_back_queue, call_backs_late_count
from ventanilla.interactions.services import call_back_answer, interaction_record
from ventanilla.parties.models import Party
from ventanilla.parties.services import ContactPointInput

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(actor: Actor) -> Party:
    return make_party(
        actor,
        given_name="Ana",
        family_name_1="Ruiz",
        contact_points=[ContactPointInput(kind="phone", value="600 123 456")],
    )


def _call(actor: Actor, party: Party, **extra: Any) -> Interaction:
    return interaction_record(
        actor=actor,
        party_id=party.pk,
        channel="phone",
        summary="Quiere saber si su licencia está concedida",
        outcome="call_back",
        **extra,
    )


def test_a_call_to_return_waits_a_day_unless_a_time_is_given(actor: Actor, ana: Party) -> None:
    before = timezone.now()
    by_default = _call(actor, ana)
    at_four = _call(actor, ana, call_back_due=before + timedelta(hours=4))

    assert by_default.call_back_due is not None
    assert timedelta(hours=23) < by_default.call_back_due - before <= timedelta(hours=24, seconds=5)
    assert at_four.call_back_due == before + timedelta(hours=4)
    assert [i.pk for i in call_back_queue(actor)] == [at_four.pk, by_default.pk]


def test_only_a_contact_that_ends_to_call_back_has_a_time_or_number(
    actor: Actor, ana: Party
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        interaction_record(
            actor=actor,
            party_id=ana.pk,
            channel="phone",
            summary="Horario",
            outcome="answered",
            call_back_due=timezone.now() + timedelta(hours=1),
        )

    assert "call_back_due" in refused.value.errors
    assert not Interaction.objects.filter(party=ana).exists()


def test_a_time_past_or_a_number_that_does_not_exist_is_refused(actor: Actor, ana: Party) -> None:
    with pytest.raises(ValidationFailed) as past:
        _call(actor, ana, call_back_due=timezone.now() - timedelta(hours=2))
    with pytest.raises(ValidationFailed) as wrong_number:
        _call(actor, ana, call_back_phone="12")

    assert "call_back_due" in past.value.errors
    assert "call_back_phone" in wrong_number.value.errors
    assert not Interaction.objects.filter(party=ana).exists()


def test_another_number_is_kept_in_its_international_form(actor: Actor, ana: Party) -> None:
    call = _call(actor, ana, call_back_phone="611 22 33 44")

    assert call.call_back_phone == "+34611223344"


def test_an_answered_call_back_is_a_contact_of_its_own_and_leaves_the_queue(
    actor: Actor, ana: Party
) -> None:
    call = _call(actor, ana)

    returned = call_back_answer(
        actor=actor, interaction_id=call.pk, result="answered", summary="Le confirmo la licencia"
    )

    call.refresh_from_db()
    assert (returned.direction, returned.channel_id, returned.outcome) == (
        "outbound",
        "phone",
        "answered",
    )
    assert returned.summary == "Le confirmo la licencia"
    assert returned.party_id == ana.pk
    assert call.call_back_done_at is not None
    assert call_back_queue(actor) == []
    with pytest.raises(ValidationFailed):
        call_back_answer(actor=actor, interaction_id=call.pk, result="answered")


def test_no_answer_counts_a_try_and_brings_the_call_back_an_hour_later(
    actor: Actor, ana: Party
) -> None:
    call = _call(actor, ana, call_back_due=timezone.now())

    with translation.override("en"):  # the agent's language writes the return call's summary
        returned = call_back_answer(actor=actor, interaction_id=call.pk, result="no_answer")

    call.refresh_from_db()
    assert returned.outcome == "no_answer"
    assert returned.summary == "Called back: there was no answer."
    assert call.call_back_attempts == 1
    assert call.call_back_done_at is None
    assert timedelta(minutes=59) < call.call_back_due - timezone.now() <= timedelta(hours=1)
    assert [i.pk for i in call_back_queue(actor)] == [call.pk]


def test_a_result_other_than_answered_or_no_answer_is_refused(actor: Actor, ana: Party) -> None:
    call = _call(actor, ana)

    with pytest.raises(ValidationFailed) as refused:
        call_back_answer(actor=actor, interaction_id=call.pk, result="transferred")

    assert "result" in refused.value.errors
    assert Interaction.objects.filter(party=ana).count() == 1


def test_another_agency_neither_sees_nor_returns_the_call(
    actor: Actor, ana: Party, make_staff: Any
) -> None:
    call = _call(actor, ana)
    other = actor_for_user(make_staff("otra", "salud", "agent"))

    assert call_back_queue(other) == []
    with pytest.raises(NotFound):
        call_back_answer(actor=other, interaction_id=call.pk, result="answered")


def test_the_menu_counts_only_the_calls_already_due(actor: Actor, ana: Party) -> None:
    _call(actor, ana, call_back_due=timezone.now())
    _call(actor, ana, call_back_due=timezone.now() + timedelta(hours=3))

    assert call_backs_late_count(actor) == 1


def test_listing_the_queue_is_in_the_audit_log(actor: Actor, ana: Party) -> None:
    _call(actor, ana)

    call_back_queue(actor)

    entry = AuditEntry.objects.filter(action="call_back.list").get()
    assert entry.detail["parties"] == [str(ana.pk)]


def test_the_api_puts_a_call_in_the_queue_and_says_when_it_is_due(
    api: Client, actor: Actor, ana: Party
) -> None:
    due = (timezone.now() + timedelta(hours=2)).replace(microsecond=0)
    body = {
        "party_id": str(ana.pk),
        "channel": "phone",
        "summary": "Pide que le llamen",
        "outcome": "call_back",
        "call_back_due": due.isoformat(),
    }

    created = api.post("/api/v1/interactions", json.dumps(body), content_type="application/json")
    naive = api.post(
        "/api/v1/interactions",
        json.dumps({**body, "call_back_due": "2030-01-01T10:00:00"}),
        content_type="application/json",
    )

    assert created.status_code == 201, created.content
    assert created.json()["call_back_due"].startswith(due.strftime("%Y-%m-%dT%H:%M"))
    assert created.json()["call_back_returned_at"] is None
    assert naive.status_code == 422
    assert naive["Content-Type"].startswith("application/problem+json")


def test_the_console_queue_shows_the_person_and_number_and_returns_the_call(
    agent_user: Any, actor: Actor, ana: Party
) -> None:
    call = _call(actor, ana, call_back_due=timezone.now() - timedelta(minutes=1))
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    sign_in(client, agent_user)

    page = client.get("/console/call-backs/").content.decode()
    done = client.post(f"/console/call-backs/{call.pk}/", {"result": "answered"}, follow=True)

    assert "Ana Ruiz" in page
    assert ana.contact_points.get(kind="phone").value in page
    assert 'href="tel:+34600123456"' in page
    assert "con retraso" in page
    assert str(call.pk) not in re.sub(r"<[^>]+>", "", page)  # no raw id is read
    assert "La llamada se devolvió y salió de la lista." in done.content.decode()
    assert "Ninguna llamada espera ser devuelta." in done.content.decode()


def test_the_console_contact_form_puts_a_call_in_the_queue_at_the_time_typed(
    agent_user: Any, ana: Party
) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, agent_user)
    local = timezone.localtime(timezone.now() + timedelta(days=1)).replace(second=0, microsecond=0)

    response = client.post(
        f"/console/parties/{ana.pk}/contacts/new/",
        {
            "channel": "phone",
            "direction": "inbound",
            "kind": "question",
            "summary": "Quiere que le llamen por la tarde",
            "outcome": "call_back",
            "call_back_due": local.strftime("%Y-%m-%dT%H:%M"),
            "call_back_phone": "",
        },
        HTTP_HX_REQUEST="true",
    )
    wrong = client.post(
        f"/console/parties/{ana.pk}/contacts/new/",
        {
            "channel": "phone",
            "direction": "inbound",
            "kind": "question",
            "summary": "Otra",
            "outcome": "answered",
            "call_back_due": "mañana",
        },
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert Interaction.objects.get(party=ana).call_back_due == local
    assert wrong.status_code == 422
    assert "Give a date and a time." in wrong.content.decode()
    assert Interaction.objects.filter(party=ana).count() == 1
    assert "Calls to return" in client.get("/console/home/").content.decode()
