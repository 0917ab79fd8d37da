"""A service's JSON Schema form: what is refused and how it is said, how it renders, and how
Open311 sees it."""

from __future__ import annotations

from typing import Any

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from ventanilla.catalog.forms import (
    form_data_from_post,
    form_fields,
    open311_attributes,
    validate_form_data,
)
from ventanilla.catalog.models import PublicService
from ventanilla.catalog.services import service_ensure
from ventanilla.core.errors import ValidationFailed
from ventanilla.demo.catalogue_details import SERVICE_DETAILS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Messages are asserted in English unless a test says otherwise."""
    with translation.override("en"):
        yield


MOVING = SERVICE_DETAILS["cambio-domicilio"].input_schema
POTHOLE = SERVICE_DETAILS["desperfectos-calzada"].input_schema


def make_service(town: dict[str, Any], schema: dict[str, Any] | None) -> PublicService:
    return service_ensure(
        code="prueba",
        name_es="Prueba",
        name_en="Test",
        department=town["padron"],
        input_schema=schema,
    )


@pytest.fixture
def moving(town: dict[str, Any]) -> PublicService:
    return make_service(town, MOVING)


@pytest.fixture
def pothole(town: dict[str, Any]) -> PublicService:
    return make_service(town, POTHOLE)


GOOD_MOVE = {"new_address": "Calle Mayor 3, 2º B", "moving_date": "2026-03-01", "people": 2}


def test_a_complete_form_has_no_errors(moving: PublicService) -> None:
    assert validate_form_data(moving, GOOD_MOVE) == {}


def test_missing_and_blank_required_fields_are_named_one_by_one(moving: PublicService) -> None:
    errors = validate_form_data(moving, {"new_address": "   ", "people": 2})

    assert errors == {
        "new_address": "This field is required.",
        "moving_date": "This field is required.",
    }


def test_errors_come_in_the_users_language(moving: PublicService) -> None:
    with translation.override("es"):
        errors = validate_form_data(moving, {**GOOD_MOVE, "moving_date": "ayer"})

    assert errors == {"moving_date": "Introduzca una fecha válida (AAAA-MM-DD)."}


def test_too_long_text_says_how_long_it_may_be(pothole: PublicService) -> None:
    errors = validate_form_data(pothole, {"place": "x" * 201, "damage": "bache"})

    assert errors == {"place": "Write at most 200 characters."}


def test_a_value_outside_the_list_is_refused(pothole: PublicService) -> None:
    errors = validate_form_data(pothole, {"place": "Calle Real 4", "damage": "volcán"})

    assert errors == {"damage": "Choose one of the listed values."}


def test_a_field_the_form_does_not_have_is_refused(moving: PublicService) -> None:
    errors = validate_form_data(moving, {**GOOD_MOVE, "pets": 3})

    assert errors == {"pets": "This field is not part of the form."}


def test_numbers_must_be_whole_and_in_range(moving: PublicService) -> None:
    assert validate_form_data(moving, {**GOOD_MOVE, "people": 2.5}) == {
        "people": "Enter a whole number."
    }
    assert validate_form_data(moving, {**GOOD_MOVE, "people": 0}) == {
        "people": "Enter a number not less than 1."
    }


def test_a_service_without_a_form_accepts_anything(town: dict[str, Any]) -> None:
    assert validate_form_data(make_service(town, None), {"anything": 1}) == {}


def test_a_schema_that_is_not_a_form_is_refused_when_the_service_is_saved(
    town: dict[str, Any],
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        make_service(town, {"type": "object", "properties": {"x": {"type": "nonsense"}}})

    assert "input_schema" in refused.value.errors


def test_fields_come_in_order_with_labels_in_the_active_language(pothole: PublicService) -> None:
    with translation.override("en"):
        fields = form_fields(pothole)

    assert [(f.name, f.label, f.type, f.required) for f in fields] == [
        ("place", "Exact place", "text", True),
        ("damage", "Kind of damage", "select", True),
        ("dangerous", "It is an immediate danger", "checkbox", False),
        ("details", "Description", "textarea", False),
    ]
    assert ("bache", "Pothole in the road") in fields[1].choices
    assert fields[0].max_length == 200


def test_spanish_labels_come_from_title(moving: PublicService) -> None:
    with translation.override("es"):
        labels = [f.label for f in form_fields(moving)]

    assert labels == ["Nuevo domicilio", "Fecha de la mudanza", "Personas que se mudan"]


def test_the_rendered_form_ties_labels_help_and_errors_to_their_inputs(
    moving: PublicService,
) -> None:
    fields = form_fields(
        moving,
        data={"new_address": "Calle Mayor 3"},
        errors={"moving_date": "This field is required."},
    )

    html = render_to_string("catalog/_service_form.html", {"fields": fields})

    assert '<label for="id_form_new_address">' in html
    assert (
        '<textarea id="id_form_new_address" name="form_new_address" rows="4" maxlength="300" '
        'required aria-required="true">Calle Mayor 3</textarea>'
    ) in html
    assert 'type="date" required aria-required="true" aria-invalid="true" ' in html
    assert 'aria-describedby="id_form_moving_date_error"' in html
    assert '<p id="id_form_moving_date_error" class="error">This field is required.</p>' in html
    assert 'aria-describedby="id_form_people_help"' in html
    assert 'type="number" inputmode="decimal" step="1" min="1" max="20"' in html


def test_what_the_form_posts_back_validates_as_typed_data(moving: PublicService) -> None:
    posted = {
        "form_new_address": " Calle Mayor 3 ",
        "form_moving_date": "2026-03-01",
        "form_people": "3",
    }

    data = form_data_from_post(moving, posted)

    assert data == {"new_address": "Calle Mayor 3", "moving_date": "2026-03-01", "people": 3}
    assert validate_form_data(moving, data) == {}


def test_open311_attributes_describe_the_same_form(pothole: PublicService) -> None:
    with translation.override("es"):
        attributes = open311_attributes(pothole)

    place, damage, dangerous, details = attributes
    assert place == {
        "variable": True,
        "code": "place",
        "datatype": "string",
        "required": True,
        "datatype_description": "Calle, número y una referencia cercana (un portal, una tienda).",
        "order": 1,
        "description": "Lugar exacto",
        "values": [],
    }
    assert damage["datatype"] == "singlevaluelist"
    assert {"key": "bache", "name": "Bache en la calzada"} in damage["values"]
    assert dangerous["values"] == [{"key": "true", "name": "Sí"}, {"key": "false", "name": "No"}]
    assert details["datatype"] == "text" and not details["required"]


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_date_in_a_form_no_one_could_mean_is_refused_naming_the_field(
    moving: PublicService, day: str
) -> None:
    with translation.override("en"):
        errors = validate_form_data(moving, {**GOOD_MOVE, "moving_date": day})

    assert list(errors) == ["moving_date"]
    assert errors["moving_date"].startswith("Give a date between 1 January 1900 and")
