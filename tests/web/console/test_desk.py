"""The front line in the console over HTTP: registering a person with the people who may already
be registered shown as the agent types, recording a contact from the 360° page, answering from
the knowledge base and opening a case for a service with its own form. Errors come back next to
their field and save nothing; roles that may not do it are refused and change nothing."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.test import Client

from tests.conftest import sign_in
from tests.factories import make_party
from ventanilla.access.actors import Actor
from ventanilla.audit.models import AuditEntry
from ventanilla.cases.models import Case
from ventanilla.catalog.models import Agency, PublicService
from ventanilla.catalog.services import knowledge_article_ensure, service_ensure
from ventanilla.interactions.models import Interaction
from ventanilla.parties.models import Party
from ventanilla.parties.services import ContactPointInput, IdentifierInput

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(agent_user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    sign_in(client, agent_user)
    return client


@pytest.fixture
def desk_en(agent_user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, agent_user)
    return client


@pytest.fixture
def dpo(make_staff: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, make_staff("delegada", "ayto", "dpo"))
    return client


@pytest.fixture
def ana(actor: Actor) -> Party:
    return make_party(
        actor,
        given_name="Ana",
        family_name_1="Ruiz",
        family_name_2="Sanz",
        birth_date=date(1984, 5, 2),
        identifiers=[IdentifierInput(scheme="dni", value="12345678Z")],
        contact_points=[ContactPointInput(kind="email", value="ana.ruiz@example.org")],
    )


@pytest.fixture
def street_service(town: dict[str, Agency]) -> PublicService:
    return service_ensure(
        code="ocupacion-via",
        name_es="Ocupación de la vía pública",
        name_en="Street occupation",
        department=town["urbanismo"],
        channels=["web", "desk", "phone"],
        input_schema={
            "type": "object",
            "properties": {
                "metros": {
                    "type": "integer",
                    "title": "Metros ocupados",
                    "x-title-en": "Square metres",
                    "minimum": 1,
                    "maximum": 50,
                },
                "motivo": {"type": "string", "title": "Motivo", "x-title-en": "Reason"},
            },
            "required": ["metros", "motivo"],
        },
    )


@pytest.fixture
def article(service: PublicService) -> str:
    knowledge_article_ensure(
        code="obras-plazos",
        title_es="Plazos de las licencias de obra",
        title_en="How long a works permit takes",
        body_es="Una obra menor se resuelve en diez días.",
        body_en="A minor works permit is decided within ten days.",
        keywords="obra licencia",
        service_codes=[service.code],
    )
    return "obras-plazos"


# -- Registering a person ----------------------------------------------------------------------


def test_the_search_page_offers_to_register_a_person_to_those_who_may(
    desk: Client, dpo: Client
) -> None:
    assert "/console/parties/new/" in desk.get("/console/").content.decode()
    assert "/console/parties/new/" not in dpo.get("/console/").content.decode()


def test_people_already_registered_are_offered_as_the_agent_types_a_name(
    desk: Client, ana: Party
) -> None:
    response = desk.get(
        "/console/parties/new/",
        {"given_name": "ana", "family_name_1": "ruiz", "birth_date": "1984-05-02"},
        HTTP_HX_REQUEST="true",
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert "Ana Ruiz Sanz" in page
    assert "nacido/a en 1984" in page
    assert f"/console/parties/{ana.pk}/" in page
    assert "nombre parecido" in page and "misma fecha de nacimiento" in page


def test_a_misspelt_surname_still_offers_the_person_with_how_likely_it_is(
    desk: Client, ana: Party
) -> None:
    response = desk.get(
        "/console/parties/new/",
        {"given_name": "Ana", "family_name_1": "Ruis", "birth_date": "1984-05-02"},
        HTTP_HX_REQUEST="true",
    )

    sentence = re.search(r'data-testid="candidate-sentence">(.*?)</span>', response.text, re.S)
    assert sentence is not None
    assert re.fullmatch(
        r"puede ser <strong>Ana Ruiz Sanz</strong>, nacido/a en 1984, 0,\d\d", sentence[1]
    )


def test_the_likelihood_reads_in_english_too(desk: Client, ana: Party) -> None:
    response = desk.get(
        "/console/parties/new/",
        {"given_name": "Ana", "family_name_1": "Ruiz", "birth_date": "1984-05-02"},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert re.search(
        r"this may be <strong>Ana Ruiz Sanz</strong>, born 1984, (0|1)\.\d\d", response.text
    )


def test_the_same_dni_or_email_is_offered_whatever_the_name(desk: Client, ana: Party) -> None:
    by_dni = desk.get("/console/parties/new/", {"identifier": "12345678-z"}, HTTP_HX_REQUEST="true")
    by_email = desk.get(
        "/console/parties/new/", {"email": "ANA.RUIZ@example.org"}, HTTP_HX_REQUEST="true"
    )

    assert "mismo DNI/NIE" in by_dni.content.decode()
    assert "mismo correo" in by_email.content.decode()
    assert "Ana Ruiz Sanz" in by_email.content.decode()


def test_nobody_is_offered_for_a_name_no_one_has(desk: Client, ana: Party) -> None:
    response = desk.get(
        "/console/parties/new/",
        {"given_name": "Zoe", "family_name_1": "Quintanilla"},
        HTTP_HX_REQUEST="true",
    )

    assert "Ana Ruiz" not in response.content.decode()
    assert "nadie registrado coincide" in response.content.decode()


def test_the_people_offered_are_recorded_in_the_audit_log(desk: Client, ana: Party) -> None:
    desk.get(
        "/console/parties/new/",
        {"given_name": "Ana", "family_name_1": "Ruiz"},
        HTTP_HX_REQUEST="true",
    )

    entry = AuditEntry.objects.filter(action="party.search").latest("id")
    assert entry.detail["shown"] == [str(ana.pk)]


def test_registering_a_person_lands_on_their_360_page(desk: Client, town: Any) -> None:
    response = desk.post(
        "/console/parties/new/",
        {
            "given_name": "Lucía",
            "family_name_1": "Marín",
            "identifier": "X1234567L",
            "birth_date": "1990-01-31",
            "email": "lucia@example.org",
            "phone": "612 345 678",
            "preferred_language": "en",
        },
    )

    party = Party.objects.get(given_name="Lucía")
    assert response.status_code == 302
    assert response["Location"] == f"/console/parties/{party.pk}/"
    assert party.preferred_language == "en"
    assert party.identifiers.get().get_scheme_display() == "NIE"
    assert sorted(party.contact_points.values_list("kind", flat=True)) == ["email", "phone"]


def test_a_bad_phone_is_shown_by_its_field_and_nobody_is_registered(
    desk_en: Client, town: Any
) -> None:
    response = desk_en.post(
        "/console/parties/new/",
        {"given_name": "Lucía", "family_name_1": "Marín", "email": "l@example.org", "phone": "12"},
    )

    page = response.content.decode()
    assert response.status_code == 422
    assert 'id="phone-error"' in page and 'id="email-error"' not in page
    assert 'value="Lucía"' in page
    assert not Party.objects.filter(given_name="Lucía").exists()


def test_a_dni_already_registered_points_to_that_person(desk: Client, ana: Party) -> None:
    before = Party.objects.count()

    response = desk.post(
        "/console/parties/new/",
        {"given_name": "Ana", "family_name_1": "Ruiz", "identifier": "12345678Z"},
    )

    page = response.content.decode()
    assert response.status_code == 422
    assert 'id="identifier-error"' in page
    assert f"/console/parties/{ana.pk}/" in page
    assert Party.objects.count() == before


def test_a_role_that_may_not_register_is_refused_and_nothing_is_registered(
    dpo: Client, town: Any
) -> None:
    response = dpo.post("/console/parties/new/", {"given_name": "Eva", "family_name_1": "Gil"})

    assert response.status_code == 403
    assert not Party.objects.filter(given_name="Eva").exists()


# -- Recording a contact -----------------------------------------------------------------------


def test_the_360_page_offers_the_desk_panels_to_an_agent_only(
    desk: Client, dpo: Client, ana: Party
) -> None:
    agent_page = desk.get(f"/console/parties/{ana.pk}/").content.decode()
    dpo_page = dpo.get(f"/console/parties/{ana.pk}/").content.decode()

    assert "Registrar un contacto" in agent_page
    assert f"/console/parties/{ana.pk}/cases/new/" in agent_page
    assert f"/console/parties/{ana.pk}/knowledge/" in agent_page
    assert "/contacts/new/" not in dpo_page and "/cases/new/" not in dpo_page


def test_a_phone_call_is_recorded_with_its_duration_and_outcome(
    desk: Client, ana: Party, service: PublicService
) -> None:
    response = desk.post(
        f"/console/parties/{ana.pk}/contacts/new/",
        {
            "channel": "phone",
            "direction": "inbound",
            "kind": "question",
            "service": service.code,
            "summary": "Pregunta cuánto tarda la licencia",
            "minutes": "4",
            "seconds": "30",
            "outcome": "answered",
        },
        HTTP_HX_REQUEST="true",
    )

    page = response.content.decode()
    contact = Interaction.objects.get(party=ana)
    assert response.status_code == 200
    assert (contact.channel_id, contact.duration_seconds, contact.outcome) == (
        "phone",
        270,
        "answered",
    )
    assert contact.service == service
    assert 'hx-swap-oob="afterbegin:#timeline-rows"' in page
    assert "Pregunta cuánto tarda la licencia" in page  # the new row of the timeline
    assert "Respondida" in page
    assert 'name="summary"' in page and "Pregunta cuánto" not in page.split("<form")[1]


def test_without_javascript_a_recorded_contact_returns_to_the_360_page(
    desk: Client, ana: Party
) -> None:
    response = desk.post(
        f"/console/parties/{ana.pk}/contacts/new/",
        {"channel": "desk", "direction": "inbound", "kind": "request", "summary": "Cita"}
        | {"outcome": "appointment"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/console/parties/{ana.pk}/"
    assert "Cita" in desk.get(response["Location"]).content.decode()


def test_a_contact_with_errors_shows_them_by_their_fields_in_english_and_saves_nothing(
    desk_en: Client, ana: Party
) -> None:
    response = desk_en.post(
        f"/console/parties/{ana.pk}/contacts/new/",
        {"channel": "phone", "direction": "inbound", "kind": "question", "summary": " "}
        | {"minutes": "3", "seconds": "75", "outcome": ""},
        HTTP_HX_REQUEST="true",
    )

    page = response.content.decode()
    assert response.status_code == 422
    assert "Give whole minutes and seconds from 0 to 59." in page
    assert 'id="contact-duration-error"' in page
    assert 'id="contact-outcome-error"' in page
    assert 'value="75"' in page
    assert not Interaction.objects.filter(party=ana).exists()


def test_a_role_that_may_not_record_contacts_is_refused_and_nothing_is_recorded(
    dpo: Client, ana: Party
) -> None:
    response = dpo.post(
        f"/console/parties/{ana.pk}/contacts/new/",
        {"channel": "phone", "summary": "Hola", "outcome": "answered"},
    )

    assert response.status_code == 403
    assert not Interaction.objects.filter(party=ana).exists()


# -- Answering from the knowledge base ---------------------------------------------------------


def test_the_knowledge_base_answers_from_the_360_page(
    desk: Client, ana: Party, article: str
) -> None:
    response = desk.get(
        f"/console/parties/{ana.pk}/knowledge/", {"kb": "licencia"}, HTTP_HX_REQUEST="true"
    )

    page = response.content.decode()
    assert "Plazos de las licencias de obra" in page
    assert "Una obra menor se resuelve en diez días." in page
    assert f"/console/parties/{ana.pk}/contacts/new/?article={article}" in page


def test_answered_from_an_article_fills_in_the_contact_form(
    desk: Client, ana: Party, article: str, service: PublicService
) -> None:
    response = desk.get(
        f"/console/parties/{ana.pk}/contacts/new/", {"article": article}, HTTP_HX_REQUEST="true"
    )

    page = response.content.decode()
    assert "Respondida desde la base de conocimiento: Plazos de las licencias de obra" in page
    assert f'<option value="{service.code}" selected>' in page
    assert '<option value="answered" selected>' in page
    assert not Interaction.objects.filter(party=ana).exists()  # nothing until it is sent


# -- Opening a case ----------------------------------------------------------------------------


def test_choosing_a_service_shows_its_own_form(
    desk_en: Client, ana: Party, street_service: PublicService
) -> None:
    response = desk_en.get(
        f"/console/parties/{ana.pk}/cases/new/", {"service": street_service.code}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Square metres" in page and 'name="form_metros"' in page
    assert "Reason" in page


def test_a_case_opens_with_its_form_and_records_the_contact_that_opened_it(
    desk: Client, ana: Party, street_service: PublicService
) -> None:
    response = desk.post(
        f"/console/parties/{ana.pk}/cases/new/",
        {
            "service": street_service.code,
            "channel": "phone",
            "priority": "normal",
            "form_metros": "6",
            "form_motivo": "Andamio",
            "description": "Fachada",
            "minutes": "4",
            "seconds": "30",
        },
    )

    case = Case.objects.get(party=ana)
    assert response.status_code == 302
    assert response["Location"] == f"/console/cases/{case.reference}/"
    assert case.form_data == {"metros": 6, "motivo": "Andamio"}
    contact = case.interactions.get()
    assert (contact.channel_id, contact.outcome) == ("phone", "case_opened")
    assert contact.duration_seconds == 270


def test_a_call_timed_wrongly_is_shown_by_its_field_and_opens_nothing(
    desk_en: Client, ana: Party, street_service: PublicService
) -> None:
    response = desk_en.post(
        f"/console/parties/{ana.pk}/cases/new/",
        {
            "service": street_service.code,
            "channel": "phone",
            "form_metros": "6",
            "form_motivo": "Andamio",
            "minutes": "4",
            "seconds": "75",
        },
    )

    page = response.content.decode()
    assert response.status_code == 422
    assert 'id="id_duration_error"' in page
    assert "Give whole minutes and seconds from 0 to 59." in page
    assert "Choose a service." not in page
    assert not Case.objects.filter(party=ana).exists()


def test_a_form_that_breaks_the_schema_shows_the_error_by_the_field_and_opens_nothing(
    desk_en: Client, ana: Party, street_service: PublicService
) -> None:
    response = desk_en.post(
        f"/console/parties/{ana.pk}/cases/new/",
        {"service": street_service.code, "channel": "phone", "form_metros": "500"},
    )

    page = response.content.decode()
    assert response.status_code == 422
    assert 'id="id_form_metros_error"' in page and 'id="id_form_motivo_error"' in page
    assert "Enter a number not greater than 50." in page
    assert 'value="500"' in page
    assert not Case.objects.filter(party=ana).exists()
    assert not Interaction.objects.filter(party=ana).exists()


def test_a_role_that_may_not_open_cases_is_refused_and_nothing_opens(
    dpo: Client, ana: Party, service: PublicService
) -> None:
    response = dpo.post(
        f"/console/parties/{ana.pk}/cases/new/", {"service": service.code, "channel": "desk"}
    )

    assert response.status_code == 403
    assert not Case.objects.exists()


def test_a_new_case_from_the_queue_asks_for_the_person_first(desk: Client, ana: Party) -> None:
    queue = desk.get("/console/cases/").content.decode()
    found = desk.get("/console/cases/new/", {"q": "ana ruiz"}, HTTP_HX_REQUEST="true")

    assert "/console/cases/new/" in queue
    assert f"/console/parties/{ana.pk}/cases/new/" in found.content.decode()
