"""Open311 GeoReport v2 through the real URLs and database: every endpoint in JSON and XML,
the JSON checked against the standard's JSON Schemas, the XML read back and compared with it,
and errors as the standard's list."""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.factories import make_party
from ventanilla.access.actors import Actor
from ventanilla.audit.actions import Action
from ventanilla.audit.models import AuditEntry
from ventanilla.cases.models import Case
from ventanilla.catalog.models import PublicService
from ventanilla.catalog.services import service_ensure
from ventanilla.demo.catalogue_details import SERVICE_DETAILS
from ventanilla.interactions.models import Interaction
from ventanilla.notifications.models import Notification
from ventanilla.parties.models import Party
from ventanilla.parties.services import ContactPointInput

pytestmark = pytest.mark.django_db

# The standard's JSON Schemas (GeoReport v2), kept as published beside these tests.
SCHEMAS = Path(__file__).parent / "schemas"
OPERATOR = Actor(label="command:operator", sees_everything=True)
ROOT = "/open311/v2"
LIST_ELEMENTS = {"services", "service_requests", "attributes", "values", "endpoints", "formats"}
LIST_ELEMENTS |= {"errors"}


FORMATS = FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def is_date_time(value: object) -> bool:
    """RFC 3339: a date, a time and an offset (jsonschema checks it only with an extra)."""
    if not isinstance(value, str):
        return True
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return "T" in value and parsed.tzinfo is not None


def validator(name: str) -> Draft202012Validator:
    folder = SCHEMAS
    resources = [
        (path.name, Resource.from_contents(json.loads(path.read_text()), DRAFT202012))
        for path in folder.glob("*.json")
    ]
    registry: Registry[Any] = Registry().with_resources(resources)
    schema = json.loads((folder / name).read_text())
    return Draft202012Validator(schema, registry=registry, format_checker=FORMATS)


