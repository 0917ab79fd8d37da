"""The batch door for other systems' cases: up to 1,000 per call, each opened as one case from
the API is (routed, audited, heard by other systems), whole or not at all with its own result;
the same key sent again gives back the first case; a call that is not well formed is refused
whole as problem+json."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from tests.conftest import OPERATOR
from tests.factories import make_party
from ventanilla.access.actors import Actor
from ventanilla.access.services import apikey_create
from ventanilla.audit.actions import Action
from ventanilla.audit.models import AuditEntry
from ventanilla.cases.batch import CaseItem, case_open_many
from ventanilla.cases.models import Case, CaseKey
from ventanilla.catalog.models import PublicService
from ventanilla.events.models import Event

pytestmark = pytest.mark.django_db

URL = "/api/v1/batch/cases"


def send(client: Client, items: list[dict[str, Any]]) -> Any:
    return client.post(URL, json.dumps({"items": items}), content_type="application/json")


def item(key: str, party_id: Any, service: PublicService, **fields: Any) -> dict[str, Any]:
    return {
        "external_id": key,
        "party_id": str(party_id),
        "service": service.code,
        "channel": "web",
        "description": f"Expediente {key} del sistema antiguo",
        **fields,
    }


def test_each_item_gets_its_result_and_a_bad_one_does_not_sink_the_others(
    api: Client, actor: Actor, service: PublicService
) -> None:
    party = make_party(actor)

    response = send(
        api,
        [
            item("exp-1", party.pk, service, priority="high", location={"text": "C/ Real 1"}),
            item("exp-2", "9b6f0a52-8c1e-4c55-a7d3-6c1e0f4c9a10", service),
            item("exp-3", party.pk, service, channel="paloma"),
            item("exp-4", party.pk, service),
        ],
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["existing"], body["failed"]) == (2, 0, 2)
    assert [r["status"] for r in body["items"]] == ["created", "failed", "failed", "created"]
    assert body["items"][1]["errors"][0]["message"] == "No existe esa persona."
    assert body["items"][2]["errors"][0]["field"] == "channel"
    assert body["items"][1]["id"] is None and body["items"][1]["reference"] is None
    first = Case.objects.get(pk=body["items"][0]["id"])
    assert first.reference == body["items"][0]["reference"]
    assert (first.party_id, first.priority, first.location_text) == (party.pk, "high", "C/ Real 1")
    assert first.department.code == service.department.code  # routed as any case
    assert Case.objects.filter(party=party).count() == 2
    # Each opened case is audited and heard by other systems, as one opened alone is.
    opened = AuditEntry.objects.filter(action=Action.CASE_CREATE)
    assert {entry.object_id for entry in opened} == {
        body["items"][0]["id"],
        body["items"][3]["id"],
    }
    assert Event.objects.filter(subject=body["items"][3]["reference"]).exists()


def test_sending_the_same_keys_again_gives_back_the_first_cases(
    api: Client, actor: Actor, service: PublicService
) -> None:
    party = make_party(actor)
    first = send(api, [item("exp-1", party.pk, service), item("exp-2", party.pk, service)]).json()

    again = send(
        api,
        [
            item("exp-2", party.pk, service),
            item("exp-1", party.pk, service),
            item("exp-3", party.pk, service),
        ],
    ).json()

    assert [r["status"] for r in again["items"]] == ["existing", "existing", "created"]
    assert again["items"][0]["reference"] == first["items"][1]["reference"]
    assert again["items"][1]["id"] == first["items"][0]["id"]
    assert Case.objects.filter(party=party).count() == 3


def test_a_key_given_twice_in_one_call_is_refused_the_second_time(
    api: Client, actor: Actor, service: PublicService
) -> None:
    party = make_party(actor)

    body = send(api, [item("exp-1", party.pk, service), item("exp-1", party.pk, service)]).json()

    assert [r["status"] for r in body["items"]] == ["created", "failed"]
    assert body["items"][1]["errors"][0]["field"] == "external_id"
    assert Case.objects.filter(party=party).count() == 1


def test_keys_belong_to_the_agency_that_sent_them(
    api: Client, actor: Actor, service: PublicService
) -> None:
    party = make_party(actor)
    _key, secret = apikey_create(
        actor=OPERATOR, name="salud", agency_code="salud", scopes=["cases:write"]
    )
    health = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    town_hall = send(api, [item("1", party.pk, service)]).json()
    regional = send(health, [item("1", party.pk, service)]).json()

    assert town_hall["items"][0]["status"] == regional["items"][0]["status"] == "created"
    assert town_hall["items"][0]["id"] != regional["items"][0]["id"]
    assert CaseKey.objects.filter(external_id="1").count() == 2


@pytest.mark.parametrize(
    "body",
    [
        {"items": []},
        {"items": [{"external_id": "x", "service": "s", "channel": "web"}]},
        {"items": [{"party_id": "9b6f0a52-8c1e-4c55-a7d3-6c1e0f4c9a10", "channel": "web"}]},
        {"cases": []},
    ],
)
def test_a_call_that_is_not_well_formed_is_refused_whole(api: Client, body: Any) -> None:
    response = api.post(URL, json.dumps(body), content_type="application/json")

    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    assert not Case.objects.exists()


def test_more_than_a_thousand_items_are_refused(
    api: Client, actor: Actor, service: PublicService
) -> None:
    party = make_party(actor)

    response = send(api, [item(str(n), party.pk, service) for n in range(1001)])

    assert response.status_code == 422
    assert not Case.objects.exists()


def test_a_key_sent_by_two_calls_at_once_opens_one_case(
    transactional_db: None, actor: Actor, service: PublicService
) -> None:
    party = make_party(actor)
    barrier = threading.Barrier(2)
    results: list[Any] = []

    def send_once() -> None:
        try:
            barrier.wait()
            [result] = case_open_many(
                actor=actor,
                items=[
                    CaseItem(
                        external_id="exp-1",
                        party_id=party.pk,
                        service_code=service.code,
                        channel="web",
                    )
                ],
            )
            results.append(result)
        finally:
            connection.close()

    threads = [threading.Thread(target=send_once) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(result.status for result in results) == ["created", "existing"]
    assert len({result.case.pk for result in results}) == 1
    assert Case.objects.filter(party=party).count() == 1
