"""``{% load numbers %}``: ``grouped`` writes a count with the thousands grouped as the reader's
language does (12,979 in English, 12 979 in Spanish)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter(is_safe=True)
def grouped(value: Any) -> str:
    if value is None or value == "":
        return ""
    return str(number_format(value, force_grouping=True))
