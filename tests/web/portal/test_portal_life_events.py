"""A life-event request on the portal: services chosen deliberately, each one's own questions
asked and checked, one message for the whole request, and one status page found again from
"My cases"."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import portal_client
from tests.factories import make_party
from ventanilla.access.actors import Actor, actor_for_user
from ventanilla.cases.models import Case, LifeEventRequest
from ventanilla.catalog.models import Agency, LifeEvent
from ventanilla.catalog.services import life_event_ensure, service_ensure
from ventanilla.notifications.models import Notification
from ventanilla.parties.models import Party

pytestmark = pytest.mark.django_db

GRANT_FORM = {
    "type": "object",
    "properties": {
        "nombre_bebe": {"type": "string", "title": "Nombre del bebé", "x-title-en": "Baby's name",
                        "maxLength": 100, "x-order": 1},
        "fecha_nacimiento": {"type": "string", "format": "date", "title": "Fecha de nacimiento",
                             "x-title-en": "Date of birth", "x-order": 2},
    },
    "required": ["nombre_bebe", "fecha_nacimiento"],
}  # fmt: skip
CARD_FORM = {
    "type": "object",
    "properties": {
        "centro": {"type": "string", "title": "Centro de salud", "x-title-en": "Health centre",
                   "oneOf": [{"const": "norte", "title": "Norte", "x-title-en": "North"},
                             {"const": "sur", "title": "Sur", "x-title-en": "South"}]},
    },
    "required": ["centro"],
}  # fmt: skip


@pytest.fixture
def agent(make_staff: Any) -> Actor:
    return actor_for_user(make_staff("mgarcia.padron", "padron", "agent"))


@pytest.fixture
def citizen(agent: Actor) -> Party:
    return make_party(agent, given_name="Lucía", family_name_1="Vega")


@pytest.fixture
def children(town: dict[str, Agency]) -> LifeEvent:
    event = life_event_ensure(
        code="hijos", kind="life", name_es="Tener hijos", name_en="Having children"
    )
    for code, name_es, name_en, department, form in [
        ("inscripcion-padron", "Inscripción en el padrón", "Register the baby", "padron", {}),
        ("tarjeta-sanitaria", "Tarjeta sanitaria", "Health card", "salud", CARD_FORM),
        ("cheque-bebe", "Cheque bebé", "Baby grant", "ayto", GRANT_FORM),
    ]:
        service_ensure(
            code=code, name_es=name_es, name_en=name_en, department=town[department],
            channels=["web"], life_events=[event], input_schema=form,
        )  # fmt: skip
    return event


ANSWERS = {
    "services": ["cheque-bebe", "tarjeta-sanitaria"],
    "cheque-bebe-form_nombre_bebe": "Martina",
    "cheque-bebe-form_fecha_nacimiento": "2026-11-20",
    "tarjeta-sanitaria-form_centro": "sur",
    "description": "Nació el 20 de noviembre",
}


def test_no_service_is_ticked_for_the_citizen(children: LifeEvent, citizen: Party) -> None:
    page = portal_client(citizen).get("/portal/life-events/hijos/").content.decode()

    assert page.count('name="services"') == 3
    assert " checked" not in page


def test_continuing_with_nothing_ticked_says_to_choose_and_stays_on_the_list(
    children: LifeEvent, citizen: Party
) -> None:
    response = portal_client(citizen).get("/portal/life-events/hijos/", {"next": "1"})

    page = response.content.decode()
    assert response.status_code == 422
    assert 'id="id_services_error"' in page and "Choose at least one service." in page


def test_the_chosen_services_ask_their_own_questions_and_no_others(
    children: LifeEvent, citizen: Party
) -> None:
    page = (
        portal_client(citizen)
        .get("/portal/life-events/hijos/", {"services": ["cheque-bebe", "tarjeta-sanitaria"]})
        .content.decode()
    )

    assert 'name="cheque-bebe-form_nombre_bebe"' in page and "Baby&#x27;s name" in page
    assert 'name="tarjeta-sanitaria-form_centro"' in page and ">South</option>" in page
    assert "Register the baby" not in page
    assert "Questions for Baby grant" in page


def test_wrong_answers_are_shown_by_each_field_and_nothing_is_opened_or_sent(
    children: LifeEvent, citizen: Party
) -> None:
    wrong = ANSWERS | {
        "cheque-bebe-form_fecha_nacimiento": "",
        "tarjeta-sanitaria-form_centro": "x",
    }

    response = portal_client(citizen).post("/portal/life-events/hijos/", wrong)

    page = response.content.decode()
    assert response.status_code == 422
    assert re.search(
        r'id="id_cheque-bebe-form_fecha_nacimiento_error" class="error">This field is required',
        page,
    )
    assert re.search(
        r'id="id_tarjeta-sanitaria-form_centro_error" class="error">Choose one of the listed', page
    )
    assert 'value="Martina"' in page  # what was typed is kept
    assert not LifeEventRequest.objects.exists() and not Case.objects.exists()
    assert not Notification.objects.exists()


def test_one_request_opens_a_case_per_chosen_service_with_its_answers_and_sends_one_message(
    children: LifeEvent, citizen: Party
) -> None:
    response = portal_client(citizen).post("/portal/life-events/hijos/", ANSWERS)

    request = LifeEventRequest.objects.get(party=citizen)
    assert response["Location"] == f"/portal/me/life-events/{request.pk}/"
    cases = {c.service.code: c for c in request.cases.select_related("service")}
    assert cases["cheque-bebe"].form_data == {
        "nombre_bebe": "Martina",
        "fecha_nacimiento": "2026-11-20",
    }
    assert cases["tarjeta-sanitaria"].form_data == {"centro": "sur"}
    messages = list(Notification.objects.filter(party=citizen))
    assert sorted(m.medium for m in messages) == ["email", "sms"]
    assert {m.event for m in messages} == {"life_event_opened"}
    email = next(m for m in messages if m.medium == "email")
    assert (
        email.subject
        == {
            "es": "Hemos recibido su solicitud: Tener hijos",
            "en": "We have received your request: Having children",
        }[email.language]
    )
    for case in cases.values():
        assert case.reference in email.body
    assert f"/portal/me/life-events/{request.pk}/" in email.body


def test_my_cases_lists_the_request_once_with_its_cases_and_leads_to_its_status(
    children: LifeEvent, citizen: Party, make_staff: Any
) -> None:
    client = portal_client(citizen)
    client.post("/portal/life-events/hijos/", ANSWERS)
    request = LifeEventRequest.objects.get(party=citizen)

    page = client.get("/portal/me/cases/").content.decode()

    assert page.count('data-testid="my-request"') == 1
    assert f'href="/portal/me/life-events/{request.pk}/"' in page
    assert "Having children" in page and "0 of 2 done" in page
    status = client.get(f"/portal/me/life-events/{request.pk}/").content.decode()
    assert "Baby grant" in status and "Health card" in status and "In progress" in status


def test_a_request_whose_cases_are_all_finished_moves_to_finished(
    children: LifeEvent, citizen: Party, make_staff: Any
) -> None:
    from ventanilla.cases.services import case_transition

    client = portal_client(citizen)
    client.post("/portal/life-events/hijos/", ANSWERS | {"services": ["cheque-bebe"]})
    case = Case.objects.get(party=citizen)
    clerk = actor_for_user(make_staff("ayto1", "ayto", "agent"))
    for action in ("accept", "resolve", "close"):
        case_transition(actor=clerk, case_id=case.pk, action=action, reason="Hecho")

    page = client.get("/portal/me/cases/").content.decode()

    finished = page.split('id="past-cases"')[1]
    assert 'data-testid="my-request"' in finished and "All done" in finished


def test_another_citizen_cannot_see_the_combined_status(
    children: LifeEvent, citizen: Party, agent: Actor
) -> None:
    portal_client(citizen).post("/portal/life-events/hijos/", ANSWERS)
    request = LifeEventRequest.objects.get(party=citizen)
    stranger = make_party(agent)

    assert portal_client(stranger).get(f"/portal/me/life-events/{request.pk}/").status_code == 404


def test_my_cases_costs_the_same_queries_for_one_request_as_for_many(
    children: LifeEvent, citizen: Party
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ventanilla.access.actors import actor_for_citizen
    from ventanilla.cases.selectors import my_cases

    client = portal_client(citizen)
    me = actor_for_citizen(citizen)

    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            my_cases(actor=me)
        return len(queries)

    client.post("/portal/life-events/hijos/", ANSWERS)
    one = cost()
    for _ in range(3):
        client.post("/portal/life-events/hijos/", ANSWERS)

    assert cost() == one
    open_entries, _past = my_cases(actor=me)
    assert [len(getattr(entry, "cases", [])) for entry in open_entries] == [2, 2, 2, 2]
