"""Template filters showing a party's fields and facts in words (``ventanilla.parties.labels``)."""

from __future__ import annotations

from typing import Any

from django import template

from ventanilla.parties import labels

register = template.Library()


@register.filter
def field_label(name: Any) -> str:
    return labels.field_label(name)


@register.filter
def field_value(value: Any, name: Any) -> str:
    """``{{ change.new_value|field_value:change.field }}``"""
    return labels.field_value(name, value)


@register.filter
def fact_label(name: Any) -> str:
    return labels.fact_label(name)


@register.filter
def fact_value(value: Any, name: Any) -> str:
    """``{{ attribute.value|fact_value:attribute.name }}``"""
    return labels.fact_value(name, value)


@register.filter
def language_name(code: Any) -> str:
    return labels.language_name(code)


@register.filter
def accessibility_needs(codes: Any) -> str:
    return labels.accessibility_needs(codes)


@register.filter
def data_categories(codes: Any) -> str:
    if not isinstance(codes, list | tuple):
        return labels.data_category(codes)
    return ", ".join(labels.data_category(code) for code in codes)
