"""What other systems will hear: each change of a case, a party or a contact writes its
CloudEvent in the change's own transaction, and a change refused writes none."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from tests.factories import make_party
from ventanilla.access.actors import Actor
from ventanilla.cases.models import Case
from ventanilla.cases.services import case_open, case_transition
from ventanilla.catalog.models import PublicService
from ventanilla.core.errors import ValidationFailed
from ventanilla.events.cloudevents import envelope
from ventanilla.events.models import Event
from ventanilla.events.services import EventInput, event_record_many
from ventanilla.interactions.services import interaction_record
from ventanilla.merging.services import party_merge
from ventanilla.parties.services import party_update

pytestmark = pytest.mark.django_db


def types() -> list[str]:
    return list(Event.objects.order_by("seq").values_list("type", flat=True))


def open_case(actor: Actor, service: PublicService, **fields: Any) -> Case:
    party = make_party(actor)
    return case_open(
        actor=actor,
        party_id=party.pk,
        service_code=service.code,
        channel="web",
        description="Obra en el patio de Calle Mayor 3",
        **fields,
    )


def test_opening_a_case_writes_its_event_before_the_contact_that_opened_it(
    actor: Actor, service: PublicService
) -> None:
    case = open_case(actor, service)

    assert types()[-2:] == ["es.ventanilla.case.created", "es.ventanilla.interaction.recorded"]
    created = Event.objects.get(type="es.ventanilla.case.created")
    cloud = envelope(created, personal=False)
    assert cloud["specversion"] == "1.0"
    assert cloud["subject"] == case.reference
    assert cloud["data"]["reference"] == case.reference
    assert cloud["data"]["department"] == "urbanismo"
    assert cloud["data"]["status"] == "new"
    # Ids and codes only, unless the subscriber may see personal data.
    assert "description" not in cloud["data"]
    assert envelope(created, personal=True)["data"]["description"].startswith("Obra en")
    assert created.agency_id == case.department_id


def test_a_refused_opening_writes_no_event(actor: Actor, service: PublicService) -> None:
    party = make_party(actor)
    before = Event.objects.count()

    with pytest.raises(ValidationFailed):
        case_open(actor=actor, party_id=party.pk, service_code=service.code, channel="fax-x")

    assert Event.objects.count() == before


def test_each_step_of_a_case_is_an_event_and_the_last_says_it_closed(
    actor: Actor, service: PublicService, make_staff: Any
) -> None:
    from ventanilla.access.actors import actor_for_user

    worker = actor_for_user(make_staff("tramitadora", "urbanismo", "case_worker"))
    case = open_case(actor, service)
    for action, reason in [("accept", ""), ("start", ""), ("resolve", "Concedida"), ("close", "")]:
        case = case_transition(actor=worker, case_id=case.pk, action=action, reason=reason)

    case_events = Event.objects.filter(order_key=str(case.pk), topic="cases").order_by("seq")
    assert [e.type.rsplit(".", 1)[-1] for e in case_events] == [
        "created",
        "status_changed",
        "status_changed",
        "status_changed",
        "closed",
    ]
    last = case_events.last()
    assert last is not None
    assert last.data["status"] == "closed"
    assert last.data["previous_status"] == "resolved"


def test_a_party_created_changed_and_merged_is_heard(actor: Actor, make_staff: Any) -> None:
    from ventanilla.access.actors import actor_for_user

    supervisor = actor_for_user(make_staff("jefa", "ayto", "supervisor"))
    one = make_party(actor, given_name="Ana")
    two = make_party(actor, given_name="Ana")
    party_update(actor=actor, party_id=one.pk, changes={"given_name": "Anabel"})
    party_merge(actor=supervisor, survivor_id=one.pk, merged_id=two.pk, reason="misma persona")

    party_events = list(Event.objects.filter(topic="parties").order_by("seq"))
    assert [e.type for e in party_events] == [
        "es.ventanilla.party.created",
        "es.ventanilla.party.created",
        "es.ventanilla.party.updated",
        "es.ventanilla.party.merged",
    ]
    assert party_events[2].data["fields"] == ["given_name"]
    assert party_events[2].personal["given_name"] == "Anabel"
    assert party_events[3].data == {
        "party_id": str(two.pk),
        "kind": "person",
        "status": "merged",
        "merged_into": str(one.pk),
    }


def test_a_contact_is_heard_by_its_agency_with_its_summary_kept_apart(actor: Actor) -> None:
    party = make_party(actor)
    contact = interaction_record(
        actor=actor, party_id=party.pk, channel="phone", summary="Pregunta por el padrón"
    )

    event = Event.objects.get(type="es.ventanilla.interaction.recorded")
    assert event.subject == str(contact.pk)
    assert event.agency_id == contact.agency_id
    assert event.data["agency"] == "ayto"
    assert event.data["channel"] == "phone"
    assert "summary" not in event.data
    assert event.personal == {"summary": "Pregunta por el padrón"}


def test_a_batch_of_many_events_is_written_whole_and_numbered_in_its_order() -> None:
    # More rows than one statement takes: written in several, numbered as given.
    items = [
        EventInput(kind="party.created", subject=f"p{n}", order_key=f"p{n}", data={"n": n})
        for n in range(2345)
    ]
    with transaction.atomic():
        written = event_record_many(items)

    stored = list(Event.objects.order_by("seq").values_list("seq", "subject", "data"))
    assert [subject for _, subject, _ in stored] == [f"p{n}" for n in range(2345)]
    assert [row.pk for row in written] == [seq for seq, _, _ in stored]
    assert stored[-1][2] == {"n": 2344}
