"""The citizen's cases in the portal: only their own, only the public chain; a message, a
cancellation with its reason, the satisfaction answer once (reopening when the service says so),
one request for a life event opening a case in each agency with one combined status, and a
service form that keeps what was typed when it is refused."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from tests.conftest import portal_client
from tests.factories import make_party
from tests.jobs import run_queued_jobs
from ventanilla.access.actors import Actor, actor_for_citizen, actor_for_user
from ventanilla.audit.models import AuditEntry
from ventanilla.cases.models import Case, CaseEvent, LifeEventRequest
from ventanilla.cases.services import case_note_add, case_open, case_transition
from ventanilla.catalog.models import Agency, LifeEvent, PublicService
from ventanilla.catalog.services import life_event_ensure, service_ensure
from ventanilla.interactions.models import SatisfactionAnswer
from ventanilla.parties.models import Party
from ventanilla.parties.services import ContactPointInput, IdentifierInput
from ventanilla.privacy.selectors import disclosures_of_party

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(make_staff: Any) -> Actor:
    """Staff of the planning department, with a user name the citizen must never see."""
    return actor_for_user(make_staff("jperez.urbanismo", "urbanismo", "agent"))


@pytest.fixture
def citizen(agent: Actor) -> Party:
    return make_party(agent, given_name="Lucía", family_name_1="Vega")


@pytest.fixture
def neighbour(agent: Actor) -> Party:
    return make_party(agent, given_name="Pedro", family_name_1="Sanz")


def open_case(agent: Actor, party: Party, service: PublicService, text: str = "") -> Case:
    return case_open(
        actor=agent, party_id=party.pk, service_code=service.code, channel="web", description=text
    )


def step(agent: Actor, case: Case, *actions: str, reason: str = "Hecho") -> Case:
    for action in actions:
        case = case_transition(actor=agent, case_id=case.pk, action=action, reason=reason)
    return case


def test_a_citizen_sees_their_own_cases_with_status_due_date_and_department(
    agent: Actor, citizen: Party, neighbour: Party, service: PublicService
) -> None:
    mine = open_case(agent, citizen, service)
    theirs = open_case(agent, neighbour, service)

    page = portal_client(citizen).get("/portal/me/cases/").content.decode()

    assert mine.reference in page and "Received" in page and "Planning" in page
    assert theirs.reference not in page


def test_another_citizens_case_is_not_found(
    agent: Actor, citizen: Party, neighbour: Party, service: PublicService
) -> None:
    theirs = open_case(agent, neighbour, service, "Obra en Calle Mayor 3")
    client = portal_client(citizen)

    for path in ("", "satisfaction/", "cancel/"):
        assert client.get(f"/portal/me/cases/{theirs.reference}/{path}").status_code == 404
    assert (
        client.post(f"/portal/me/cases/{theirs.reference}/message/", {"text": "Hola"}).status_code
        == 404
    )
    assert not CaseEvent.objects.filter(case=theirs, kind="citizen_reply").exists()


def test_the_case_page_shows_the_public_chain_and_never_internal_notes_or_staff_names(
    agent: Actor, citizen: Party, service: PublicService
) -> None:
    case = open_case(agent, citizen, service)
    case_note_add(actor=agent, case_id=case.pk, text="Vecino conflictivo, ojo", public=False)
    case_note_add(actor=agent, case_id=case.pk, text="Hemos recibido su plano", public=True)
    step(agent, case, "accept", "start")
    step(agent, case, "ask_citizen", reason="Envíe una foto de la fachada")

    page = portal_client(citizen).get(f"/portal/me/cases/{case.reference}/").content.decode()

    assert "Hemos recibido su plano" in page
    assert "Vecino conflictivo" not in page
    assert "jperez" not in page
    assert 'data-testid="asked"' in page and "Envíe una foto de la fachada" in page


def test_reading_a_case_is_audited_as_the_persons_own_view_and_not_a_disclosure(
    agent: Actor, citizen: Party, service: PublicService
) -> None:
    case = open_case(agent, citizen, service)
    before = len(disclosures_of_party(actor=_citizen_actor(citizen)).items)

    portal_client(citizen).get(f"/portal/me/cases/{case.reference}/")

    entry = AuditEntry.objects.filter(object_id=str(case.pk)).latest("id")
    assert entry.action == "party.self_view" and entry.actor.startswith("citizen:")
    assert len(disclosures_of_party(actor=_citizen_actor(citizen)).items) == before


def _citizen_actor(party: Party) -> Actor:
    return actor_for_citizen(party)


def test_a_citizens_message_is_kept_on_the_case_for_the_office(
    agent: Actor, citizen: Party, service: PublicService
) -> None:
    case = open_case(agent, citizen, service)
    client = portal_client(citizen)

    response = client.post(
        f"/portal/me/cases/{case.reference}/message/", {"text": "Adjunto la foto mañana"}
    )

    assert response.status_code == 302
    reply = CaseEvent.objects.get(case=case, kind="citizen_reply")
    assert reply.public and reply.text == "Adjunto la foto mañana"
    assert "You wrote" in client.get(response["Location"]).content.decode()


def test_cancelling_asks_to_confirm_needs_a_reason_and_is_recorded(
    agent: Actor, citizen: Party, service: PublicService
) -> None:
    case = open_case(agent, citizen, service)
    client = portal_client(citizen)
    url = f"/portal/me/cases/{case.reference}/cancel/"
    assert "Cancel this request?" in client.get(url).content.decode()

    refused = client.post(url, {"reason": "", "version": case.version})
    assert refused.status_code == 422 and 'id="id_reason_error"' in refused.content.decode()
    case.refresh_from_db()
    assert case.status == "new"

    done = client.post(url, {"reason": "Ya no lo necesito", "version": case.version})

    assert done.status_code == 302
    case.refresh_from_db()
    assert case.status == "cancelled"
    event = CaseEvent.objects.get(case=case, action="cancel")
    assert event.text == "Ya no lo necesito" and event.public


def closed_case(agent: Actor, citizen: Party, service: PublicService) -> Case:
    case = open_case(agent, citizen, service)
    return step(agent, case, "accept", "start", "resolve", "close", reason="Licencia concedida")


def test_the_satisfaction_answer_is_stored_once(
    agent: Actor, citizen: Party, service: PublicService
) -> None:
    case = closed_case(agent, citizen, service)
    client = portal_client(citizen)
    url = f"/portal/me/cases/{case.reference}/satisfaction/"
    question = client.get(url).content.decode()
    assert 'type="radio"' in question
    assert "How satisfied are you with how your case was handled?" in question
    assert f'action="{url}"' in question

    first = client.post(url, {"score": "4", "comment": "Rápido"})
    again = client.post(url, {"score": "1", "comment": "Cambio de opinión"}, follow=True)

    assert first.status_code == 302
    case.refresh_from_db()
    assert (case.satisfaction, case.satisfaction_comment, case.status) == (4, "Rápido", "closed")
    # The same set as the answers after a desk visit or a call, with the case's own door.
    [answer] = SatisfactionAnswer.objects.filter(case=case)
    assert (answer.channel_id, answer.about, answer.score) == (case.channel_id, case.reference, 4)
    assert "already been rated" in again.content.decode()
    assert "Thank you for your answer" in client.get(url).content.decode()


@pytest.mark.parametrize(("reopens", "status"), [(True, "in_progress"), (False, "closed")])
def test_an_unhappy_answer_reopens_the_case_only_when_the_service_says_so(
    agent: Actor, citizen: Party, service: PublicService, reopens: bool, status: str
) -> None:
    PublicService.objects.filter(pk=service.pk).update(reopen_if_unhappy=reopens)
    case = closed_case(agent, citizen, service)
    client = portal_client(citizen)
    url = f"/portal/me/cases/{case.reference}/satisfaction/"

    thanks = client.post(url, {"score": "2", "comment": "No arreglaron nada"}, follow=True)

    case.refresh_from_db()
    assert case.satisfaction == 2 and case.status == status
    assert ('data-testid="reopened"' in thanks.content.decode()) is reopens


def test_the_satisfaction_link_brings_a_signed_out_citizen_back_after_signing_in(
    agent: Actor,
    service: PublicService,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    cache.clear()  # no sign-in throttle left over from another test
    citizen = make_party(
        agent,
        given_name="Lucía",
        family_name_1="Vega",
        identifiers=[IdentifierInput(scheme="dni", value="12345678Z")],
        contact_points=[ContactPointInput(kind="email", value="lucia@example.org")],
    )
    case = closed_case(agent, citizen, service)
    client = Client()
    url = f"/portal/me/cases/{case.reference}/satisfaction/"
    assert client.get(url)["Location"] == "/portal/sign-in/"
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/portal/sign-in/", {"identifier": "12345678Z", "email": "lucia@example.org"})
    run_queued_jobs()  # the worker emails the link
    link = re.search(r"http://testserver(/portal/sign-in/[A-Za-z0-9_-]+/)", mailoutbox[-1].body)
    assert link is not None

    response = client.post(link.group(1))

    assert response.status_code == 302 and response["Location"] == url
    assert client.get(url).status_code == 200


def test_sign_in_ignores_a_next_that_leaves_the_portal(db: None) -> None:
    client = Client()

    client.get("/portal/sign-in/?next=https://evil.example/portal/")
    assert client.session.get("portal_next") == ""
    client.get("/portal/sign-in/?next=//evil.example/portal/")
    assert client.session.get("portal_next") == ""
    client.get("/portal/sign-in/?next=/portal/me/cases/")
    assert client.session.get("portal_next") == "/portal/me/cases/"


@pytest.fixture
def birth(town: dict[str, Agency]) -> LifeEvent:
    event = life_event_ensure(
        code="nacimiento", kind="life", name_es="Nacimiento", name_en="Having a baby"
    )
    for code, name_es, name_en, department in [
        ("inscripcion-padron", "Inscripción en el padrón", "Register the baby", "padron"),
        ("tarjeta-sanitaria", "Tarjeta sanitaria", "Health card", "salud"),
        ("cheque-bebe", "Cheque bebé", "Baby grant", "ayto"),
    ]:
        service_ensure(
            code=code,
            name_es=name_es,
            name_en=name_en,
            department=town[department],
            channels=["web"],
            life_events=[event],
        )
    return event


def test_a_life_event_request_opens_one_case_per_chosen_service_and_shows_one_status(
    birth: LifeEvent, citizen: Party, make_staff: Any
) -> None:
    client = portal_client(citizen)
    form = client.get("/portal/life-events/nacimiento/").content.decode()
    assert form.count(" checked") == 0

    response = client.post(
        "/portal/life-events/nacimiento/",
        {"services": ["inscripcion-padron", "tarjeta-sanitaria"], "description": "Nació Martina"},
    )

    request = LifeEventRequest.objects.get(party=citizen)
    assert response["Location"] == f"/portal/me/life-events/{request.pk}/"
    cases = {c.service.code: c for c in request.cases.select_related("service", "department")}
    assert set(cases) == {"inscripcion-padron", "tarjeta-sanitaria"}
    assert {c.department.code for c in cases.values()} == {"padron", "salud"}
    nurse = actor_for_user(make_staff("enfermera", "salud", "agent"))
    step(nurse, cases["tarjeta-sanitaria"], "accept", "resolve", "close")
    page = client.get(response["Location"]).content.decode()
    assert "1 of 2 done" in page and "In progress" in page
    assert "Register" in page and "Health" in page
    assert "Each office receives only its own case" in page

    clerk = actor_for_user(make_staff("padron1", "padron", "agent"))
    step(clerk, cases["inscripcion-padron"], "accept", "ask_citizen", reason="Traiga el libro")
    assert "Waiting for you" in client.get(response["Location"]).content.decode()


def test_a_life_event_request_with_nothing_chosen_is_refused_and_opens_nothing(
    birth: LifeEvent, citizen: Party
) -> None:
    response = portal_client(citizen).post("/portal/life-events/nacimiento/", {"description": "x"})

    assert response.status_code == 422 and 'id="id_services_error"' in response.content.decode()
    assert not Case.objects.filter(party=citizen).exists()


def test_another_citizens_life_event_request_is_not_found(
    birth: LifeEvent, citizen: Party, neighbour: Party
) -> None:
    portal_client(neighbour).post("/portal/life-events/nacimiento/", {"services": ["cheque-bebe"]})
    theirs = LifeEventRequest.objects.get(party=neighbour)

    assert portal_client(citizen).get(f"/portal/me/life-events/{theirs.pk}/").status_code == 404


def test_requesting_one_service_opens_a_case_and_shows_it(
    citizen: Party, service: PublicService
) -> None:
    client = portal_client(citizen)
    assert client.get("/portal/services/").status_code == 200

    response = client.post(
        f"/portal/services/{service.code}/request/",
        {"description": "Cambiar el suelo de la cocina", "location_text": "Calle Mayor 3"},
    )

    case = Case.objects.get(party=citizen)
    assert response["Location"] == f"/portal/me/cases/{case.reference}/"
    assert (case.channel_id, case.location_text) == ("web", "Calle Mayor 3")


def test_a_form_that_breaks_the_schema_keeps_what_was_typed_and_shows_the_error_by_the_field(
    citizen: Party, town: dict[str, Agency]
) -> None:
    service = service_ensure(
        code="ocupacion-via",
        name_es="Ocupación de la vía pública",
        name_en="Street occupation",
        department=town["urbanismo"],
        channels=["web"],
        input_schema={
            "type": "object",
            "properties": {
                "metros": {"type": "integer", "title": "Metros", "minimum": 1, "maximum": 50},
                "motivo": {"type": "string", "title": "Motivo", "maxLength": 100},
            },
            "required": ["metros", "motivo"],
        },
    )

    response = portal_client(citizen).post(
        f"/portal/services/{service.code}/request/",
        {"form_metros": "500", "form_motivo": "Andamio", "description": "Fachada"},
    )

    page = response.content.decode()
    assert response.status_code == 422
    assert 'id="id_form_metros_error"' in page and 'aria-invalid="true"' in page
    assert 'value="500"' in page and 'value="Andamio"' in page and "Fachada" in page
    assert 'id="id_form_motivo_error"' not in page
    assert not Case.objects.filter(party=citizen).exists()


def test_my_case_shows_the_place_and_my_answers_by_their_questions(
    citizen: Party, town: dict[str, Agency]
) -> None:
    service = service_ensure(
        code="ocupacion-via",
        name_es="Ocupación de la vía pública",
        name_en="Street occupation",
        department=town["urbanismo"],
        channels=["web"],
        input_schema={
            "type": "object",
            "properties": {
                "metros_ocupados": {"type": "integer", "title": "Metros", "minimum": 1},
                "con_andamio": {"type": "boolean", "title": "Con andamio"},
            },
            "required": ["metros_ocupados"],
        },
    )
    client = portal_client(citizen)
    client.post(
        f"/portal/services/{service.code}/request/",
        {
            "form_metros_ocupados": "6",
            "form_con_andamio": "true",
            "description": "Fachada",
            "location_text": "Calle Mayor 3",
        },
    )
    case = Case.objects.get(party=citizen)

    page = client.get(f"/portal/me/cases/{case.reference}/").content.decode()

    assert "Calle Mayor 3" in page
    assert "Metros" in page and "Con andamio" in page
    assert "metros_ocupados" not in page and "con_andamio" not in page
