"""A service's request form for the portal, from its JSON Schema ``input_schema``.

``catalog.forms`` (form_fields, form_data_from_post, validate_form_data) and its partial
``catalog/_service_form.html`` are the one door for this; they arrive from another branch.
Until then this adapter falls back to a plain rendering and jsonschema's own checks, so the
portal works either way. Once ``catalog.forms`` is merged the fallback can be deleted.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _

from ventanilla.catalog.models import PublicService
from ventanilla.core.i18n import current_language


def _catalog_forms() -> Any:
    # Imported by name so this module type-checks with and without the catalogue's branch.
    try:
        return importlib.import_module("ventanilla.catalog.forms")
    except ImportError:
        return None


catalog_forms = _catalog_forms()

TEMPLATE = "catalog/_service_form.html" if catalog_forms else "portal/_service_form_fields.html"


@dataclass
class PlainField:
    """The fallback's field: the same attributes the catalogue's partial reads."""

    name: str
    label: str
    type: str
    required: bool
    choices: list[tuple[str, str]] = field(default_factory=list)
    max_length: int | None = None
    value: Any = None
    error: str = ""

    @property
    def html_id(self) -> str:
        return f"id_form_{self.name}"

    @property
    def value_text(self) -> str:
        return "" if self.value is None else str(self.value)


def _properties(service: PublicService) -> list[tuple[str, dict[str, Any]]]:
    props = (service.input_schema or {}).get("properties") or {}
    return [(name, node) for name, node in props.items() if isinstance(node, dict)]


def fields(service: PublicService, data: dict[str, Any], errors: dict[str, str]) -> list[Any]:
    """The fields of the service's form, with what the citizen typed and the errors."""
    if catalog_forms is not None:
        return list(catalog_forms.form_fields(service, data=data, errors=errors))
    english = current_language() == "en"
    required = set((service.input_schema or {}).get("required", []))
    found = []
    for name, node in _properties(service):
        kind = node.get("type", "string")
        widget = "text"
        if "enum" in node:
            widget = "select"
        elif kind == "boolean":
            widget = "checkbox"
        elif kind in {"integer", "number"}:
            widget = "number"
        elif node.get("format") == "date":
            widget = "date"
        elif int(node.get("maxLength", 0)) > 200:
            widget = "textarea"
        label = (english and node.get("x-title-en")) or node.get("title") or name
        found.append(
            PlainField(
                name=name,
                label=str(label),
                type=widget,
                required=name in required,
                choices=[(str(v), str(v)) for v in node.get("enum", [])],
                max_length=node.get("maxLength"),
                value=data.get(name),
                error=errors.get(name, ""),
            )
        )
    return found


def data_from_post(service: PublicService, post: QueryDict) -> dict[str, Any]:
    """What the form posted (``form_<field>``), typed as the schema expects."""
    if catalog_forms is not None:
        return dict(catalog_forms.form_data_from_post(service, post))
    data: dict[str, Any] = {}
    for name, node in _properties(service):
        kind = node.get("type", "string")
        raw = str(post.get(f"form_{name}", "")).strip()
        if kind == "boolean":
            data[name] = raw == "true"
        elif raw and kind in {"integer", "number"}:
            try:
                number = float(raw.replace(",", "."))
            except ValueError:
                data[name] = raw
            else:
                data[name] = int(number) if kind == "integer" and number.is_integer() else number
        elif raw:
            data[name] = raw
    return data


def errors_of(service: PublicService, data: dict[str, Any]) -> dict[str, str]:
    """Field name -> message; empty when the data fits the service's form."""
    if catalog_forms is not None:
        return dict(catalog_forms.validate_form_data(service, data))
    schema = service.input_schema or {}
    if not schema:
        return {}
    errors: dict[str, str] = {}
    jsonschema: Any = importlib.import_module("jsonschema")  # no type stubs installed
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.FormatChecker(formats=["date"])
    )
    for error in validator.iter_errors(data):
        if error.validator == "required":
            missing = [n for n in error.validator_value if n not in data]
            for name in missing:
                errors.setdefault(str(name), _("This field is required."))
            continue
        path = [str(part) for part in error.absolute_path]
        errors.setdefault(path[0] if path else "", _("This value is not valid."))
    return errors
