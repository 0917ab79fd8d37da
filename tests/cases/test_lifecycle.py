"""A case's life over the API: the steps it may take, the ones it may not, who changed what and
why, and two people editing the same case at once."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.db.models import F
from django.test import Client
from django.utils import timezone
from freezegun import freeze_time

from tests.factories import make_party
from ventanilla.access.actors import Actor
from ventanilla.audit.models import AuditEntry
from ventanilla.cases.models import Case, CaseEvent
from ventanilla.catalog.models import PublicService
from ventanilla.core.calendar import add_working_days

pytestmark = pytest.mark.django_db


def post(client: Client, path: str, body: Any) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json")


@pytest.fixture
def case(api: Client, actor: Actor, service: PublicService) -> dict[str, Any]:
    party = make_party(actor)
    response = post(
        api,
        "/api/v1/cases",
        {"party_id": str(party.pk), "service": service.code, "channel": "web"},
    )
    assert response.status_code == 201, response.content
    return dict(response.json())


def step(api: Client, case: dict[str, Any], action: str, reason: str = "") -> Any:
    response = post(
        api,
        f"/api/v1/cases/{case['id']}/transitions",
        {"action": action, "reason": reason, "version": case["version"]},
    )
    if response.status_code == 200:
        case.update(response.json())
    return response


def test_a_case_goes_from_new_to_closed_and_every_step_is_on_record(
    api: Client, case: dict[str, Any]
) -> None:
    assert case["status"] == "new"
    assert case["next_steps"] == ["accept", "reject", "cancel"]
    for action, reason in [
        ("accept", ""),
        ("start", ""),
        ("ask_citizen", "Falta el plano de la obra"),
        ("resume", ""),
        ("resolve", "Licencia concedida"),
        ("close", ""),
    ]:
        response = step(api, case, action, reason)
        assert response.status_code == 200, (action, response.content)

    assert case["status"] == "closed"
    assert case["is_open"] is False
    assert case["version"] == 7
    events = api.get(f"/api/v1/cases/{case['id']}/events").json()
    steps = [(e["action"], e["from_status"], e["to_status"]) for e in events if e["action"]]
    assert steps == [
        ("accept", "new", "accepted"),
        ("start", "accepted", "in_progress"),
        ("ask_citizen", "in_progress", "waiting_citizen"),
        ("resume", "waiting_citizen", "in_progress"),
        ("resolve", "in_progress", "resolved"),
        ("close", "resolved", "closed"),
    ]
    asked = next(e for e in events if e["action"] == "ask_citizen")
    assert asked["text"] == "Falta el plano de la obra"
    assert asked["actor"] == "api:sede-electronica"
    assert AuditEntry.objects.filter(action="case.update", object_id=case["id"]).count() == 6


def test_a_step_the_case_cannot_take_is_refused_and_changes_nothing(
    api: Client, case: dict[str, Any]
) -> None:
    response = step(api, case, "close")
    in_english = api.post(
        f"/api/v1/cases/{case['id']}/transitions",
        json.dumps({"action": "close", "version": 1}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 409
    assert "no puede dar el paso" in response.json()["detail"]
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith(":invalid-transition")
    assert "cannot take the step “Close”" in in_english.json()["detail"]
    assert problem["allowed_steps"] == "accept reject cancel"
    stored = Case.objects.get(pk=case["id"])
    assert (stored.status, stored.version) == ("new", 1)
    assert not CaseEvent.objects.filter(case=stored, kind="transition").exists()


def test_steps_that_need_a_reason_refuse_to_go_without_one(
    api: Client, case: dict[str, Any]
) -> None:
    response = step(api, case, "reject", "  ")

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["reason"]
    assert Case.objects.get(pk=case["id"]).status == "new"


def test_an_edit_from_a_stale_read_is_refused_not_lost(api: Client, case: dict[str, Any]) -> None:
    stale = dict(case)
    assert step(api, case, "accept").status_code == 200  # someone else, first

    response = step(api, stale, "reject", "No es competencia municipal")

    assert response.status_code == 409
    assert response.json()["type"].endswith(":edit-conflict")
    assert response.json()["version"] == 2
    assert Case.objects.get(pk=case["id"]).status == "accepted"


def test_a_change_between_reading_and_writing_is_caught(
    actor: Actor, service: PublicService
) -> None:
    """The version is checked again in the UPDATE itself, not only when the case is read."""
    from ventanilla.cases import services
    from ventanilla.core.errors import EditConflict

    party = make_party(actor)
    case = services.case_open(
        actor=actor, party_id=party.pk, service_code=service.code, channel="desk"
    )
    real_save = services._save

    def someone_else_first(target: Case, fields: dict[str, Any]) -> None:
        Case.objects.filter(pk=target.pk).update(version=F("version") + 1)
        real_save(target, fields)

    services._save = someone_else_first  # type: ignore[assignment]
    try:
        with pytest.raises(EditConflict):
            services.case_transition(actor=actor, case_id=case.pk, action="accept", version=1)
    finally:
        services._save = real_save  # type: ignore[assignment]
    assert Case.objects.get(pk=case.pk).status == "new"


def test_waiting_for_the_citizen_stops_the_clock(api: Client, case: dict[str, Any]) -> None:
    step(api, case, "accept")
    due = Case.objects.get(pk=case["id"]).due_date
    with freeze_time(timezone.now()):
        step(api, case, "ask_citizen", "Falta el plano")
    later = timezone.now() + timedelta(days=7)
    with freeze_time(later):
        assert step(api, case, "resume").status_code == 200

    moved = Case.objects.get(pk=case["id"]).due_date
    assert moved == add_working_days(due, 5)


def test_a_reopened_case_gets_a_new_deadline(api: Client, case: dict[str, Any]) -> None:
    for action, reason in [("accept", ""), ("resolve", "Hecho"), ("reopen", "Sigue roto")]:
        assert step(api, case, action, reason).status_code == 200

    stored = Case.objects.get(pk=case["id"])
    assert stored.status == "in_progress"
    assert stored.closed_at is None and stored.resolved_at is None


def test_the_api_documents_every_step(api: Client) -> None:
    schema = api.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/cases/{case_id}/transitions"]["post"]
    assert "409" in operation["responses"]
    assert "`ask_citizen`" in operation["description"]
