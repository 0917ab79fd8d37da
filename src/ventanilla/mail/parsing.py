"""Reading a raw RFC 5322 message with the standard library (``policy.default``): who sent it,
what it says as plain text, its HTML made safe, its attachments and inline images, the case
references it carries, and whether it was written by a machine (RFC 3834) and must not be
answered."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses

import nh3
from django.conf import settings

from ventanilla.core.richtext import sanitize_html
from ventanilla.notifications.sending import OUR_HEADER

MAX_TEXT = 20000


class MessageUnreadable(Exception):
    """The bytes are not a message Ventanilla can read: kept whole, a person looks at it."""


@dataclass(frozen=True)
class Attachment:
    file_name: str
    declared_type: str
    data: bytes
    inline: bool
    content_id: str = ""


@dataclass(frozen=True)
class ParsedMessage:
    sender: str
    sender_name: str
    subject: str
    message_id: str
    text: str
    html: str
    language: str
    thread_ids: tuple[str, ...]
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)
    # Why it is no contact and no one should answer it (an auto-reply, a bounce, a list, our
    # own), or "".
    automatic: str = ""
    # A person wrote it but asked for no automatic answer (Outlook's X-Auto-Response-Suppress).
    no_reply: bool = False

    def references(self) -> list[str]:
        """Case references named in the subject first, then in the thread's headers."""
        pattern = reference_pattern()
        found: list[str] = []
        for source in (self.subject, *self.thread_ids):
            for match in pattern.findall(source.upper()):
                if match not in found:
                    found.append(match)
        return found


def reference_pattern() -> re.Pattern[str]:
    prefix = re.escape(settings.VENTANILLA_CASE_PREFIX.upper())
    return re.compile(rf"\b{prefix}-\d{{4}}-\d{{6}}\b")


def parse(raw: bytes) -> ParsedMessage:
    """Read ``raw``; raise ``MessageUnreadable`` when it has no sender to answer or its parts
    cannot be decoded."""
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
        assert isinstance(message, EmailMessage)  # noqa: S101 - policy.default makes one
        sender, sender_name = _sender(message)
        subject = _header(message, "Subject")
        text, rich, attachments = _body(message)
    except (LookupError, ValueError, TypeError, AttributeError, IndexError) as error:
        # What the standard library raises on malformed headers, charsets and encodings.
        raise MessageUnreadable(f"{type(error).__name__}: {error}") from error
    thread = tuple(
        value for name in ("In-Reply-To", "References") if (value := _header(message, name))
    )
    return ParsedMessage(
        sender=sender,
        sender_name=sender_name,
        subject=subject[:300],
        message_id=_header(message, "Message-ID")[:300],
        text=text[:MAX_TEXT],
        html=rich,
        language=_language(message),
        thread_ids=thread,
        attachments=tuple(attachments),
        automatic=automatic_reason(message, sender),
        no_reply=_suppresses_replies(message),
    )


def _suppresses_replies(message: EmailMessage) -> bool:
    asked = {
        word.strip().lower() for word in _header(message, "X-Auto-Response-Suppress").split(",")
    }
    return bool(asked & {"all", "oof", "autoreply"})


def _header(message: EmailMessage, name: str) -> str:
    value = message.get(name)
    return " ".join(_unescaped(str(value)).split()) if value is not None else ""


def _unescaped(text: str) -> str:
    """Raw 8-bit header bytes (not encoded as RFC 2047 says, but common) come from the parser as
    surrogates: read them as UTF-8, else as Latin-1."""
    try:
        data = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _sender(message: EmailMessage) -> tuple[str, str]:
    for name in ("Reply-To", "From"):
        header = message.get(name)
        addresses: tuple[Address, ...] = getattr(header, "addresses", ()) if header else ()
        for address in addresses:
            if address.username and address.domain:
                return _unescaped(address.addr_spec).lower(), _unescaped(
                    address.display_name
                ).strip()
    # A From the header registry could not structure: try the lenient reader once more.
    for display, spec in getaddresses([str(message.get("From", ""))]):
        if "@" in spec and "." in spec.split("@")[-1]:
            return _unescaped(spec).lower(), _unescaped(display).strip()
    raise MessageUnreadable("no sender address to answer")


def _language(message: EmailMessage) -> str:
    for name in ("Content-Language", "Accept-Language"):
        value = _header(message, name)
        if value:
            return value.split(",")[0].split(";")[0].split("-")[0].strip().lower()
    return ""


