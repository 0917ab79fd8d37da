"""The catalogue as CPSV-AP JSON-LD: what goes out, that it comes back the same, and that a bad
file changes nothing and says where it is wrong."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from ventanilla.appointments.models import Office
from ventanilla.cases.models import RoutingRule
from ventanilla.catalog.cpsv import CatalogueImportError, catalogue_export, catalogue_import
from ventanilla.catalog.models import Agency, KnowledgeArticle, LifeEvent, PublicService
from ventanilla.catalog.services import life_event_ensure, service_ensure
from ventanilla.demo.catalogue import ensure_catalogue
from ventanilla.demo.catalogue_details import SERVICE_DETAILS

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(town: dict[str, Any]) -> PublicService:
    birth = life_event_ensure(code="nacimiento", kind="life", name_es="Nacimiento", name_en="Birth")
    opening = life_event_ensure(
        code="abrir-negocio", kind="business", name_es="Abrir un negocio", name_en="Opening"
    )
    service_ensure(
        code="licencia-actividad",
        name_es="Licencia de actividad",
        name_en="Business licence",
        department=town["urbanismo"],
        competent_agency=town["ayto"],
        deadline_days=20,
        channels=["web"],
        life_events=[opening],
    )
    return service_ensure(
        code="inscripcion-nacimiento",
        name_es="Empadronamiento de recién nacidos",
        name_en="Registering a newborn",
        description_es="Inscribir al bebé.",
        department=town["padron"],
        competent_agency=town["ayto"],
        deadline_days=5,
        channels=["web", "desk"],
        life_events=[birth],
        input_schema=SERVICE_DETAILS["inscripcion-nacimiento"].input_schema,
        cost_es="Gratuito",
        cost_en="Free",
        cost_amount=Decimal("0.00"),
        output_es="Volante",
        output_en="Residence note",
        evidence=[
            {"code": "libro-familia", "name_es": "Libro de familia", "name_en": "Family book"}
        ],
        reopen_if_unhappy=True,
    )


def service_node(document: dict[str, Any], code: str) -> dict[str, Any]:
    return next(n for n in document["@graph"] if n.get("dct:identifier") == code)


def test_a_service_goes_out_in_the_cpsv_ap_vocabulary(catalogue: PublicService) -> None:
    document = catalogue_export()
    node = service_node(document, "inscripcion-nacimiento")

    assert document["@context"]["cpsv"] == "http://purl.org/vocab/cpsv#"
    assert document["@context"]["cv"] == "http://data.europa.eu/m8g/"
    assert node["@type"] == "cpsv:PublicService"
    assert {"@language": "en", "@value": "Registering a newborn"} in node["dct:title"]
    assert node["cv:hasCompetentAuthority"] == {"@id": "agency/ayto"}
    assert node["cv:processingTime"] == "P5D"
    assert node["cv:hasChannel"] == [{"@id": "channel/desk"}, {"@id": "channel/web"}]
    assert node["cv:isGroupedBy"] == [{"@id": "event/nacimiento"}]
    assert node["cv:hasCost"][0]["cv:hasValue"] == 0.0
    assert node["cv:hasCost"][0]["cv:currency"].endswith("/currency/EUR")
    assert node["cpsv:hasInput"][0]["@type"] == "cv:Evidence"
    assert node["cpsv:produces"][0]["dct:title"][0] == {"@language": "es", "@value": "Volante"}
    assert node["vtn:inputSchema"]["required"] == ["baby_name", "birth_date", "address"]
    assert node["vtn:reopenIfUnhappy"] is True and node["vtn:anonymousReports"] is False
    ayto = service_node(document, "ayto")
    assert ayto["@type"] == "cv:PublicOrganisation"
    assert ayto["skos:prefLabel"][0] == {"@language": "es", "@value": "Ayuntamiento"}
    assert service_node(document, "abrir-negocio")["@type"] == "cv:BusinessEvent"


def empty_the_catalogue() -> None:
    # Routing rules are the town's own, not part of CPSV-AP; they point at departments.
    RoutingRule.objects.all().delete()
    # So are the offices that take appointments; they belong to an agency.
    Office.objects.all().delete()
    KnowledgeArticle.objects.all().delete()
    PublicService.objects.all().delete()
    LifeEvent.objects.all().delete()
    # Children before parents: a path sorts after the paths it starts with.
    for agency in Agency.objects.order_by("-path"):
        agency.delete()  # memberships of the demo staff go with their agency


def test_export_import_into_an_empty_catalogue_and_export_give_the_same_document(
    catalogue: PublicService,
) -> None:
    ensure_catalogue()  # the whole demo catalogue, forms, costs and evidence included
    first = catalogue_export()
    assert service_node(first, "desperfectos-calzada")["vtn:anonymousReports"] is True
    empty_the_catalogue()
    assert not Agency.objects.exists()

    result = catalogue_import(json.loads(json.dumps(first)))

    assert result.services_created == len(service_node_codes(first))
    assert catalogue_export() == first


def service_node_codes(document: dict[str, Any]) -> list[str]:
    return [n["dct:identifier"] for n in document["@graph"] if n["@type"] == "cpsv:PublicService"]


def test_importing_twice_updates_in_place(catalogue: PublicService) -> None:
    document = catalogue_export()
    node = service_node(document, "inscripcion-nacimiento")
    node["cv:processingTime"] = "P7D"

    catalogue_import(document)
    again = catalogue_import(document)

    assert again.services_created == 0 and again.services_updated == 2
    assert PublicService.objects.get(code="inscripcion-nacimiento").deadline_days == 7
    assert PublicService.objects.count() == 2


def test_a_bad_file_changes_nothing_and_names_the_service_and_the_property(
    catalogue: PublicService,
) -> None:
    document = catalogue_export()
    good = copy.deepcopy(service_node(document, "licencia-actividad"))
    service_node(document, "licencia-actividad")["dct:title"] = [
        {"@language": "es", "@value": "Nuevo"}
    ]
    service_node(document, "inscripcion-nacimiento")["cv:processingTime"] = "two weeks"
    service_node(document, "inscripcion-nacimiento")["cv:hasChannel"].append(
        {"@id": "channel/pigeon"}
    )

    with pytest.raises(CatalogueImportError) as refused:
        catalogue_import(document)

    assert refused.value.problems == [
        "service 'inscripcion-nacimiento', cv:processingTime: expected working days such as "
        "'P5D', got 'two weeks'",
        "service 'inscripcion-nacimiento', cv:hasChannel: unknown channel 'channel/pigeon'",
    ]
    assert (
        PublicService.objects.get(code="licencia-actividad").name_es
        == good["dct:title"][0]["@value"]
    )


def test_an_invalid_form_schema_is_refused_with_its_service(catalogue: PublicService) -> None:
    document = catalogue_export()
    service_node(document, "inscripcion-nacimiento")["vtn:inputSchema"] = {"type": "array"}

    with pytest.raises(CatalogueImportError) as refused:
        catalogue_import(document)

    assert refused.value.problems[0].startswith("service 'inscripcion-nacimiento', input_schema:")


def test_the_commands_write_and_read_files(catalogue: PublicService, tmp_path: Path) -> None:
    path = tmp_path / "catalogo.jsonld"
    call_command("catalog", "export", "--format", "jsonld", "--output", str(path))
    PublicService.objects.filter(code="licencia-actividad").delete()

    call_command("catalog", "import", str(path))

    assert PublicService.objects.filter(code="licencia-actividad").exists()


def test_the_import_command_names_the_file_and_the_problem(
    catalogue: PublicService, tmp_path: Path
) -> None:
    document = catalogue_export()
    del service_node(document, "licencia-actividad")["cv:hasCompetentAuthority"]
    path = tmp_path / "roto.jsonld"
    path.write_text(json.dumps(document), encoding="utf-8")

    with pytest.raises(CommandError) as refused:
        call_command("catalog", "import", str(path))

    message = str(refused.value)
    assert message.startswith(f"{path}: nothing was imported; 1 problem(s):")
    assert "service 'licencia-actividad', cv:hasCompetentAuthority: None is not" in message


def test_a_file_that_is_not_json_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonld"
    path.write_text("{not json", encoding="utf-8")

    with pytest.raises(CommandError, match=r"x\.jsonld: not valid JSON"):
        call_command("catalog", "import", str(path))
