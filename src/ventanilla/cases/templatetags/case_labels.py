"""Template filters that show a case's codes in words."""

from __future__ import annotations

from typing import Any

from django import template

from ventanilla.cases.models import CaseStatus

register = template.Library()


@register.filter
def case_status(code: Any) -> str:
    """``{{ row.status|case_status }}``: "In progress" rather than ``in_progress``."""
    for value, label in CaseStatus.choices:
        if value == code:
            return str(label)
    return str(code).replace("_", " ").capitalize()
