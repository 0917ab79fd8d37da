"""A third-party GeoReport v2 client (``georeport`` from PyPI) against a running server: it
reads what we publish in both formats, the way it reads any city's endpoint. It cannot post
(the library has no call for it), so the request it reads is posted over real HTTP first."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from georeport import GeoReport

from ventanilla.access.actors import Actor
from ventanilla.access.services import apikey_create
from ventanilla.catalog.models import PublicService
from ventanilla.catalog.services import service_ensure
from ventanilla.demo.catalogue_details import SERVICE_DETAILS

OPERATOR = Actor(label="command:operator", sees_everything=True)


@pytest.fixture
def pothole(town: dict[str, Any]) -> PublicService:
    return service_ensure(
        code="desperfectos-calzada",
        name_es="Desperfectos en la calzada",
        name_en="Road damage",
        department=town["urbanismo"],
        input_schema=SERVICE_DETAILS["desperfectos-calzada"].input_schema,
    )


@pytest.fixture
def posted(live_server: Any, pothole: PublicService) -> str:
    _key, secret = apikey_create(
        actor=OPERATOR, name="app-incidencias", agency_code="ayto", scopes=["open311:post"]
    )
    answer = requests.post(
        f"{live_server.url}/open311/v2/requests.json",
        data={
            "api_key": secret,
            "jurisdiction_id": "villanueva",
            "service_code": pothole.code,
            "lat": "37.3891",
            "long": "-5.9845",
            "description": "Farola caída en la acera.",
            "email": "vecina@example.org",
            "first_name": "Carmen",
            "last_name": "Ruiz",
            "attribute[place]": "Plaza de la Iglesia",
            "attribute[damage]": "bache",
            "attribute[dangerous]": "false",
        },
        timeout=30,
    )
    assert answer.status_code == 201, answer.text
    reference: str = answer.json()[0]["service_request_id"]
    return reference


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_third_party_client_reads_services_and_requests(
    live_server: Any, posted: str, fmt: str
) -> None:
    client = GeoReport(
        f"{live_server.url}/open311/v2", jurisdiction="villanueva", output_format=fmt
    )

    services = client.get_service_list()
    # xmltodict gives one item as a mapping, several as a list.
    services = services if isinstance(services, list) else [services]
    assert [s["service_code"] for s in services] == ["desperfectos-calzada"]

    definition = client.get_service_definition("desperfectos-calzada")
    attributes = definition["attributes"]
    attributes = attributes["attribute"] if fmt == "xml" else attributes
    assert [a["code"] for a in attributes][:3] == ["place", "damage", "dangerous"]

    request = client.get_service_request(posted)
    assert request["service_request_id"] == posted
    assert request["status"] == "open"
    assert str(request["lat"]) == "37.3891"

    found = client.get_service_requests(status="open", service_code="desperfectos-calzada")
    found = found if isinstance(found, list) else [found]
    assert [r["service_request_id"] for r in found] == [posted]
