"""Searching the knowledge base: words in either language, accents ignored, the service's own
articles first, and only for those allowed to read the catalogue."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import OPERATOR, sign_in
from ventanilla.access.actors import Actor
from ventanilla.access.services import apikey_create
from ventanilla.audit.models import AuditEntry
from ventanilla.catalog.models import PublicService
from ventanilla.catalog.selectors import knowledge_search
from ventanilla.catalog.services import knowledge_article_ensure, service_ensure
from ventanilla.core.errors import PermissionDenied

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles(town: dict[str, Any], service: PublicService) -> None:
    service_ensure(
        code="certificado-empadronamiento",
        name_es="Certificado de empadronamiento",
        name_en="Certificate of residence",
        department=town["padron"],
    )
    knowledge_article_ensure(
        code="volante",
        title_es="¿Volante o certificado de empadronamiento?",
        title_en="Residence note or certificate?",
        body_es="El volante basta para casi todo.",
        body_en="The note is enough for almost everything.",
        keywords="padrón domicilio",
        service_codes=["certificado-empadronamiento"],
    )
    knowledge_article_ensure(
        code="obras-plazos",
        title_es="Plazos de las licencias de obra",
        body_es="Una obra menor se resuelve en diez días; pida el certificado final de obra.",
        keywords="obra licencia",
        service_codes=[service.code],
    )
    knowledge_article_ensure(
        code="retirado",
        title_es="Certificado antiguo",
        body_es="Ya no se usa.",
        active=False,
    )


def codes(hits: list[Any]) -> list[str]:
    return [hit.code for hit in hits]


def test_words_are_found_without_accents_and_in_english(articles: None, actor: Actor) -> None:
    assert codes(knowledge_search(actor=actor, query="padron")) == ["volante"]
    assert codes(knowledge_search(actor=actor, query="residence NOTE")) == ["volante"]


def test_a_word_in_the_title_ranks_above_one_in_the_body(articles: None, actor: Actor) -> None:
    assert codes(knowledge_search(actor=actor, query="¿cómo pido el certificado?")) == [
        "volante",
        "obras-plazos",
    ]


def test_the_services_own_articles_come_first(articles: None, actor: Actor) -> None:
    hits = knowledge_search(actor=actor, query="certificado", service_code="licencia-obra-menor")

    assert codes(hits) == ["obras-plazos", "volante"]
    assert hits[0].linked_to_service and not hits[1].linked_to_service


def test_an_empty_query_lists_the_services_articles(articles: None, actor: Actor) -> None:
    found = knowledge_search(actor=actor, query="", service_code="certificado-empadronamiento")

    assert codes(found) == ["volante"]


def test_withdrawn_articles_are_not_found(articles: None, actor: Actor) -> None:
    assert "retirado" not in codes(knowledge_search(actor=actor, query="antiguo certificado"))


def test_someone_without_the_scope_may_not_search_and_the_refusal_is_logged(
    articles: None,
) -> None:
    with pytest.raises(PermissionDenied):
        knowledge_search(actor=Actor(label="anonymous"), query="padron")

    assert AuditEntry.objects.filter(action="access.denied").count() == 1


def test_the_api_answers_staff_in_their_language(articles: None, make_staff: Any) -> None:
    client = sign_in(Client(), make_staff("agente", "ayto", "agent"))

    response = client.get(
        "/api/v1/catalog/knowledge?q=certificado&service=certificado-empadronamiento",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    first = response.json()[0]
    assert first["code"] == "volante"
    assert first["services"] == ["certificado-empadronamiento"]
    assert first["linked_to_service"] is True


def test_the_api_needs_the_catalog_read_scope(articles: None) -> None:
    _key, without = apikey_create(
        actor=OPERATOR, name="sin", agency_code="ayto", scopes=["cases:read"]
    )
    _key, with_scope = apikey_create(
        actor=OPERATOR, name="con", agency_code="ayto", scopes=["catalog:read"]
    )

    refused = Client(HTTP_AUTHORIZATION=f"Bearer {without}").get("/api/v1/catalog/knowledge?q=obra")
    allowed = Client(HTTP_AUTHORIZATION=f"Bearer {with_scope}").get(
        "/api/v1/catalog/knowledge?q=obra"
    )
    anonymous = Client().get("/api/v1/catalog/knowledge?q=obra")

    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"
    assert [a["code"] for a in allowed.json()] == ["obras-plazos"]
    assert anonymous.status_code == 401


def test_the_service_list_carries_the_cpsv_fields_and_the_form(
    town: dict[str, Any],
) -> None:
    service_ensure(
        code="tarjeta-residentes",
        name_es="Tarjeta de residentes",
        name_en="Residents' permit",
        department=town["urbanismo"],
        competent_agency=town["ayto"],
        cost_es="25 € al año",
        cost_amount=25,
        output_es="Tarjeta",
        evidence=[{"code": "dni", "name_es": "DNI", "name_en": "ID card"}],
        input_schema={"type": "object", "properties": {"plate": {"type": "string"}}},
    )

    service = Client().get("/api/v1/catalog/services", HTTP_ACCEPT_LANGUAGE="es").json()[0]

    assert service["competent_agency"] == "ayto"
    assert service["department"] == "urbanismo"
    assert service["cost"] == "25 € al año"
    assert float(service["cost_amount"]) == 25.0
    assert service["evidence"] == [{"code": "dni", "name": "DNI"}]
    assert service["input_schema"]["properties"] == {"plate": {"type": "string"}}
