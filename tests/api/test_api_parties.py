"""The parties API over HTTP: registering, searching, reading, correcting, and the 360° view."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import make_party
from ventanilla.access.actors import Actor
from ventanilla.catalog.services import agency_ensure, service_ensure
from ventanilla.interactions.services import interaction_record
from ventanilla.parties.models import ContactPoint, Identifier, NameToken, Party

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def post(client: Client, path: str, body: Any, **headers: Any) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json", **headers)


def personal_rows() -> tuple[int, int, int, int]:
    return (
        Party.objects.count(),
        Identifier.objects.count(),
        ContactPoint.objects.count(),
        NameToken.objects.count(),
    )


def fields_of(response: Any) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


PERSON = {
    "given_name": "María José",
    "family_name_1": "Núñez",
    "family_name_2": "Ibáñez",
    "birth_date": "1984-03-12",
    "identifiers": [{"scheme": "dni", "value": "12345678-z"}],
    "contact_points": [
        {"kind": "email", "value": "MJ.Nunez@Example.org"},
        {"kind": "phone", "value": "600 123 456"},
        {"kind": "postal", "value": "Calle Mayor 3, 2º B", "postal_code": "41001"},
    ],
}


def test_a_person_is_registered_with_normalised_identifiers_and_contacts(api: Client) -> None:
    response = post(api, "/api/v1/parties", PERSON)

    assert response.status_code == 201, response.content
    party = Party.objects.get(pk=response.json()["id"])
    assert response.json()["display_name"] == "María José Núñez Ibáñez"
    assert party.identifiers.get().value == "12345678Z"
    contacts = dict(party.contact_points.values_list("kind", "normalized"))
    assert contacts["email"] == "mj.nunez@example.org"
    assert contacts["phone"] == "+34600123456"


def test_a_dni_with_the_wrong_letter_is_refused_and_nothing_is_written(api: Client) -> None:
    before = personal_rows()
    body = {**PERSON, "identifiers": [{"scheme": "dni", "value": "12345678A"}]}

    response = post(api, "/api/v1/parties", body, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 422
    assert response["Content-Type"] == PROBLEM
    assert response.json()["type"] == "urn:ventanilla:problem:validation-error"
    assert fields_of(response) == ["identifiers.0.value"]
    assert "check letter" in response.json()["detail"]
    assert personal_rows() == before


def test_the_error_is_in_spanish_when_the_caller_asks_for_spanish(api: Client) -> None:
    body = {**PERSON, "identifiers": [{"scheme": "dni", "value": "12345678A"}]}

    response = post(api, "/api/v1/parties", body, HTTP_ACCEPT_LANGUAGE="es")

    assert response.json()["detail"] == "La letra de control de este DNI no es correcta."
    assert response.json()["title"] == "La petición tiene campos no válidos."


def test_a_second_party_with_the_same_dni_is_a_conflict_naming_the_first(api: Client) -> None:
    first = post(api, "/api/v1/parties", PERSON).json()
    before = personal_rows()
    body = {**PERSON, "contact_points": []}

    response = post(api, "/api/v1/parties", body)

    assert response.status_code == 409
    assert response.json()["existing_party"] == first["id"]
    assert personal_rows() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"given_name": ""}, "given_name"),
        ({"given_name": "x" * 101}, "given_name"),
        ({"birth_date": 12}, "birth_date"),
        ({"birth_date": "2999-01-01"}, "birth_date"),
        ({"identifiers": "x"}, "identifiers"),
        ({"identifiers": [{"scheme": "nie", "value": "X1234567A"}]}, "identifiers.0.value"),
        ({"contact_points": [{"kind": "phone", "value": "12"}]}, "contact_points.0.value"),
        ({"contact_points": [{"kind": "email", "value": "no-at-sign"}]}, "contact_points.0.value"),
        ({"nickname": "Pepa"}, "nickname"),
        ({"kind": "robot"}, "kind"),
    ],
)
def test_bad_party_input_names_the_field_and_writes_nothing(
    api: Client, change: dict[str, Any], field: str
) -> None:
    before = personal_rows()

    response = post(api, "/api/v1/parties", {**PERSON, **change})

    assert response.status_code == 422, response.content
    assert field in fields_of(response)
    assert personal_rows() == before


def test_an_organisation_is_registered_with_its_cif(api: Client) -> None:
    body = {
        "kind": "organisation",
        "legal_name": "Panadería La Espiga S.L.",
        "identifiers": [{"scheme": "cif", "value": "B12345674"}],
    }

    response = post(api, "/api/v1/parties", body)

    assert response.status_code == 201, response.content
    assert response.json()["display_name"] == "Panadería La Espiga S.L."


def test_a_body_over_the_limit_is_refused_as_too_large(api: Client, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    before = personal_rows()

    response = post(api, "/api/v1/parties", {**PERSON, "family_name_2": "x" * 20_000})

    assert response.status_code == 413
    assert response["Content-Type"] == PROBLEM
    assert personal_rows() == before


def test_malformed_json_is_a_problem_not_a_crash(api: Client) -> None:
    response = api.post("/api/v1/parties", "{not json", content_type="application/json")

    assert response.status_code in {400, 422}
    assert response["Content-Type"] == PROBLEM


@pytest.mark.parametrize(
    "query",
    [
        "jose nunez",
        "NÚÑEZ",
        "nuñ",
        "maria jose iba",
        "12345678z",
        "mj.nunez@example.org",
        "600123456",
        "+34 600 12 34 56",
    ],
)
def test_search_finds_a_person_however_the_agent_types_it(api: Client, query: str) -> None:
    created = post(api, "/api/v1/parties", PERSON).json()

    response = api.get("/api/v1/parties", {"q": query})

    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == [created["id"]]


def test_search_pages_with_a_cursor_without_gaps_or_repeats(api: Client, actor: Actor) -> None:
    made = {str(make_party(actor, family_name_1="García").pk) for _ in range(30)}
    seen: list[str] = []
    cursor = None

    while True:
        params = {"q": "garcia", "limit": 7, **({"cursor": cursor} if cursor else {})}
        page = api.get("/api/v1/parties", params).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break

    assert len(seen) == 30
    assert set(seen) == made


def test_a_bad_cursor_or_an_overlong_query_is_a_validation_problem(api: Client) -> None:
    bad_cursor = api.get("/api/v1/parties", {"q": "garcia", "cursor": "!!!"})
    too_long = api.get("/api/v1/parties", {"q": "a" * 101})

    assert bad_cursor.status_code == 422
    assert fields_of(bad_cursor) == ["cursor"]
    assert too_long.status_code == 422
    assert fields_of(too_long) == ["q"]


def test_a_party_is_read_by_id_and_an_unknown_id_is_a_404_problem(api: Client) -> None:
    created = post(api, "/api/v1/parties", PERSON).json()

    found = api.get(f"/api/v1/parties/{created['id']}")
    missing = api.get("/api/v1/parties/00000000-0000-4000-8000-000000000000")
    not_a_uuid = api.get("/api/v1/parties/not-a-uuid")

    assert found.json()["family_name_1"] == "Núñez"
    assert missing.status_code == 404
    assert missing["Content-Type"] == PROBLEM
    assert not_a_uuid.status_code in {404, 422}
    assert not_a_uuid["Content-Type"] == PROBLEM


def test_a_correction_changes_only_the_fields_sent_and_search_follows_it(api: Client) -> None:
    created = post(api, "/api/v1/parties", PERSON).json()

    response = api.patch(
        f"/api/v1/parties/{created['id']}",
        json.dumps({"family_name_2": "Ortega"}),
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["family_name_2"] == "Ortega"
    assert response.json()["given_name"] == "María José"
    assert api.get("/api/v1/parties", {"q": "ortega"}).json()["items"]
    assert not api.get("/api/v1/parties", {"q": "ibanez"}).json()["items"]


def test_a_correction_with_an_unknown_field_changes_nothing(api: Client) -> None:
    created = post(api, "/api/v1/parties", PERSON).json()

    response = api.patch(
        f"/api/v1/parties/{created['id']}",
        json.dumps({"family_name_2": "Ortega", "dni": "1"}),
        content_type="application/json",
    )

    assert response.status_code == 422
    assert Party.objects.get(pk=created["id"]).family_name_2 == "Ibáñez"


def history(actor: Actor, party: Party, count: int, agency: str | None = None) -> None:
    now = timezone.now()
    for n in range(count):
        interaction_record(
            actor=actor,
            party_id=party.pk,
            channel=["web", "phone", "desk"][n % 3],
            summary=f"contacto {n}",
            agency_code=agency,
            occurred_at=now - timedelta(minutes=n + 1),
        )


def test_the_360_view_holds_profile_contacts_and_the_timeline_newest_first(
    api: Client, actor: Actor
) -> None:
    party = make_party(actor)
    history(actor, party, 5)

    view = api.get(f"/api/v1/parties/{party.pk}/360", {"limit": 3}).json()

    assert view["party"]["id"] == str(party.pk)
    assert {c["kind"] for c in view["contact_points"]} == {"email", "phone"}
    assert [i["summary"] for i in view["timeline"]["items"]] == [
        "contacto 0",
        "contacto 1",
        "contacto 2",
    ]
    older = api.get(
        f"/api/v1/parties/{party.pk}/360", {"limit": 3, "cursor": view["timeline"]["next_cursor"]}
    ).json()
    assert [i["summary"] for i in older["timeline"]["items"]] == ["contacto 3", "contacto 4"]
    assert older["timeline"]["next_cursor"] is None


def test_the_360_view_filters_by_channel_and_by_agency_with_its_departments(
    api: Client, actor: Actor, town: Any
) -> None:
    party = make_party(actor)
    history(actor, party, 6)
    history(actor, party, 2, agency="urbanismo")

    phone = api.get(f"/api/v1/parties/{party.pk}/360", {"channel": "phone"}).json()
    planning = api.get(f"/api/v1/parties/{party.pk}/360", {"agency": "urbanismo"}).json()
    town_hall = api.get(f"/api/v1/parties/{party.pk}/360", {"agency": "ayto"}).json()

    assert {i["channel"] for i in phone["timeline"]["items"]} == {"phone"}
    assert len(planning["timeline"]["items"]) == 2
    assert len(town_hall["timeline"]["items"]) == 8


def test_another_agencys_contacts_are_not_in_the_360_view(
    api: Client, actor: Actor, make_staff: Any
) -> None:
    from ventanilla.access.actors import actor_for_user

    nurse = actor_for_user(make_staff("enfermera", "salud", "agent"))
    party = make_party(actor)
    history(actor, party, 1)
    history(nurse, party, 3)

    view = api.get(f"/api/v1/parties/{party.pk}/360").json()

    assert len(view["timeline"]["items"]) == 1


def test_the_360_view_costs_the_same_queries_for_3_or_300_contacts(
    api: Client, actor: Actor
) -> None:
    short, long = make_party(actor), make_party(actor)
    history(actor, short, 3)
    history(actor, long, 300)
    cases_with_everything_shown(actor, short, 1)
    cases_with_everything_shown(actor, long, 12)
    api.get(f"/api/v1/parties/{short.pk}/360")  # the key's first use writes last_used_at

    with CaptureQueriesContext(connection) as few:
        assert api.get(f"/api/v1/parties/{short.pk}/360").status_code == 200
    with CaptureQueriesContext(connection) as many:
        assert api.get(f"/api/v1/parties/{long.pk}/360").status_code == 200

    assert len(many) == len(few)
    # 12 reads (key, agencies, party, consents, cases, attributes, identifiers, contacts,
    # corrections, two kinds of representation, timeline) and the audit entry: lock the head,
    # insert, move the head.
    assert len(few) <= 15


def cases_with_everything_shown(actor: Actor, party: Party, count: int) -> None:
    """Cases routed by a rule, assigned, and one a duplicate of another: each of those is shown
    with the case, so each could cost a query per case if read carelessly."""
    from ventanilla.cases.models import Case, RoutingRule
    from ventanilla.cases.services import case_open
    from ventanilla.catalog.models import Agency, PublicService

    service = PublicService.objects.first() or service_ensure(
        code="volante", name_es="Volante", name_en="Certificate",
        department=Agency.objects.get(code="padron"),
    )  # fmt: skip
    RoutingRule.objects.get_or_create(
        name="Todo", defaults={"department": Agency.objects.get(code="padron")}
    )
    opened = [
        case_open(actor=actor, party_id=party.pk, service_code=service.code, channel="web")
        for _ in range(count)
    ]
    Case.objects.filter(pk__in=[c.pk for c in opened]).update(assignee_id=actor.user_id)
    Case.objects.filter(pk__in=[c.pk for c in opened[1:]]).update(duplicate_of=opened[0])


def test_an_agency_outside_the_tree_is_just_an_empty_filter(api: Client, actor: Actor) -> None:
    agency_ensure(code="aislada", kind="agency", name_es="Aislada")
    party = make_party(actor)
    history(actor, party, 2)

    view = api.get(f"/api/v1/parties/{party.pk}/360", {"agency": "aislada"}).json()

    assert view["timeline"]["items"] == []


def test_clearing_accessibility_needs_with_null_leaves_an_empty_list(
    api: Client, actor: Any
) -> None:
    from tests.factories import make_party

    party = make_party(actor, accessibility_needs=["wheelchair"])

    response = api.patch(
        f"/api/v1/parties/{party.pk}",
        json.dumps({"accessibility_needs": None}),
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    assert response.json()["accessibility_needs"] == []


def test_a_repeated_query_parameter_is_refused_not_guessed(api: Client) -> None:
    response = api.get("/api/v1/parties?q=ana&q=eva")

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "q"


def test_a_nul_character_in_the_body_is_refused_before_the_database(api: Client) -> None:
    response = api.post(
        "/api/v1/parties",
        '{"given_name": "An\\u0000a", "family_name_1": "Ruiz"}',
        content_type="application/json",
    )

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert not Party.objects.exists()


def test_a_nul_character_in_the_query_is_refused(api: Client) -> None:
    assert api.get("/api/v1/parties?q=an%00a").status_code == 422
