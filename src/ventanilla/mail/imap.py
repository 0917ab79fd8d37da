"""Reading the citizens' mailbox over IMAP: every unseen message is fetched without marking it
(BODY.PEEK), kept and handled by ``mail_receive``, and only once that has committed is it
flagged seen. A crash, a database gone or a server gone halfway leaves the message unseen, to
be read again next time; the same bytes again are the same stored message."""

from __future__ import annotations

import imaplib
import logging
import ssl
from dataclasses import dataclass, field

from django.conf import settings

from ventanilla.mail.models import InboundMessage
from ventanilla.mail.services import mail_receive, message_handle, messages_waiting

logger = logging.getLogger("ventanilla.mail.imap")


class MailboxUnavailable(Exception):
    """The IMAP server could not be reached, or refused the login or the folder."""


@dataclass
class FetchReport:
    fetched: int = 0
    recorded: int = 0
    needs_person: int = 0
    automatic: int = 0
    retried: int = 0
    failed: list[str] = field(default_factory=list)

    def count(self, message: InboundMessage) -> None:
        if message.state == InboundMessage.State.RECORDED:
            self.recorded += 1
        elif message.state == InboundMessage.State.NEEDS_PERSON:
            self.needs_person += 1
        elif message.state == InboundMessage.State.AUTOMATIC:
            self.automatic += 1

    def as_dict(self) -> dict[str, object]:
        return {
            "fetched": self.fetched,
            "recorded": self.recorded,
            "needs_person": self.needs_person,
            "automatic": self.automatic,
            "retried": self.retried,
            "failed": self.failed,
        }


def _connect() -> imaplib.IMAP4:
    host = settings.VENTANILLA_MAIL_IMAP_HOST
    port = settings.VENTANILLA_MAIL_IMAP_PORT
    try:
        if settings.VENTANILLA_MAIL_IMAP_SSL:
            client: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                host, port, ssl_context=ssl.create_default_context(), timeout=30
            )
        else:
            client = imaplib.IMAP4(host, port, timeout=30)
            if "STARTTLS" in client.capabilities:
                client.starttls(ssl_context=ssl.create_default_context())
        client.login(settings.VENTANILLA_MAIL_IMAP_USER, settings.VENTANILLA_MAIL_IMAP_PASSWORD)
        status, _data = client.select(_quoted(settings.VENTANILLA_MAIL_IMAP_FOLDER))
    except (OSError, imaplib.IMAP4.error) as error:
        raise MailboxUnavailable(f"{host}:{port}: {error}") from error
    if status != "OK":
        raise MailboxUnavailable(f"{host}:{port}: folder {settings.VENTANILLA_MAIL_IMAP_FOLDER}")
    return client


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def mail_fetch(*, limit: int = 500) -> FetchReport:
    """Read up to ``limit`` unseen messages of the mailbox, and handle again the stored ones a
    failure left unhandled."""
    report = FetchReport()
    for message_id in messages_waiting():
        report.count(message_handle(message_id=message_id))
        report.retried += 1
    if not settings.VENTANILLA_MAIL_IMAP_HOST:
        return report
    client = _connect()
    try:
        status, data = client.uid("SEARCH", "UNSEEN")
        if status != "OK":
            raise MailboxUnavailable(f"SEARCH UNSEEN: {data!r}")
        uids = [uid.decode() for uid in (data[0] or b"").split()[:limit]]
        for uid in uids:
            raw = _fetch(client, uid)
            if raw is None:
                report.failed.append(uid)
                continue
            message = mail_receive(raw=raw, source=InboundMessage.Source.IMAP, delivered_by="imap")
            report.fetched += 1
            report.count(message)
            # Only now, the message committed, may the server forget it is new.
            client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
    except (OSError, imaplib.IMAP4.abort) as error:
        raise MailboxUnavailable(str(error)) from error
    finally:
        try:
            client.logout()
        except (OSError, imaplib.IMAP4.error):
            logger.info("IMAP logout failed; the connection is dropped")
    return report


def _fetch(client: imaplib.IMAP4, uid: str) -> bytes | None:
    status, data = client.uid("FETCH", uid, "(BODY.PEEK[])")
    if status != "OK":
        logger.warning("IMAP FETCH %s failed: %r", uid, data)
        return None
    for item in data:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            return item[1]
    return None
