"""The batch door for other systems' contacts: up to 1,000 per call, each recorded whole or not
at all with its own result, the same key sent again giving back the first contact, and a call
that is not well formed refused whole as problem+json."""

from __future__ import annotations

import gc
import json
from typing import Any

import pytest
from django.test import Client

from tests.conftest import OPERATOR
from tests.factories import make_party
from ventanilla.access.actors import Actor
from ventanilla.access.services import apikey_create
from ventanilla.audit.models import AuditEntry
from ventanilla.catalog.models import PublicService
from ventanilla.events.models import Event
from ventanilla.interactions.models import ContactKey, Interaction

pytestmark = pytest.mark.django_db

URL = "/api/v1/batch/contacts"


def send(client: Client, items: list[dict[str, Any]]) -> Any:
    return client.post(URL, json.dumps({"items": items}), content_type="application/json")


def item(key: str, party_id: Any, **fields: Any) -> dict[str, Any]:
    return {
        "external_id": key,
        "party_id": str(party_id),
        "channel": "phone",
        "summary": f"Llamada {key} del sistema antiguo",
        **fields,
    }


def test_each_item_gets_its_result_and_a_bad_one_does_not_sink_the_others(
    api: Client, actor: Actor, service: PublicService
) -> None:
    party = make_party(actor)
    audit_before = AuditEntry.objects.count()

    response = send(
        api,
        [
            item("crm-1", party.pk, kind="complaint", duration_seconds=120),
            item("crm-2", "9b6f0a52-8c1e-4c55-a7d3-6c1e0f4c9a10"),
            item("crm-3", party.pk, channel="paloma"),
            item("crm-4", party.pk, service="licencia-obra-menor"),
        ],
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["existing"], body["failed"]) == (2, 0, 2)
    assert [r["status"] for r in body["items"]] == ["created", "failed", "failed", "created"]
    assert body["items"][1]["errors"] == [{"field": "party", "message": "No existe esa persona."}]
    assert body["items"][2]["errors"][0]["field"] == "channel"
    first = Interaction.objects.get(pk=body["items"][0]["id"])
    assert (first.party_id, first.kind, first.duration_seconds) == (party.pk, "complaint", 120)
    assert first.agency.code == "ayto"
    assert Interaction.objects.filter(party=party, channel_id="phone").count() == 2
    # Each recorded contact is audited and heard by other systems, as one recorded alone is.
    assert AuditEntry.objects.count() == audit_before + 2
    assert Event.objects.filter(
        type="es.ventanilla.interaction.recorded", subject=body["items"][3]["id"]
    ).exists()


def test_sending_the_same_keys_again_gives_back_the_first_contacts(
    api: Client, actor: Actor
) -> None:
    party = make_party(actor)
    first = send(api, [item("crm-1", party.pk), item("crm-2", party.pk)]).json()

    again = send(api, [item("crm-2", party.pk), item("crm-1", party.pk), item("crm-3", party.pk)])

    body = again.json()
    assert [r["status"] for r in body["items"]] == ["existing", "existing", "created"]
    assert body["items"][0]["id"] == first["items"][1]["id"]
    assert body["items"][1]["id"] == first["items"][0]["id"]
    assert Interaction.objects.filter(party=party, channel_id="phone").count() == 3


def test_a_key_given_twice_in_one_call_is_refused_the_second_time(
    api: Client, actor: Actor
) -> None:
    party = make_party(actor)

    body = send(api, [item("crm-1", party.pk), item("crm-1", party.pk)]).json()

    assert [r["status"] for r in body["items"]] == ["created", "failed"]
    assert body["items"][1]["errors"][0]["field"] == "external_id"


def test_keys_belong_to_the_agency_that_sent_them(api: Client, actor: Actor, town: Any) -> None:
    party = make_party(actor)
    _key, secret = apikey_create(
        actor=OPERATOR, name="salud", agency_code="salud", scopes=["interactions:write"]
    )
    health = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    town_hall = send(api, [item("1", party.pk)]).json()
    regional = send(health, [item("1", party.pk)]).json()

    assert town_hall["items"][0]["status"] == regional["items"][0]["status"] == "created"
    assert town_hall["items"][0]["id"] != regional["items"][0]["id"]
    assert ContactKey.objects.filter(external_id="1").count() == 2


@pytest.mark.parametrize(
    "body",
    [
        {"items": []},
        {"items": [{"external_id": "x", "channel": "phone", "summary": "sin persona"}]},
        {"contacts": []},
    ],
)
def test_a_call_that_is_not_well_formed_is_refused_whole(api: Client, body: Any) -> None:
    response = api.post(URL, json.dumps(body), content_type="application/json")

    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    assert not Interaction.objects.exists()


def test_more_than_a_thousand_items_are_refused(api: Client, actor: Actor) -> None:
    party = make_party(actor)

    response = send(api, [item(str(n), party.pk) for n in range(1001)])

    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    assert not Interaction.objects.filter(party=party).exists()


def test_a_thousand_items_are_recorded_in_one_call(api: Client, actor: Actor) -> None:
    party = make_party(actor)

    response = send(api, [item(f"crm-{n}", party.pk) for n in range(1000)])

    assert response.status_code == 200
    assert response.json()["created"] == 1000
    assert Interaction.objects.filter(party=party).count() == 1000


def test_a_calls_contacts_are_freed_when_it_ends_not_left_for_the_garbage_collector(
    api: Client, actor: Actor
) -> None:
    # Rows held in reference cycles wait for a full collection, which walks the whole process:
    # a batch call that left its thousand contacts so cost every other call a tenth of a second.
    party = make_party(actor)
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        assert send(api, [item(f"crm-{n}", party.pk) for n in range(50)]).status_code == 200
        gc.collect()
        left = [
            o for o in gc.garbage if isinstance(o, (Interaction, ContactKey, AuditEntry, Event))
        ]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()

    assert left == []
