"""A party's record as a person reads it: the name of each field and fact, and its value in words,
in the active language. The keys stay what they are in the database, the API and the JSON export
(machines read those); pages, messages and the page-to-keep export show these words instead.

A fact or value this registry does not know is still shown readably (``large_family`` as "Large
family"), never as the key itself; adding it here gives it a translated name.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import get_language_info, gettext, gettext_lazy

from ventanilla.catalog.models import DataCategory
from ventanilla.parties.models import Party


def humanise(key: object) -> str:
    """A key nobody named yet, readable: ``hard_of_hearing`` -> "Hard of hearing"."""
    text = str(key).replace("_", " ").replace("-", " ").strip()
    return text[:1].upper() + text[1:]


# The fields of the party itself, as the profile, its corrections and the export name them.
FIELD_LABELS: dict[str, Promise] = {
    "kind": gettext_lazy("Kind"),
    "status": gettext_lazy("Status of the record"),
    "given_name": gettext_lazy("Given name"),
    "family_name_1": gettext_lazy("First surname"),
    "family_name_2": gettext_lazy("Second surname"),
    "legal_name": gettext_lazy("Legal name"),
    "birth_date": gettext_lazy("Birth date"),
    "sex": gettext_lazy("Sex"),
    "preferred_language": gettext_lazy("Preferred language"),
    "education_level": gettext_lazy("Education"),
    "accessibility_needs": gettext_lazy("Accessibility needs"),
    "created_at": gettext_lazy("Registered on"),
}

ACCESSIBILITY_NEEDS: dict[str, Promise] = {
    "wheelchair": gettext_lazy("Wheelchair user"),
    "low_vision": gettext_lazy("Low vision"),
    "blind": gettext_lazy("Blind"),
    "deaf": gettext_lazy("Deaf"),
    "hard_of_hearing": gettext_lazy("Hard of hearing"),
    "sign_language": gettext_lazy("Sign language"),
    "easy_read": gettext_lazy("Easy-read documents"),
    "cognitive": gettext_lazy("Cognitive support"),
}

# Nationalities the town's registers hold most often; any other shows its ISO code.
COUNTRIES: dict[str, Promise] = {
    "ES": gettext_lazy("Spain"),
    "AR": gettext_lazy("Argentina"),
    "BG": gettext_lazy("Bulgaria"),
    "BO": gettext_lazy("Bolivia"),
    "BR": gettext_lazy("Brazil"),
    "CN": gettext_lazy("China"),
    "CO": gettext_lazy("Colombia"),
    "DE": gettext_lazy("Germany"),
    "DZ": gettext_lazy("Algeria"),
    "EC": gettext_lazy("Ecuador"),
    "FR": gettext_lazy("France"),
    "GB": gettext_lazy("United Kingdom"),
    "IE": gettext_lazy("Ireland"),
    "IT": gettext_lazy("Italy"),
    "MA": gettext_lazy("Morocco"),
    "NL": gettext_lazy("Netherlands"),
    "PE": gettext_lazy("Peru"),
    "PT": gettext_lazy("Portugal"),
    "RO": gettext_lazy("Romania"),
    "SN": gettext_lazy("Senegal"),
    "UA": gettext_lazy("Ukraine"),
    "VE": gettext_lazy("Venezuela"),
}


class Fact:
    """A kind of profile fact: its name, and its values in words where they are codes."""

    def __init__(
        self,
        label: Promise,
        values: dict[str, Promise] | None = None,
        show: Callable[[Any], str] | None = None,
    ) -> None:
        self.label = label
        self.values = values or {}
        self.show = show

    def value(self, value: Any) -> str:
        if self.show is not None:
            return self.show(value)
        if isinstance(value, str) and value in self.values:
            return str(self.values[value])
        return value_text(value)


def _percent(value: Any) -> str:
    return f"{value} %" if isinstance(value, int | float) and not isinstance(value, bool) else ""


def _country(value: Any) -> str:
    return country_name(value)


FACTS: dict[str, Fact] = {
    "employment_status": Fact(
        gettext_lazy("Employment status"),
        {
            "employed": gettext_lazy("Employed"),
            "unemployed": gettext_lazy("Unemployed"),
            "student": gettext_lazy("Student"),
            "retired": gettext_lazy("Retired"),
            "homemaker": gettext_lazy("Homemaker"),
            "other": gettext_lazy("Other situation"),
        },
    ),
    "nationality": Fact(gettext_lazy("Nationality"), show=_country),
    "disability_degree": Fact(gettext_lazy("Recognised degree of disability"), show=_percent),
    "large_family": Fact(gettext_lazy("Large family")),
}


def field_label(name: object) -> str:
    label = FIELD_LABELS.get(str(name))
    return str(label) if label is not None else humanise(name)


def fact_label(name: object) -> str:
    fact = FACTS.get(str(name))
    return str(fact.label) if fact is not None else humanise(name)


def fact_value(name: object, value: Any) -> str:
    fact = FACTS.get(str(name))
    return fact.value(value) if fact is not None else value_text(value)


def accessibility_need(code: object) -> str:
    label = ACCESSIBILITY_NEEDS.get(str(code))
    return str(label) if label is not None else humanise(code)


def accessibility_needs(codes: Any) -> str:
    if not isinstance(codes, list | tuple):
        return value_text(codes)
    return ", ".join(accessibility_need(code) for code in codes)


def language_name(code: object) -> str:
    """A language by its name in the reader's language ("Spanish", "español")."""
    try:
        return str(get_language_info(str(code))["name_translated"])
    except KeyError:
        return humanise(code) if code else ""


def country_name(code: object) -> str:
    label = COUNTRIES.get(str(code).upper())
    return str(label) if label is not None else str(code)


def data_category(code: object) -> str:
    for value, label in DataCategory.choices:
        if value == code:
            return str(label)
    return humanise(code)


def _moment(value: Any) -> str:
    """A date or time in the reader's format; a value no calendar can show is given as stored."""
    try:
        if isinstance(value, datetime):
            return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
        if isinstance(value, date):
            return formats.date_format(value, "DATE_FORMAT")
        if isinstance(value, str):
            return formats.date_format(date.fromisoformat(value), "DATE_FORMAT")
    except (OverflowError, ValueError):
        pass
    return str(value)


def _choice(choices: Any) -> Callable[[Any], str]:
    def show(value: Any) -> str:
        for code, label in choices.choices:
            if str(code) == str(value):
                return str(label)
        return humanise(value)

    return show


_FIELD_VALUES: dict[str, Callable[[Any], str]] = {
    "kind": _choice(Party.Kind),
    "status": _choice(Party.Status),
    "birth_date": _moment,
    "sex": _choice(Party.Sex),
    "preferred_language": language_name,
    "education_level": _choice(Party.Education),
    "accessibility_needs": accessibility_needs,
    "created_at": _moment,
}


def field_value(name: object, value: Any) -> str:
    """A value of one of the party's fields in words: "Spanish", "Wheelchair user"."""
    show = _FIELD_VALUES.get(str(name), value_text)
    return show(value)


def value_text(value: Any) -> str:
    """A free value in words: yes or no, lists joined, nothing as nothing."""
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, dict):
        return "; ".join(f"{humanise(k)}: {value_text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(value_text(v) for v in value)
    return "" if value is None else str(value)
