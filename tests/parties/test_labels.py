"""A party's fields, facts and values read as words in the reader's language, never as keys."""

from __future__ import annotations

from django.utils import translation

from ventanilla.parties import labels


def test_a_known_fact_and_its_value_have_names_in_both_languages() -> None:
    with translation.override("en"):
        english = (
            labels.fact_label("employment_status"),
            labels.fact_value("employment_status", "employed"),
        )
    with translation.override("es"):
        spanish = (
            labels.fact_label("employment_status"),
            labels.fact_value("employment_status", "employed"),
        )

    assert english == ("Employment status", "Employed")
    assert spanish == ("Situación laboral", "Con empleo")


def test_an_unknown_fact_reads_as_words_not_as_its_key() -> None:
    assert labels.fact_label("school_meal_grant") == "School meal grant"
    assert labels.fact_value("school_meal_grant", True) in ("Yes", "Sí")


def test_accessibility_needs_languages_and_countries_are_named() -> None:
    with translation.override("en"):
        assert labels.accessibility_needs(["blind", "hard_of_hearing"]) == "Blind, Hard of hearing"
        assert labels.field_value("preferred_language", "es") == "Spanish"
        assert labels.fact_value("nationality", "VE") == "Venezuela"
        assert labels.fact_value("disability_degree", 33) == "33 %"
    with translation.override("es"):
        assert labels.language_name("en") == "Inglés"
        assert labels.field_label("accessibility_needs") == "Necesidades de accesibilidad"
