"""The ``date`` and ``time`` filters of every template, as Django's, but moving the value to local
time themselves with ``ventanilla.core.dates.local``, which cannot fail: Django's would raise on
a time within a day of year 1 or 9999, and the page showing it would answer 500.

Installed as a template builtin (settings.TEMPLATES), so it replaces Django's filters of the same
names in every template, the admin's included, with nothing to load.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template import defaultfilters

from ventanilla.core.dates import local

register = template.Library()


@register.filter(expects_localtime=False, is_safe=False)
def date(value: Any, arg: str | None = None) -> str:
    return str(defaultfilters.date(local(value), arg))


@register.filter(expects_localtime=False, is_safe=False)
def time(value: Any, arg: str | None = None) -> str:
    return str(defaultfilters.time(local(value), arg))
