"""A service's request form, written once as JSON Schema (Draft 2020-12) in
``PublicService.input_schema`` and used three ways: validating what a citizen or an integrating
system sends (``validate_form_data``), rendering the portal and console form
(``form_fields`` + ``catalog/_service_form.html``) and describing the service's Open311
attributes (``open311_attributes``).

Conventions on top of JSON Schema (see docs/catalogue.md):
- the root is ``{"type": "object", "properties": {...}, "required": [...]}``; with
  ``"additionalProperties": false`` a field the form does not have is an error;
- each property's ``title`` is its Spanish label, ``x-title-en`` its English one; ``description``
  / ``x-description-en`` a help text; ``x-order`` its position (jsonb does not keep key order);
- ``string`` is a text box, a textarea with ``"x-widget": "textarea"`` or a ``maxLength`` over
  200; ``"format": "date"`` a date; ``integer`` / ``number`` a number; ``boolean`` a checkbox;
- a closed list is ``enum`` (the values are the labels) or ``oneOf`` of
  ``{"const": value, "title": ..., "x-title-en": ...}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _

# No type stubs in the lock file yet (types-jsonschema would replace these ignores).
from jsonschema import Draft202012Validator, FormatChecker  # type: ignore[import-untyped]
from jsonschema.exceptions import SchemaError, ValidationError  # type: ignore[import-untyped]

from ventanilla.catalog.models import PublicService
from ventanilla.core import dates
from ventanilla.core.i18n import current_language

TEXTAREA_FROM = 200  # a maxLength above this gets a multi-line box
SUPPORTED_TYPES = frozenset({"string", "integer", "number", "boolean"})
_FORMAT_CHECKER = FormatChecker(formats=["date"])


@dataclass
class FormField:
    """One field of a service's form, as a template renders it."""

    name: str
    label: str
    type: str  # text | textarea | number | date | select | checkbox
    required: bool
    help_text: str = ""
    choices: list[tuple[str, str]] = field(default_factory=list)
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    step: str = "any"
    value: Any = None
    error: str = ""
    # Told apart from another service's fields on the same page (a life event's request).
    prefix: str = ""

    @property
    def input_name(self) -> str:
        return f"{self.prefix}form_{self.name}"

    @property
    def html_id(self) -> str:
        return f"id_{self.input_name}"

    @property
    def described_by(self) -> str:
        """The ids of the help text and the error, for ``aria-describedby``."""
        ids = []
        if self.help_text:
            ids.append(f"{self.html_id}_help")
        if self.error:
            ids.append(f"{self.html_id}_error")
        return " ".join(ids)

    @property
    def value_text(self) -> str:
        return "" if self.value is None else str(self.value)


def _text(node: dict[str, Any], key: str, language: str) -> str:
    """``key`` of a schema node in ``language``: English lives in ``x-<key>-en``."""
    if language == "en":
        english = node.get(f"x-{key}-en") or node.get(f"{key}_en")
        if english:
            return str(english)
    return str(node.get(key, ""))