def _body(message: EmailMessage) -> tuple[str, str, list[Attachment]]:
    """The text (the plain part, else the HTML's text), the HTML made safe, and every part that
    is a file: attachments and inline images alike. Attached messages (a forwarded chain) are
    read as part of the text, their files kept too."""
    texts: list[str] = []
    htmls: list[str] = []
    attachments: list[Attachment] = []
    _walk(message, texts, htmls, attachments)
    rich = sanitize_html("\n".join(htmls)) if htmls else ""
    if texts:
        text = "\n\n".join(part.strip() for part in texts if part.strip())
    else:
        text = "\n\n".join(_html_text(part) for part in htmls)
    return text.strip(), rich, attachments


def _walk(
    part: EmailMessage, texts: list[str], htmls: list[str], attachments: list[Attachment]
) -> None:
    kind = part.get_content_type()
    if kind == "message/rfc822":
        for inner in part.iter_parts():
            if isinstance(inner, EmailMessage):
                texts.append(_forwarded_heading(inner))
                _walk(inner, texts, htmls, attachments)
        return
    if part.is_multipart():
        children = [child for child in part.iter_parts() if isinstance(child, EmailMessage)]
        if kind == "multipart/alternative":
            # One reading of the same words: the plain text if there is one, and the HTML.
            # (Each reading of a header parses it again: each part's type is read once.)
            typed = [(child.get_content_type(), child) for child in children]
            plain = [c for t, c in typed if t == "text/plain"]
            rich = [c for t, c in typed if t == "text/html"]
            if plain:
                texts.append(_content(plain[0]))
            if rich:
                htmls.append(_content(rich[0]))
            for child_type, child in typed:
                if child_type not in ("text/plain", "text/html"):
                    _walk(child, texts, htmls, attachments)
            return
        for child in children:
            _walk(child, texts, htmls, attachments)
        return
    disposition = part.get_content_disposition()
    file_name = _unescaped(part.get_filename() or "")
    if kind in ("text/plain", "text/html") and disposition != "attachment" and not file_name:
        (texts if kind == "text/plain" else htmls).append(_content(part))
        return
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes) or not data:
        return
    content_id = str(part.get("Content-ID", "")).strip().strip("<>")
    attachments.append(
        Attachment(
            file_name=file_name or _name_for(kind, content_id),
            declared_type=kind,
            data=data,
            inline=disposition == "inline" or (disposition is None and bool(content_id)),
            content_id=content_id,
        )
    )


def _content(part: EmailMessage) -> str:
    content = part.get_content()
    text = content if isinstance(content, str) else content.decode("utf-8", "replace")
    return text.replace("\r\n", "\n")


def _forwarded_heading(inner: EmailMessage) -> str:
    names = ("From", "To", "Date", "Subject")
    return "\n".join(f"{name}: {_header(inner, name)}" for name in names if inner.get(name))


_EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "application/pdf": "pdf"}


def _name_for(kind: str, content_id: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]", "", content_id.split("@")[0])[:60] or "part"
    return f"{stem}.{_EXTENSIONS.get(kind, 'bin')}"


def _html_text(markup: str) -> str:
    # Block ends become line breaks before the tags go, so paragraphs stay apart.
    spaced = re.sub(r"(?i)<\s*(br|/p|/div|/li|/tr|/h[1-6])\b[^>]*>", "\n", markup)
    bare = nh3.clean(spaced, tags=set(), clean_content_tags={"script", "style", "head"})
    lines = (" ".join(line.split()) for line in html.unescape(bare).splitlines())
    return "\n".join(line for line in lines if line)


_AUTO_SENDERS = re.compile(r"^(mailer-daemon|postmaster|no-?reply|bounces?)([+-].*)?@", re.I)


def automatic_reason(message: EmailMessage, sender: str) -> str:
    """Why no one should answer ``message`` (RFC 3834 and the customs that came before it), or
    "" when a person wrote it."""
    auto = _header(message, "Auto-Submitted").lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    if message.get(OUR_HEADER) is not None:
        return "sent by Ventanilla"
    domain = settings.VENTANILLA_MAIL_DOMAIN.lower()
    message_id = _header(message, "Message-ID").lower()
    if domain and message_id.rstrip(">").endswith(f"@{domain}"):
        return "sent by Ventanilla (its Message-ID)"
    if message.get_content_type() == "multipart/report":
        return "delivery or read report"
    for name in ("X-Autoreply", "X-Autorespond"):
        if message.get(name) is not None:
            return f"{name} header"
    precedence = _header(message, "Precedence").lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return f"Precedence: {precedence}"
    for name in ("List-Id", "List-Unsubscribe", "List-Post"):
        if message.get(name) is not None:
            return f"mailing list ({name})"
    if _header(message, "Return-Path") == "<>":
        return "empty return path (a bounce)"
    if _AUTO_SENDERS.match(sender):
        return f"automatic sender {sender}"
    return ""
