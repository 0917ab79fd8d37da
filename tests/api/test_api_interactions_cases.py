"""Recording contacts and opening cases over HTTP, and what a failed request leaves behind."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import OPERATOR
from tests.factories import make_party
from ventanilla.access.actors import Actor, actor_for_user
from ventanilla.cases.models import Case
from ventanilla.catalog.models import PublicService
from ventanilla.core.calendar import add_working_days
from ventanilla.interactions.models import Interaction

pytestmark = pytest.mark.django_db


def post(client: Client, path: str, body: Any) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json")


def fields_of(response: Any) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


@pytest.fixture
def party(actor: Actor) -> Any:
    return make_party(actor)


def test_a_contact_is_recorded_for_the_keys_agency(api: Client, party: Any) -> None:
    response = post(
        api,
        "/api/v1/interactions",
        {
            "party_id": str(party.pk),
            "channel": "phone",
            "summary": "Pregunta por el IBI",
            "kind": "question",
            "duration_seconds": 240,
        },
    )

    assert response.status_code == 201, response.content
    assert response.json()["agency"] == "ayto"
    assert response.json()["channel_name"]
    assert Interaction.objects.get().duration_seconds == 240


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"channel": "pigeon"}, "channel"),
        ({"service": "no-such-service"}, "service"),
        ({"summary": "x" * 4001}, "summary"),
        ({"summary": ""}, "summary"),
        ({"kind": "rant"}, "kind"),
        ({"party_id": "00000000-0000-4000-8000-000000000000"}, "party"),
        ({"party_id": "not-a-uuid"}, "party_id"),
        ({"duration_seconds": -1}, "duration_seconds"),
        ({"agency": "salud"}, "agency"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_a_bad_contact_names_the_field_and_writes_nothing(
    api: Client, party: Any, change: dict[str, Any], field: str
) -> None:
    body = {"party_id": str(party.pk), "channel": "web", "summary": "Consulta", **change}

    response = post(api, "/api/v1/interactions", body)

    assert response.status_code == 422, response.content
    assert field in fields_of(response)
    assert not Interaction.objects.exists()


def test_a_contact_in_the_future_is_refused(api: Client, party: Any) -> None:
    future = (timezone.now() + timedelta(days=1)).isoformat()
    body = {"party_id": str(party.pk), "channel": "web", "summary": "x", "occurred_at": future}

    response = post(api, "/api/v1/interactions", body)

    assert fields_of(response) == ["occurred_at"]
    assert not Interaction.objects.exists()


def test_a_partys_interactions_are_listed_newest_first_in_pages(api: Client, party: Any) -> None:
    now = timezone.now()
    for n in range(5):
        post(
            api,
            "/api/v1/interactions",
            {
                "party_id": str(party.pk),
                "channel": "web",
                "summary": f"n{n}",
                "occurred_at": (now - timedelta(hours=n)).isoformat(),
            },
        )

    first = api.get(f"/api/v1/parties/{party.pk}/interactions", {"limit": 2}).json()
    rest = api.get(
        f"/api/v1/parties/{party.pk}/interactions", {"limit": 10, "cursor": first["next_cursor"]}
    ).json()

    assert [i["summary"] for i in first["items"]] == ["n0", "n1"]
    assert [i["summary"] for i in rest["items"]] == ["n2", "n3", "n4"]


def test_opening_a_case_gives_a_reference_a_due_date_and_a_contact(
    api: Client, party: Any, service: PublicService
) -> None:
    response = post(
        api,
        "/api/v1/cases",
        {
            "party_id": str(party.pk),
            "service": service.code,
            "channel": "web",
            "description": "Cambiar el suelo de la cocina",
            "location": {"text": "Calle Mayor 3", "latitude": 37.38, "longitude": -5.98},
        },
    )

    assert response.status_code == 201, response.content
    case = response.json()
    year = timezone.localdate().year
    assert re.fullmatch(rf"AY-{year}-\d{{6}}", case["reference"])
    assert case["department"] == "urbanismo"
    assert case["status"] == "new" and case["is_open"] is True
    assert case["due_date"] == add_working_days(timezone.localdate(), 10).isoformat()
    contact = Interaction.objects.get(case__reference=case["reference"])
    assert contact.kind == "request"


def test_case_references_follow_each_other(api: Client, party: Any, service: PublicService) -> None:
    body = {"party_id": str(party.pk), "service": service.code, "channel": "desk"}

    first = post(api, "/api/v1/cases", body).json()["reference"]
    second = post(api, "/api/v1/cases", body).json()["reference"]

    assert int(second[-6:]) == int(first[-6:]) + 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"service": "no-such-service"}, "service"),
        ({"channel": "pigeon"}, "channel"),
        ({"location": {"latitude": 123, "longitude": 0}}, "location.latitude"),
        ({"location": {"latitude": 37.0}}, "latitude"),
        ({"priority": "whenever"}, "priority"),
        ({"description": "x" * 4001}, "description"),
    ],
)
def test_a_bad_case_names_the_field_and_writes_neither_case_nor_contact(
    api: Client, party: Any, service: PublicService, change: dict[str, Any], field: str
) -> None:
    body = {"party_id": str(party.pk), "service": service.code, "channel": "web", **change}

    response = post(api, "/api/v1/cases", body)

    assert response.status_code == 422, response.content
    assert field in fields_of(response)
    assert not Case.objects.exists()
    assert not Interaction.objects.exists()


def test_a_case_is_read_by_id_or_reference_and_listed_by_party_and_status(
    api: Client, party: Any, service: PublicService
) -> None:
    body = {"party_id": str(party.pk), "service": service.code, "channel": "web"}
    created = post(api, "/api/v1/cases", body).json()
    post(api, "/api/v1/cases", body)

    by_id = api.get(f"/api/v1/cases/{created['id']}").json()
    by_reference = api.get(f"/api/v1/cases/{created['reference'].lower()}").json()
    page = api.get("/api/v1/cases", {"party_id": str(party.pk), "status": "new", "limit": 1})
    closed = api.get("/api/v1/cases", {"status": "closed"}).json()

    assert by_id == by_reference
    assert len(page.json()["items"]) == 1 and page.json()["next_cursor"]
    assert closed["items"] == []


def test_another_agencys_case_is_reported_missing_not_forbidden(
    party: Any, service: PublicService, make_staff: Any, town: Any
) -> None:
    from ventanilla.access.services import apikey_create
    from ventanilla.cases.services import case_open

    planner = actor_for_user(make_staff("tramitador", "urbanismo", "case_worker"))
    case = case_open(actor=planner, party_id=party.pk, service_code=service.code, channel="desk")
    _, secret = apikey_create(
        actor=OPERATOR, name="salud", agency_code="salud", scopes=["cases:read"]
    )

    response = Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get(f"/api/v1/cases/{case.pk}")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_the_catalogue_is_public(service: PublicService) -> None:
    services = Client().get("/api/v1/catalog/services")
    channels = Client().get("/api/v1/catalog/channels")

    assert services.status_code == 200
    assert services.json()[0]["code"] == "licencia-obra-menor"
    assert {"web", "phone", "desk"} <= {c["code"] for c in channels.json()}


def test_a_life_event_request_takes_each_services_answers_and_refuses_a_bad_one_whole(
    api: Client, party: Any, service: PublicService
) -> None:
    from ventanilla.catalog.services import life_event_ensure

    birth = life_event_ensure(code="nacimiento", kind="life", name_es="Nacimiento", name_en="Birth")
    service.life_events.add(birth)
    PublicService.objects.filter(pk=service.pk).update(
        input_schema={
            "type": "object",
            "properties": {"plano": {"type": "string", "title": "Plano"}},
            "required": ["plano"],
        }
    )
    body = {"party_id": str(party.pk), "life_event": "nacimiento", "channel": "desk"}

    refused = post(api, "/api/v1/life-event-requests", {**body, "form_data": {service.code: {}}})
    opened = post(
        api, "/api/v1/life-event-requests", {**body, "form_data": {service.code: {"plano": "A1"}}}
    )

    assert refused.status_code == 422
    assert f"form_data.{service.code}.plano" in fields_of(refused)
    assert opened.status_code == 201, opened.content
    assert Case.objects.get(party=party).form_data == {"plano": "A1"}
