"""The staff console's pages over HTTP: who may see them, what they show, in which language."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import PASSWORD, sign_in
from tests.factories import make_party
from ventanilla.access.actors import Actor
from ventanilla.interactions.services import interaction_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(agent_user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    sign_in(client, agent_user)
    return client


def add_history(actor: Actor, party: Any, count: int, agency: str | None = None) -> None:
    now = timezone.now()
    for n in range(count):
        interaction_record(
            actor=actor,
            party_id=party.pk,
            channel=["web", "phone", "desk", "email"][n % 4],
            summary=f"Contacto número {n}",
            agency_code=agency,
            occurred_at=now - timedelta(hours=n + 1),
        )


def test_an_anonymous_visitor_is_sent_to_the_sign_in_page() -> None:
    response = Client().get("/console/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_signed_in_user_without_an_agency_is_refused(town: Any) -> None:
    get_user_model().objects.create_user(username="nadie", password=PASSWORD)
    client = Client()
    sign_in(client, "nadie")

    assert client.get("/console/").status_code == 403


def test_search_as_you_type_returns_only_the_results_fragment(
    staff_client: Client, actor: Actor
) -> None:
    party = make_party(actor, given_name="Íñigo", family_name_1="Peña", family_name_2="Cañizares")

    response = staff_client.get("/console/", {"q": "inigo pena"}, HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert response.status_code == 200
    assert "Íñigo Peña Cañizares" in body
    assert f"DNI {party.identifiers.get().value}" in body  # tells namesakes apart
    assert "<html" not in body
    assert "1 ciudadano encontrado" in body


def test_a_search_with_no_match_says_so(staff_client: Client, town: Any) -> None:
    response = staff_client.get("/console/", {"q": "zzyzx"})

    assert "Ningún ciudadano coincide con la búsqueda." in response.content.decode()


def test_the_360_page_shows_profile_identifiers_and_the_newest_contact_first(
    staff_client: Client, actor: Actor
) -> None:
    party = make_party(actor, given_name="Lucía", family_name_1="Martín", family_name_2="Gil")
    add_history(actor, party, 3)

    body = staff_client.get(f"/console/parties/{party.pk}/").content.decode()

    assert "Lucía Martín Gil" in body
    assert party.identifiers.get().value in body
    assert body.index("Contacto número 0") < body.index("Contacto número 2")


def test_the_360_page_costs_the_same_queries_for_a_long_history(
    staff_client: Client, actor: Actor
) -> None:
    short = make_party(actor)
    long = make_party(actor)
    add_history(actor, short, 2)
    add_history(actor, long, 120)
    staff_client.get(f"/console/parties/{short.pk}/")  # the catalogue, read once then kept

    with CaptureQueriesContext(connection) as short_queries:
        staff_client.get(f"/console/parties/{short.pk}/")
    with CaptureQueriesContext(connection) as long_queries:
        staff_client.get(f"/console/parties/{long.pk}/")

    assert len(long_queries) == len(short_queries)


def test_an_unknown_party_is_a_404_page(staff_client: Client) -> None:
    response = staff_client.get("/console/parties/00000000-0000-4000-8000-000000000000/")

    assert response.status_code == 404


def test_the_console_speaks_english_when_the_browser_asks_for_it(
    agent_user: Any, town: Any
) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, agent_user)

    body = client.get("/console/").content.decode()

    assert "Find a citizen" in body
    assert 'lang="en"' in body


def test_the_language_switch_changes_the_language_of_the_next_page(
    staff_client: Client,
) -> None:
    staff_client.post("/i18n/setlang/", {"language": "en", "next": "/console/"})

    assert "Find a citizen" in staff_client.get("/console/").content.decode()


def test_the_portal_lists_services_by_life_event_for_anyone(service: Any) -> None:
    from ventanilla.catalog.services import life_event_ensure

    event = life_event_ensure(
        code="mudanza", kind="life", name_es="Cambio de domicilio", name_en="Moving house"
    )
    service.life_events.add(event)

    body = Client(HTTP_ACCEPT_LANGUAGE="en").get("/portal/").content.decode()

    assert "Moving house" in body
    assert "Minor works permit" in body
    assert "10 working days" in body


def test_the_timeline_links_each_document_and_the_link_downloads_it(
    staff_client: Client, actor: Actor, settings: Any, tmp_path: Any
) -> None:
    import io

    from ventanilla.interactions.services import attachment_add

    settings.MEDIA_ROOT = tmp_path
    party = make_party(actor)
    interaction = interaction_record(
        actor=actor, party_id=party.pk, channel="desk", summary="Trae el contrato"
    )
    attachment_add(
        actor=actor,
        interaction_id=interaction.pk,
        file_name="contrato.txt",
        content=io.BytesIO(b"Contrato de alquiler"),
        size=20,
    )

    page = staff_client.get(f"/console/parties/{party.pk}/").content.decode()

    assert "Documento: contrato.txt" in page
    link = page.split('class="attachment" href="', 1)[1].split('"', 1)[0]
    download = staff_client.get(link)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"Contrato de alquiler"
