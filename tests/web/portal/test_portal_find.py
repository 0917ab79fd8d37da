"""Finding a service on the portal's front page: links, the order of a life, and a search that
forgives accents, capitals and a typo, in the reader's language, with and without JavaScript."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.conftest import portal_client
from tests.factories import make_party
from ventanilla.access.actors import Actor
from ventanilla.catalog.models import Agency, LifeEvent
from ventanilla.catalog.selectors import catalogue_search, word_matches
from ventanilla.catalog.services import life_event_ensure, service_ensure

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(town: dict[str, Agency]) -> dict[str, LifeEvent]:
    events = {
        "z-muerte": life_event_ensure(
            code="a-defuncion", kind="life", name_es="Fallecimiento", name_en="Death", position=90
        ),
        "hijos": life_event_ensure(
            code="hijos", kind="life", name_es="Tener hijos", name_en="Having children", position=30
        ),
        "nacer": life_event_ensure(
            code="z-nacimiento", kind="life", name_es="Nacimiento", name_en="Birth", position=10
        ),
        "empresa": life_event_ensure(
            code="b-empresa", kind="business", name_es="Crear una empresa",
            name_en="Starting a business", position=5,
        ),
    }  # fmt: skip
    service_ensure(
        code="empadronamiento", name_es="Certificado de empadronamiento",
        name_en="Certificate of residence", department=town["padron"], channels=["web"],
        life_events=[events["nacer"]],
    )  # fmt: skip
    service_ensure(
        code="licencia-obra-menor", name_es="Licencia de obra menor",
        name_en="Minor works permit", department=town["urbanismo"], channels=["web"],
    )  # fmt: skip
    service_ensure(
        code="cheque-bebe", name_es="Cheque bebé", name_en="Baby grant",
        department=town["ayto"], channels=["web"], life_events=[events["hijos"]],
    )  # fmt: skip
    return events


def es() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="es")


def event_links(client: Client) -> list[str]:
    page = client.get("/portal/").content.decode()
    return re.findall(r'href="/portal/life-events/([\w-]+)/"', page)


def found_services(client: Client, query: str) -> list[str]:
    page = client.get("/portal/search/", {"q": query}).content.decode()
    return re.findall(r'href="/portal/services/([\w-]+)/request/"', page)


@pytest.mark.parametrize(
    "query",
    ["empadronamiento", "empadronamento", "EMPADRONAMIENTO", "empadronamiénto", "empadron",
     "certificado empadronamiento", "empadornamiento"],
)  # fmt: skip
def test_the_search_finds_a_service_whatever_the_accents_capitals_or_a_typo(
    catalogue: dict[str, LifeEvent], query: str
) -> None:
    assert found_services(es(), query) == ["empadronamiento"]


def test_the_search_finds_a_service_by_two_words_one_of_them_plural(
    catalogue: dict[str, LifeEvent],
) -> None:
    assert found_services(es(), "licencia obras") == ["licencia-obra-menor"]


def test_the_search_reads_the_names_in_the_readers_language(
    catalogue: dict[str, LifeEvent],
) -> None:
    english = Client(HTTP_ACCEPT_LANGUAGE="en")

    assert found_services(english, "minor works") == ["licencia-obra-menor"]
    assert found_services(english, "licencia") == []
    page = english.get("/portal/search/", {"q": "having childen"}).content.decode()
    assert 'href="/portal/life-events/hijos/"' in page and "Having children" in page


def test_a_search_that_finds_nothing_says_so_and_short_words_need_no_typo(
    catalogue: dict[str, LifeEvent],
) -> None:
    page = es().get("/portal/search/", {"q": "pasaporte"}).content.decode()

    assert 'data-testid="no-results"' in page and "pasaporte" in page
    assert not word_matches("obta", "obra")
    assert word_matches("obras", "obra")


def test_searching_as_you_type_returns_only_the_results_for_htmx(
    catalogue: dict[str, LifeEvent],
) -> None:
    response = es().get("/portal/search/", {"q": "cheque"}, HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert "<html" not in body and 'href="/portal/services/cheque-bebe/request/"' in body
    assert "HX-Request" in response["Vary"]


def test_the_search_costs_the_same_few_queries_however_many_services_match(
    catalogue: dict[str, LifeEvent], django_assert_max_num_queries: object
) -> None:
    with django_assert_max_num_queries(2):  # type: ignore[operator]
        hits = catalogue_search(query="e")
    assert hits.empty


def test_the_front_page_links_every_life_event_and_service_in_the_order_of_a_life(
    catalogue: dict[str, LifeEvent],
) -> None:
    page = es().get("/portal/").content.decode()

    assert event_links(es()) == ["z-nacimiento", "hijos", "a-defuncion", "b-empresa"]
    assert 'href="/portal/services/empadronamiento/request/"' in page
    assert 'href="/portal/services/cheque-bebe/request/"' in page
    assert 'role="search"' in page and 'action="/portal/search/"' in page


def test_life_events_the_editors_did_not_place_follow_by_name_in_the_readers_language(
    town: dict[str, Agency],
) -> None:
    life_event_ensure(code="a1", kind="life", name_es="Zapatos", name_en="Apples")
    life_event_ensure(code="a2", kind="life", name_es="Árboles", name_en="Zebras")

    spanish = re.findall(
        r'href="/portal/life-events/([\w-]+)/"', es().get("/portal/").content.decode()
    )
    english = re.findall(
        r'href="/portal/life-events/([\w-]+)/"',
        Client(HTTP_ACCEPT_LANGUAGE="en").get("/portal/").content.decode(),
    )
    assert (spanish, english) == (["a2", "a1"], ["a1", "a2"])


def test_the_signed_in_list_of_services_offers_the_same_search(
    catalogue: dict[str, LifeEvent], actor: Actor
) -> None:
    page = portal_client(make_party(actor)).get("/portal/services/").content.decode()

    assert 'role="search"' in page and 'action="/portal/search/"' in page


def test_the_portal_keeps_the_catalogue_yet_shows_a_change_at_once(
    town: dict[str, Agency],
) -> None:
    event = life_event_ensure(code="a1", kind="life", name_es="Zapatos", name_en="Apples")
    assert "Zapatos" in es().get("/portal/").content.decode()
    assert "Zapatos" in es().get("/portal/search/?q=zapatos").content.decode()

    event.name_es = "Sandalias"
    event.save()

    front = es().get("/portal/").content.decode()
    found = es().get("/portal/search/?q=sandalias").content.decode()
    assert "Sandalias" in front and "Zapatos" not in front
    assert "Sandalias" in found


def test_the_list_of_services_is_kept_yet_shows_a_change_at_once_in_each_language(
    catalogue: dict[str, LifeEvent], town: dict[str, Agency], actor: Actor
) -> None:
    party = make_party(actor)
    spanish, english = portal_client(party, "es"), portal_client(party, "en")
    assert "Licencia de obra menor" in spanish.get("/portal/services/").content.decode()
    assert "Minor works permit" in english.get("/portal/services/").content.decode()

    service_ensure(
        code="licencia-obra-menor", name_es="Licencia de obras menores",
        name_en="Small works permit", department=town["urbanismo"], channels=["web"],
    )  # fmt: skip
    service_ensure(
        code="vado", name_es="Vado permanente", name_en="Dropped kerb",
        department=town["urbanismo"], channels=["web"],
    )  # fmt: skip

    spanish_page = spanish.get("/portal/services/").content.decode()
    english_page = english.get("/portal/services/").content.decode()
    assert "Licencia de obras menores" in spanish_page
    assert "Licencia de obra menor<" not in spanish_page
    assert "Small works permit" in english_page and "Minor works permit" not in english_page
    assert 'href="/portal/services/vado/request/"' in spanish_page
    assert "Dropped kerb" in english_page and "Vado permanente" not in english_page
