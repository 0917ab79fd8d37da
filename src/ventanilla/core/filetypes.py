"""What a file really is, told from its bytes (puremagic and a look inside zip packages), and
whether that is a kind of document Ventanilla accepts under the name it was sent with."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

import puremagic

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
TEXT = "text/plain"
ODT = "application/vnd.oasis.opendocument.text"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# Accepted content types and the name extensions each may travel under.
ACCEPTED: dict[str, frozenset[str]] = {
    PDF: frozenset({"pdf"}),
    PNG: frozenset({"png"}),
    JPEG: frozenset({"jpg", "jpeg"}),
    TEXT: frozenset({"txt"}),
    ODT: frozenset({"odt"}),
    DOCX: frozenset({"docx"}),
}
_SIGNATURES = {"application/pdf": PDF, "image/png": PNG, "image/jpeg": JPEG}
# Text a browser would run or render as a page is never "plain text", whatever its name.
_ACTIVE_TEXT = re.compile(rb"^\s*(<!doctype|<html|<head|<body|<script|<svg|<\?xml|<iframe)", re.I)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Detected:
    content_type: str | None
    description: str


def detect(data: bytes) -> Detected:
    """The accepted content type of ``data``, or None with what it seems to be instead."""
    if data.startswith(b"PK\x03\x04"):
        return _detect_package(data)
    try:
        matches = puremagic.magic_string(data)
    except (puremagic.PureError, ValueError):
        matches = []
    for match in matches:
        if match.mime_type in _SIGNATURES and match.offset == 0:
            return Detected(_SIGNATURES[match.mime_type], match.name)
    if _is_plain_text(data):
        return Detected(TEXT, "text")
    seen = matches[0].name if matches else "unknown binary data"
    return Detected(None, seen or "unknown binary data")


def _detect_package(data: bytes) -> Detected:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = set(package.namelist())
            if "mimetype" in names and package.getinfo("mimetype").file_size < 100:
                if package.read("mimetype").strip() == ODT.encode():
                    return Detected(ODT, "OpenDocument text")
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return Detected(DOCX, "Word document")
    except (zipfile.BadZipFile, KeyError, ValueError, NotImplementedError, RuntimeError):
        return Detected(None, "damaged zip archive")
    return Detected(None, "zip archive")


def _is_plain_text(data: bytes) -> bool:
    if not data or _ACTIVE_TEXT.match(data[:512]):
        return False
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not _CONTROL.search(text)


def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name.strip(".") else ""


def clean_file_name(name: str) -> str:
    """A name safe to show and to send back in Content-Disposition: no folders, no control
    characters, no quotes, at most 200 characters with the extension kept."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[^\w .()\-]", "_", name, flags=re.UNICODE)
    name = re.sub(r"\s+", " ", name).strip(" .")
    if len(name) > 200:
        stem, dot, extension = name.rpartition(".")
        name = stem[: 199 - len(extension)] + dot + extension if dot else name[:200]
    return name or "document"