def as_text(value: Any) -> Any:
    """JSON content as XML can say it: every leaf a string."""
    if isinstance(value, dict):
        return {key: as_text(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [as_text(inner) for inner in value]
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def from_xml(element: ET.Element) -> Any:
    children = list(element)
    if element.tag in LIST_ELEMENTS:
        return [from_xml(child) for child in children]
    if children:
        return {child.tag: from_xml(child) for child in children}
    return element.text or ""


def english() -> Client:
    """A client that asks for English, as an Open311 client sends its Accept-Language."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def get_both(client: Client, path: str, **params: Any) -> tuple[Any, Any, int]:
    """The JSON answer, the XML answer read back, and the status (the same for both)."""
    as_json = client.get(f"{ROOT}/{path}.json", params)
    as_xml = client.get(f"{ROOT}/{path}.xml", params)
    assert as_json.status_code == as_xml.status_code
    assert as_json["Content-Type"].startswith("application/json")
    assert as_xml["Content-Type"].startswith("text/xml")
    root = ET.fromstring(as_xml.content)  # noqa: S314 - our own answer
    return as_json.json(), (root.tag, from_xml(root)), as_json.status_code


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


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
def post_key(town: dict[str, Any]) -> str:
    """A key made as the operator makes one, with the command and the one scope it needs."""
    out = io.StringIO()
    call_command(
        "apikey",
        "create",
        "--name",
        "app-incidencias",
        "--agency",
        "ayto",
        "--scopes",
        "open311:post",
        stdout=out,
    )
    return out.getvalue().split(": ", 1)[1].split()[0]


GOOD_ATTRIBUTES = {
    "attribute[place]": "Calle Mayor 3, frente a la farmacia",
    "attribute[damage]": "bache",
    "attribute[dangerous]": "true",
}


def post(client: Client, fmt: str = "json", **fields: Any) -> Any:
    return client.post(f"{ROOT}/requests.{fmt}", fields)


def a_report(key: str, **overrides: Any) -> dict[str, Any]:
    report = {
        "api_key": key,
        "service_code": "desperfectos-calzada",
        "lat": "37.3891",
        "long": "-5.9845",
        "address_string": "Calle Mayor 3",
        "description": "Un bache grande delante del portal.",
        "email": "lucia.garcia@example.org",
        "first_name": "Lucía",
        "last_name": "García",
        **GOOD_ATTRIBUTES,
    }
    report.update(overrides)
    return report


def test_discovery_names_the_endpoint_in_both_formats(town: Any) -> None:
    content, (root, xml), status = get_both(english(), "discovery")

    assert status == 200 and root == "discovery"
    assert xml == as_text(content)
    endpoint = content["endpoints"][0]
    assert endpoint["url"] == "http://testserver/open311/v2/"
    assert endpoint["formats"] == ["application/json", "text/xml"]


def test_services_lists_the_catalogue_and_validates(pothole: PublicService, service: Any) -> None:
    content, (root, xml), status = get_both(english(), "services")

    assert status == 200 and root == "services"
    validator("services.json").validate(content)
    assert xml == as_text(content)
    by_code = {s["service_code"]: s for s in content}
    assert by_code["desperfectos-calzada"]["service_name"] == "Road damage"
    assert by_code["desperfectos-calzada"]["metadata"] is True
    assert by_code["licencia-obra-menor"]["metadata"] is False
    assert by_code["desperfectos-calzada"]["group"] == "Planning"


def test_a_service_definition_gives_its_form_as_attributes(pothole: PublicService) -> None:
    content, (root, xml), status = get_both(english(), "services/desperfectos-calzada")

    assert status == 200 and root == "service_definition"
    validator("service-definition.json").validate(content)
    assert xml == as_text(content)
    codes = [a["code"] for a in content["attributes"]]
    assert codes[:3] == ["place", "damage", "dangerous"]
    damage = content["attributes"][1]
    assert damage["datatype"] == "singlevaluelist" and damage["required"] is True


def test_an_unknown_service_is_a_404_in_the_error_list(town: Any) -> None:
    content, (root, xml), status = get_both(english(), "services/no-such-thing")

    assert status == 404 and root == "errors"
    assert content == [{"code": 404, "description": "Unknown service."}]
    assert xml == as_text(content)


@pytest.mark.parametrize("path", ["requests/", "nothing/here", "services/pothole/attributes"])
def test_any_other_address_is_a_404_in_the_error_list(town: Any, path: str) -> None:
    content, (root, xml), status = get_both(english(), path)

    assert status == 404 and root == "errors"
    assert content[0]["code"] == 404 and "discovery.json" in content[0]["description"]
    assert xml == as_text(content)


def test_an_address_without_a_format_is_answered_in_json_in_the_callers_language(
    town: Any,
) -> None:
    answer = Client(HTTP_ACCEPT_LANGUAGE="es").post(f"{ROOT}/nothing")

    assert answer.status_code == 404 and answer["Content-Type"].startswith("application/json")
    assert "No existe esta dirección" in answer.json()[0]["description"]


def test_a_posted_request_is_an_ordinary_case_on_a_new_reporter(
    pothole: PublicService, post_key: str
) -> None:
    answer = post(english(), **a_report(post_key))

    assert answer.status_code == 201, answer.content
    [posted] = answer.json()
    case = Case.objects.get(reference=posted["service_request_id"])
    assert case.channel_id == "open311"
    assert case.service == pothole and case.department.code == "urbanismo"
    assert case.form_data == {
        "place": "Calle Mayor 3, frente a la farmacia",
        "damage": "bache",
        "dangerous": True,
    }
    assert (case.latitude, case.longitude, case.location_text) == (
        37.3891,
        -5.9845,
        "Calle Mayor 3",
    )
    assert case.party.given_name == "Lucía"
    assert case.party.contact_points.get(kind="email").value == "lucia.garcia@example.org"
    assert posted["token"]
    opened = AuditEntry.objects.get(action=Action.CASE_CREATE, object_id=str(case.pk))
    assert opened.actor == "api:app-incidencias"


def test_a_known_email_puts_the_request_on_that_party(
    pothole: PublicService, post_key: str
) -> None:
    someone = make_party(OPERATOR)
    email = someone.contact_points.get(kind="email").value
    parties_before = Party.objects.count()

    answer = post(english(), **a_report(post_key, email=email.upper(), first_name=""))

    assert answer.status_code == 201, answer.content
    case = Case.objects.get(reference=answer.json()[0]["service_request_id"])
    assert case.party_id == someone.pk
    assert Party.objects.count() == parties_before


def test_an_email_two_people_share_registers_the_reporter_anew(
    pothole: PublicService, post_key: str
) -> None:
    shared = [ContactPointInput(kind="email", value="familia.ruiz@example.org")]
    holders = {make_party(OPERATOR, contact_points=shared).pk for _ in range(2)}

    answer = post(english(), **a_report(post_key, email="familia.ruiz@example.org"))

    assert answer.status_code == 201, answer.content
    case = Case.objects.get(reference=answer.json()[0]["service_request_id"])
    assert case.party_id not in holders
    assert case.party.given_name == "Lucía"


def test_a_posted_request_reads_back_in_both_formats(pothole: PublicService, post_key: str) -> None:
    posted = post(english(), "xml", **a_report(post_key))
    assert posted.status_code == 201
    root = ET.fromstring(posted.content)  # noqa: S314 - our own answer
    reference = root.find("request/service_request_id").text  # type: ignore[union-attr]
    token = root.find("request/token").text  # type: ignore[union-attr]

    content, (tag, xml), status = get_both(english(), f"requests/{reference}")
    assert status == 200 and tag == "service_requests"
    validator("requests.json").validate(content)
    assert xml == as_text(content)
    [request] = content
    assert request["service_request_id"] == reference
    assert request["status"] == "open"
    assert request["service_code"] == "desperfectos-calzada"
    assert (request["lat"], request["long"]) == (37.3891, -5.9845)
    assert request["agency_responsible"] == "Planning"

    content, (tag, xml), status = get_both(english(), f"tokens/{token}")
    assert status == 200 and content == [{"service_request_id": reference, "token": token}]
    assert xml == as_text(content)


def test_requests_are_filtered_by_the_standards_parameters(
    pothole: PublicService, post_key: str
) -> None:
    first = post(english(), **a_report(post_key)).json()[0]["service_request_id"]
    second = post(english(), **a_report(post_key)).json()[0]["service_request_id"]
    Case.objects.filter(reference=first).update(status="closed")

    def ids(**params: Any) -> list[str]:
        content, (_tag, xml), status = get_both(english(), "requests", **params)
        assert status == 200
        validator("requests.json").validate(content)
        assert xml == as_text(content)
        return sorted(r["service_request_id"] for r in content)

    assert ids() == sorted([first, second])
    assert ids(status="open") == [second]
    assert ids(status="closed") == [first]
    assert ids(status="open,closed") == sorted([first, second])
    assert ids(service_request_id=first) == [first]
    assert ids(service_code="licencia-obra-menor") == []
    assert ids(start_date="2000-01-01T00:00:00Z", end_date="2000-02-01T00:00:00Z") == []
    assert ids(start_date="2000-01-01T00:00:00Z") == sorted([first, second])


def test_cases_of_other_channels_are_not_published(service: PublicService, api: Client) -> None:
    party = make_party(OPERATOR)
    opened = api.post(
        "/api/v1/cases",
        {"party_id": str(party.pk), "service": service.code, "channel": "web"},
        content_type="application/json",
    )
    assert opened.status_code == 201, opened.content
    reference = opened.json()["reference"]

    content, _xml, status = get_both(english(), f"requests/{reference}")

    assert status == 404
    assert content == [{"code": 404, "description": "No such service request."}]


def test_posting_without_an_api_key_is_a_403_and_opens_nothing(pothole: PublicService) -> None:
    for fmt in ("json", "xml"):
        answer = post(english(), fmt, **a_report(""))
        assert answer.status_code == 403
    assert Case.objects.count() == 0
    assert answer.content.startswith(b"<?xml")
    assert b"<errors><error><code>403</code>" in answer.content


def test_a_key_without_the_open311_scope_is_refused(pothole: PublicService, api_key: str) -> None:
    answer = post(english(), **a_report(api_key))

    assert answer.status_code == 403
    assert answer.json()[0]["code"] == 403
    assert Case.objects.count() == 0
    [refused] = AuditEntry.objects.filter(action=Action.ACCESS_DENIED)
    assert refused.actor == "api:sede-electronica"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"attribute[damage]": "meteorito"}, "attribute[damage]"),
        ({"attribute[place]": ""}, "attribute[place]"),
        ({"attribute[colour]": "red"}, "attribute[colour]"),
        ({"lat": "north"}, "lat"),
        ({"lat": "", "long": "", "address_string": ""}, "lat"),
        ({"email": ""}, "email"),
        ({"email": "nobody@example.org", "first_name": ""}, "first_name"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_leaves_nothing(
    pothole: PublicService, post_key: str, change: dict[str, str], field: str
) -> None:
    parties_before = Party.objects.count()

    answer = post(english(), **a_report(post_key, **change))

    assert answer.status_code == 400
    [error] = answer.json()
    assert error["code"] == 400 and error["description"].startswith(f"{field}: ")
    assert Case.objects.count() == 0
    assert Party.objects.count() == parties_before


NOBODY = {"email": "", "first_name": "", "last_name": ""}


def test_a_report_without_a_reporter_goes_on_the_anonymous_reporter_where_allowed(
    pothole: PublicService, post_key: str
) -> None:
    PublicService.objects.filter(pk=pothole.pk).update(anonymous_reports=True)
    parties_before = Party.objects.count()

    first = post(english(), **a_report(post_key, **NOBODY))
    second = post(english(), "xml", **a_report(post_key, **NOBODY))

    assert first.status_code == 201, first.content
    assert second.status_code == 201, second.content
    cases = Case.objects.filter(channel_id="open311").select_related("party")
    assert len(cases) == 2
    [reporter] = {case.party for case in cases}
    assert reporter.kind == Party.Kind.ANONYMOUS
    assert not reporter.contact_points.exists() and not reporter.identifiers.exists()
    assert not Notification.objects.exists()  # nobody to tell
    assert Party.objects.count() == parties_before + 1
    with translation.override("es"):
        assert reporter.display_name == "Persona anónima"
    # Made once, and the log says by which integration.
    [made] = AuditEntry.objects.filter(action=Action.PARTY_CREATE, party_id=reporter.pk)
    assert made.actor == "api:app-incidencias"


def test_an_anonymous_report_takes_internal_notes_but_no_reply(
    pothole: PublicService, post_key: str, api: Client
) -> None:
    PublicService.objects.filter(pk=pothole.pk).update(anonymous_reports=True)
    assert post(english(), **a_report(post_key, **NOBODY)).status_code == 201
    reference = Case.objects.get(channel_id="open311").reference
    notes = f"/api/v1/cases/{reference}/notes"

    reply = api.post(
        notes,
        {"text": "Ya está arreglado.", "public": True},
        content_type="application/json",
        headers={"accept-language": "en"},
    )
    note = api.post(
        notes,
        {"text": "Avisado el servicio de obras.", "public": False},
        content_type="application/json",
    )

    assert reply.status_code == 422, reply.content
    assert reply["Content-Type"] == "application/problem+json"
    [error] = reply.json()["errors"]
    assert error["field"] == "public" and "no one to reply to" in error["message"]
    assert note.status_code == 201, note.content
    case = Case.objects.get(reference=reference)
    assert [event.public for event in case.events.filter(kind="note")] == [False]
    assert not case.events.filter(kind="reply").exists()
    assert not Interaction.objects.filter(case=case, direction="outbound").exists()
    assert not Notification.objects.exists()


def test_nobody_is_asked_for_more_on_an_anonymous_report(
    pothole: PublicService, post_key: str, api: Client
) -> None:
    PublicService.objects.filter(pk=pothole.pk).update(anonymous_reports=True)
    assert post(english(), **a_report(post_key, **NOBODY)).status_code == 201
    reference = Case.objects.get(channel_id="open311").reference
    steps = f"/api/v1/cases/{reference}/transitions"

    def step(action: str, version: int) -> Any:
        return api.post(
            steps,
            {"action": action, "reason": "Falta el número del portal.", "version": version},
            content_type="application/json",
            headers={"accept-language": "en"},
        )

    accepted = step("accept", 1)
    asked = step("ask_citizen", accepted.json()["version"])

    assert accepted.status_code == 200, accepted.content
    assert "ask_citizen" not in accepted.json()["next_steps"]
    assert "start" in accepted.json()["next_steps"]
    assert asked.status_code == 422, asked.content
    [error] = asked.json()["errors"]
    assert error["field"] == "action" and "there is no one to ask" in error["message"]
    assert Case.objects.get(reference=reference).status == "accepted"
    listed = api.get("/api/v1/cases").json()["items"]
    assert [case["next_steps"] for case in listed] == [accepted.json()["next_steps"]]


@pytest.mark.parametrize(
    ("anonymous", "change", "fields"),
    [
        (False, NOBODY, {"email"}),
        (True, {**NOBODY, "first_name": "Lucía"}, {"first_name"}),
        (True, {**NOBODY, "phone": "600111222", "last_name": "García"}, {"phone", "last_name"}),
    ],
)
def test_a_report_without_an_email_is_refused_unless_it_names_no_one_and_may(
    pothole: PublicService,
    post_key: str,
    anonymous: bool,
    change: dict[str, str],
    fields: set[str],
) -> None:
    PublicService.objects.filter(pk=pothole.pk).update(anonymous_reports=anonymous)

    answer = post(english(), **a_report(post_key, **change))

    assert answer.status_code == 400
    assert {error["description"].split(":")[0] for error in answer.json()} == fields
    assert Case.objects.count() == 0
    assert not Party.objects.filter(kind=Party.Kind.ANONYMOUS).exists()


def test_an_unknown_jurisdiction_is_a_404_and_the_top_administration_is_known(
    pothole: PublicService,
) -> None:
    _content, _xml, status = get_both(english(), "services", jurisdiction_id="villanueva")
    assert status == 200
    content, _xml, status = get_both(english(), "services", jurisdiction_id="atlantis")
    assert status == 404 and content[0]["code"] == 404


def test_errors_are_given_in_the_callers_language(town: Any) -> None:
    answer = Client(HTTP_ACCEPT_LANGUAGE="es").get(f"{ROOT}/services/nada.json")

    assert answer.json() == [{"code": 404, "description": "Servicio desconocido."}]


def test_reading_many_requests_costs_what_one_costs(pothole: PublicService, post_key: str) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert english().get(f"{ROOT}/requests.json").status_code == 200
        return len(captured)

    post(english(), **a_report(post_key))
    one = queries()
    for _ in range(3):
        post(english(), **a_report(post_key))

    assert queries() == one <= 4
