"""Helpers for records that carry their own text in each interface language."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language

SUPPORTED = ("es", "en")


def current_language() -> str:
    language = (get_language() or "es")[:2]
    return language if language in SUPPORTED else "es"


def localized(obj: Any, field: str, language: str | None = None) -> str:
    """``obj.<field>_<lang>`` in the active language, falling back to Spanish."""
    language = language or current_language()
    value = getattr(obj, f"{field}_{language}", "") or getattr(obj, f"{field}_es", "")
    return str(value)