def _properties(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    props = schema.get("properties") or {}
    named = [(name, node) for name, node in props.items() if isinstance(node, dict)]
    # Fields without x-order keep their written order, after those that have one.
    return sorted(
        named,
        key=lambda item: (item[1].get("x-order", 10_000), list(props).index(item[0])),
    )


def _choices(node: dict[str, Any], language: str) -> list[tuple[str, str]]:
    if "enum" in node:
        return [(str(value), str(value)) for value in node["enum"]]
    return [
        (str(option["const"]), _text(option, "title", language) or str(option["const"]))
        for option in node.get("oneOf", [])
        if isinstance(option, dict) and "const" in option
    ]


def _widget(node: dict[str, Any]) -> str:
    kind = node.get("type", "string")
    if "enum" in node or "oneOf" in node:
        return "select"
    if kind == "boolean":
        return "checkbox"
    if kind in {"integer", "number"}:
        return "number"
    if node.get("format") == "date":
        return "date"
    if node.get("x-widget") == "textarea" or int(node.get("maxLength", 0)) > TEXTAREA_FROM:
        return "textarea"
    return "text"


def check_input_schema(schema: dict[str, Any]) -> None:
    """Refuse a schema that is not valid Draft 2020-12 or not one a form can be made of.

    Raises ``ValueError`` naming the problem; the catalogue's writes call it, so forms and
    validation can rely on the schema."""
    if not schema:
        return
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as error:
        raise ValueError(f"not valid JSON Schema: {error.message}") from error
    if schema.get("type") != "object":
        raise ValueError('the form\'s root must be {"type": "object", ...}')
    for name, node in (schema.get("properties") or {}).items():
        if not isinstance(node, dict) or node.get("type", "string") not in SUPPORTED_TYPES:
            raise ValueError(
                f"field {name!r}: type must be one of {', '.join(sorted(SUPPORTED_TYPES))}"
            )
    unknown = set(schema.get("required", [])) - set(schema.get("properties") or {})
    if unknown:
        raise ValueError(f"required fields not in properties: {', '.join(sorted(unknown))}")


def form_fields(
    service: PublicService,
    *,
    data: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    prefix: str = "",
) -> list[FormField]:
    """The fields of ``service``'s form in order, labelled in the active language, with the
    values already entered and the errors of a failed submission when given. ``prefix`` sets
    the fields' names apart when several services' forms share a page."""
    schema = service.input_schema or {}
    language = current_language()
    required = set(schema.get("required", []))
    data = data or {}
    errors = errors or {}
    fields = []
    for name, node in _properties(schema):
        widget = _widget(node)
        max_length = node.get("maxLength")
        fields.append(
            FormField(
                name=name,
                label=_text(node, "title", language) or name,
                type=widget,
                required=name in required,
                help_text=_text(node, "description", language),
                choices=_choices(node, language) if widget == "select" else [],
                max_length=int(max_length) if max_length is not None else None,
                minimum=node.get("minimum"),
                maximum=node.get("maximum"),
                step="1" if node.get("type") == "integer" else "any",
                value=data.get(name, node.get("default")),
                error=errors.get(name, ""),
                prefix=prefix,
            )
        )
    return fields


@dataclass(frozen=True)
class FormAnswer:
    """One answer of a request as a person reads it: the question and the answer in words."""

    name: str
    question: str
    answer: str


def form_answers(service: PublicService, data: Any) -> list[FormAnswer]:
    """What was answered to ``service``'s form, in the form's order, labelled in the active
    language: each question by its title, a closed list's answer by the words chosen from, yes
    or no, a date in the language's format. An answer to a question the form no longer has keeps
    a readable name (never the key itself)."""
    if not isinstance(data, dict):
        return []
    fields = {f.name: f for f in form_fields(service)}
    order = {name: position for position, name in enumerate(fields)}
    answers = []
    for name in sorted(data, key=lambda key: (order.get(key, len(order)), key)):
        value = data[name]
        known = fields.get(name)
        question = known.label if known else name.replace("_", " ").capitalize()
        answers.append(FormAnswer(name, question, _answer_text(known, value)))
    return answers


def _answer_text(known: FormField | None, value: Any) -> str:
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(_answer_text(known, item) for item in value)
    if known is not None and known.choices:
        return dict(known.choices).get(str(value), str(value))
    if known is not None and known.type == "date" and isinstance(value, str):
        try:
            return formats.date_format(date.fromisoformat(value), "DATE_FORMAT")
        except ValueError:
            return value
    return str(value)


def _message(error: ValidationError) -> str:
    """A message a citizen understands, in the active language, for one jsonschema error."""
    rule, limit = error.validator, error.validator_value
    if rule == "required":
        return _("This field is required.")
    if rule == "maxLength":
        return _("Write at most %(limit)d characters.") % {"limit": limit}
    if rule == "minLength":
        if limit == 1:
            return _("This field is required.")
        return _("Write at least %(limit)d characters.") % {"limit": limit}
    if rule in {"enum", "const", "oneOf", "anyOf"}:
        return _("Choose one of the listed values.")
    if rule == "format" and limit == "date":
        return _("Enter a valid date (YYYY-MM-DD).")
    if rule in {"minimum", "exclusiveMinimum"}:
        return _("Enter a number not less than %(limit)s.") % {"limit": limit}
    if rule in {"maximum", "exclusiveMaximum"}:
        return _("Enter a number not greater than %(limit)s.") % {"limit": limit}
    if rule == "type":
        expected = limit if isinstance(limit, str) else (limit or ["string"])[0]
        if expected == "integer":
            return _("Enter a whole number.")
        if expected == "number":
            return _("Enter a number.")
        if expected == "boolean":
            return _("Answer yes or no.")
        return _("Enter text.")
    if rule == "pattern":
        return _("Enter a value in the expected format.")
    return _("This value is not valid.")


def validate_form_data(service: PublicService, data: dict[str, Any]) -> dict[str, str]:
    """Errors of ``data`` against ``service``'s form, field name -> message in the active
    language; empty when the data is good. One message per field, the first found. A blank text
    in a required field counts as missing. Errors about the form as a whole are under ``""``."""
    schema = service.input_schema or {}
    if not schema:
        return {}
    if not isinstance(data, dict):
        return {"": _("The form must be a set of named fields.")}
    errors: dict[str, str] = {}
    for name in schema.get("required", []):
        value = data.get(name)
        if name not in data or value is None or (isinstance(value, str) and not value.strip()):
            errors[name] = _("This field is required.")
    if schema.get("additionalProperties") is False:
        known = set(schema.get("properties") or {})
        for name in sorted(set(data) - known):
            errors[str(name)] = _("This field is not part of the form.")
    validator = Draft202012Validator(schema, format_checker=_FORMAT_CHECKER)
    for error in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path)):
        if error.validator in {"required", "additionalProperties"}:
            continue  # reported above, per field
        path = [str(part) for part in error.absolute_path]
        errors.setdefault(path[0] if path else "", _message(error))
    for name, node in _properties(schema):
        value = data.get(name)
        if node.get("format") == "date" and isinstance(value, str) and name not in errors:
            try:
                problem = dates.end_error(date.fromisoformat(value))
            except ValueError:
                continue  # not a date at all: the format check above said so, if it applies
            if problem:
                errors[name] = problem  # a date in a form lies between 1900 and a century ahead
    return errors


