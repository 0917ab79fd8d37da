"""What a file really is, told from its bytes (puremagic and a look inside zip packages), and
whether that is a kind of document Ventanilla accepts under the name it was sent with."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

import puremagic
from django.utils.translation import gettext as _

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


# Limits on a zip package (ODT, DOCX), read from its directory without unpacking anything: a
# document of 10 MB has no reason to unpack to more, a few thousand parts, or parts squeezed
# more than a few hundred times (deflate can reach about 1,000, which is how a zip bomb of a
# few megabytes unpacks to gigabytes in the reader of whoever opens it).
MAX_PACKAGE_ENTRIES = 2000
MAX_PACKAGE_INFLATED = 100 * 1024 * 1024
MAX_ENTRY_RATIO = 200
RATIO_CHECKED_FROM = 1024 * 1024  # small parts (XML of a few KB) may squeeze further, harmlessly
_CONTENT_TYPES_LIMIT = 1024 * 1024
_DRIVE = re.compile(r"^[A-Za-z]:")
# Parts that carry code: VBA projects (DOCM saved as .docx), ActiveX controls, OLE objects
# (which can hold programs) — Word's printer settings are .bin too, and harmless.
_DOCX_CODE = re.compile(
    r"(^|/)vbadata\.xml$|^word/activex/|^(?!(.*/)?printersettings/).*\.bin$", re.I
)
# OpenDocument keeps macros in Basic/ and scripts (Python, JavaScript, BeanShell) in Scripts/.
_ODT_CODE = re.compile(r"^(basic|scripts)/", re.I)


def _unsafe_name(name: str) -> bool:
    """A name that would write outside the folder it is unpacked into, or means one thing to
    one program and another to the next."""
    if not name or name.startswith("/") or "\\" in name or _DRIVE.match(name):
        return True
    return bool(_CONTROL.search(name)) or ".." in name.split("/")


def _package_refusal(entries: list[zipfile.ZipInfo]) -> str | None:
    """Why a package may not be accepted whatever it holds, told from its directory alone."""
    if len(entries) > MAX_PACKAGE_ENTRIES:
        return _("an archive of more than %(count)d parts") % {"count": MAX_PACKAGE_ENTRIES}
    if any(_unsafe_name(entry.orig_filename) for entry in entries):
        return _("an archive with unsafe names inside (such as ../, \\ or absolute paths)")
    inflated = sum(entry.file_size for entry in entries)
    squeezed = any(
        entry.file_size >= RATIO_CHECKED_FROM
        and entry.file_size > MAX_ENTRY_RATIO * max(entry.compress_size, 1)
        for entry in entries
    )
    if inflated > MAX_PACKAGE_INFLATED or squeezed:
        return _("an archive that unpacks to far more than its size (a zip bomb)")
    return None


def _detect_package(data: bytes) -> Detected:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            entries = package.infolist()
            refusal = _package_refusal(entries)
            if refusal is not None:
                return Detected(None, refusal)
            names = {entry.filename for entry in entries}
            if "mimetype" in names and package.getinfo("mimetype").file_size < 100:
                if package.read("mimetype").strip() == ODT.encode():
                    if any(_ODT_CODE.match(name) for name in names):
                        return Detected(None, _("an OpenDocument text with macros or scripts"))
                    return Detected(ODT, "OpenDocument text")
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                types = package.getinfo("[Content_Types].xml")
                if types.file_size > _CONTENT_TYPES_LIMIT:
                    return Detected(None, _("a damaged Word document"))
                declared = package.read(types).lower()
                if b"macroenabled" in declared or any(_DOCX_CODE.search(n) for n in names):
                    return Detected(None, _("a Word document with macros or embedded programs"))
                return Detected(DOCX, "Word document")
    except (zipfile.BadZipFile, KeyError, ValueError, NotImplementedError, RuntimeError):
        return Detected(None, _("a damaged zip archive"))
    return Detected(None, _("a zip archive"))


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
