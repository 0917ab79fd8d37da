"""A request's answers read as the form asked them: each question by its title, a closed list's
answer by the words chosen from, yes or no; in the reader's language."""

from __future__ import annotations

import pytest
from django.utils import translation

from ventanilla.catalog.forms import form_answers
from ventanilla.catalog.models import PublicService
from ventanilla.demo.catalogue import ensure_catalogue

pytestmark = pytest.mark.django_db


def test_answers_are_labelled_by_the_forms_titles_in_the_readers_language() -> None:
    ensure_catalogue()
    service = PublicService.objects.get(code="desperfectos-calzada")
    data = {"dangerous": True, "damage": "bache", "place": "Plaza de España"}

    with translation.override("en"):
        english = [(a.question, a.answer) for a in form_answers(service, data)]
    with translation.override("es"):
        spanish = [(a.question, a.answer) for a in form_answers(service, data)]

    assert english == [
        ("Exact place", "Plaza de España"),
        ("Kind of damage", "Pothole in the road"),
        ("It is an immediate danger", "Yes"),
    ]
    assert spanish[1] == ("Tipo de desperfecto", "Bache en la calzada")


def test_an_answer_the_form_no_longer_asks_keeps_a_readable_name() -> None:
    ensure_catalogue()
    service = PublicService.objects.get(code="alumbrado-publico")

    [answer] = form_answers(service, {"old_lamp_code": "F-1"})

    assert answer.question == "Old lamp code"