def _open311_datatype(node: dict[str, Any]) -> str:
    widget = _widget(node)
    return {
        "select": "singlevaluelist",
        "checkbox": "singlevaluelist",
        "number": "number",
        "date": "datetime",
        "textarea": "text",
    }.get(widget, "string")


def open311_attributes(service: PublicService) -> list[dict[str, Any]]:
    """The service's form as Open311 GeoReport v2 attributes (``GET services/{code}.json``):
    ``variable``, ``code``, ``datatype``, ``required``, ``datatype_description``, ``order``,
    ``description`` (the question) and ``values`` for lists. Yes/no questions, which GeoReport
    has no type for, become a list of two values."""
    schema = service.input_schema or {}
    language = current_language()
    required = set(schema.get("required", []))
    attributes = []
    for order, (name, node) in enumerate(_properties(schema), start=1):
        datatype = _open311_datatype(node)
        if node.get("type") == "boolean":
            values = [{"key": "true", "name": _("Yes")}, {"key": "false", "name": _("No")}]
        else:
            values = [{"key": key, "name": label} for key, label in _choices(node, language)]
        attributes.append(
            {
                "variable": True,
                "code": name,
                "datatype": datatype,
                "required": name in required,
                "datatype_description": _text(node, "description", language) or None,
                "order": order,
                "description": _text(node, "title", language) or name,
                "values": values,
            }
        )
    return attributes


def form_data_from_post(service: PublicService, post: Any, *, prefix: str = "") -> dict[str, Any]:
    """What the rendered form posts back (``<prefix>form_<field>`` strings) as the typed data
    ``validate_form_data`` checks: numbers as numbers when they read as such, checkboxes as
    booleans, empty optional fields left out. Text that is not a number stays text, so the
    validator can say so in the user's words."""
    schema = service.input_schema or {}
    data: dict[str, Any] = {}
    for name, node in _properties(schema):
        kind = node.get("type", "string")
        raw = post.get(f"{prefix}form_{name}")
        if kind == "boolean":
            data[name] = raw == "true"
            continue
        if raw is None or str(raw).strip() == "":
            continue
        text = str(raw).strip()
        if kind in {"integer", "number"} and "enum" not in node and "oneOf" not in node:
            try:
                number = float(text.replace(",", "."))
            except ValueError:
                data[name] = text
                continue
            data[name] = int(number) if kind == "integer" and number.is_integer() else number
        else:
            data[name] = text
    return data
