"""GeoReport v2's two formats: the same answer as JSON or as XML, and its error list.

Each answer is built once as plain data (lists, dicts, strings, numbers, booleans, None) and
written in the format the URL asks for, so the XML cannot say anything the JSON does not."""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree as ET  # noqa: S405 - we write XML; we never parse it here

from django.http import HttpResponse

JSON = "json"
XML = "xml"

# The XML element of each item of a list, by the list's element: GeoReport names them so.
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _fill(ET.SubElement(element, key), inner)
    elif isinstance(value, list):
        item_name = ITEM_NAMES[element.tag]
        for inner in value:
            _fill(ET.SubElement(element, item_name), inner)
    else:
        element.text = _text(value)


def as_xml(root: str, content: Any) -> bytes:
    element = ET.Element(root)
    _fill(element, content)
    body: bytes = ET.tostring(element, encoding="utf-8", xml_declaration=True)
    return body


def answer(fmt: str, root: str, content: Any, *, status: int = 200) -> HttpResponse:
    """``content`` in ``fmt``; ``root`` names the XML document's element (``services``,
    ``service_requests``…); the JSON is the content itself."""
    if fmt == XML:
        return HttpResponse(
            as_xml(root, content), status=status, content_type="text/xml; charset=utf-8"
        )
    return HttpResponse(
        json.dumps(content, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
    )


def errors(fmt: str, status: int, descriptions: list[str]) -> HttpResponse:
    """GeoReport's error list: one ``{code, description}`` per problem, with the HTTP status
    the standard names for it (400 bad input, 403 key, 404 not found)."""
    return answer(
        fmt,
        "errors",
        [{"code": status, "description": text} for text in descriptions],
        status=status,
    )
