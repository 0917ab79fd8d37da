"""Erasure reaches every row about the person: their messages, case notes, tasks, requests and
ratings, and the duplicates merged into their record; the export holds them first."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ventanilla.access.actors import Actor
from ventanilla.cases.models import Case, CaseEvent, LifeEventRequest, Notification
from ventanilla.parties.models import Party
from ventanilla.privacy.export import party_export
from ventanilla.privacy.services import party_erase

pytestmark = pytest.mark.django_db


def test_erasure_blanks_the_messages_case_notes_requests_and_ratings(
    closed_record: dict[str, Any], citizen: Party, actor: Actor
) -> None:
    case = closed_record["case"]

    party_erase(actor=actor, party_id=citizen.pk, reason="art. 17")

    messages = Notification.objects.filter(party=citizen)
    assert {(m.recipient, m.subject, m.body, m.last_error) for m in messages} == {
        ("", "", "[erased]", "")
    }
    assert {e.text for e in CaseEvent.objects.filter(case=case)} <= {"", "[erased]"}
    assert CaseEvent.objects.filter(case=case, text="[erased]").count() >= 3  # notes and rating
    assert LifeEventRequest.objects.get(party=citizen).description == ""
    rated = Case.objects.get(pk=case.pk)
    assert rated.satisfaction == 4 and rated.satisfaction_comment == ""


def test_erasure_pseudonymises_the_duplicates_merged_into_the_person(
    full_record: dict[str, Any], citizen: Party, actor: Actor
) -> None:
    Case.objects.filter(party=citizen).update(status="closed")
    [duplicate] = Party.objects.filter(merged_into=citizen)

    party_erase(actor=actor, party_id=citizen.pk, reason="art. 17")

    duplicate.refresh_from_db()
    assert duplicate.status == "merged" and "Lucia" not in duplicate.display_name


def test_the_export_holds_the_messages_notes_requests_and_ratings(
    closed_record: dict[str, Any], citizen: Party, actor: Actor
) -> None:
    document = party_export(actor=actor, party_id=citizen.pk)

    texts = json.dumps(document, ensure_ascii=False, default=str)
    for said in ("Le escribimos sobre la ventana", "Le falta el plano", "Me mudo en marzo"):
        assert said in texts
    assert any(n["recipient"] for n in document["notifications"])
    [case] = document["cases"]
    assert case["satisfaction_comment"] == "Muy amable la chica de la ventanilla"


def test_a_message_never_delivered_goes_with_the_erasure_and_is_never_sent(
    closed_record: dict[str, Any], citizen: Party, actor: Actor
) -> None:
    unsent = closed_record["unsent"]

    party_erase(actor=actor, party_id=citizen.pk, reason="art. 17")

    notifications = Notification.objects.filter(party=citizen)
    assert not notifications.filter(pk=unsent.pk).exists()
    assert notifications.exists()
    assert all(n.status == "sent" for n in notifications)
