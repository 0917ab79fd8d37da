"""Reading a real IMAP mailbox (dovecot, started for the test): unseen messages are fetched,
kept and handled, and flagged seen only once committed; a failure halfway leaves the message
unseen to be read again, and reading again records nothing twice."""

from __future__ import annotations

import imaplib
import shutil
import tempfile
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import DatabaseError

from tests.mail.dovecot import Mailbox, dovecot
from ventanilla.catalog.models import Agency
from ventanilla.interactions.models import Interaction
from ventanilla.mail import imap
from ventanilla.mail.imap import mail_fetch
from ventanilla.mail.jobs import fetch_mail, schedule_mail_fetch
from ventanilla.mail.models import InboundMessage

pytestmark = pytest.mark.django_db

MESSAGES = Path(__file__).parent / "messages"


@pytest.fixture
def mailbox(town: dict[str, Agency], settings: Any) -> Iterator[Mailbox]:
    # Not under pytest's tmp_path: run as root, dovecot's own users must reach the folder,
    # and pytest keeps its parents closed to others.
    root = Path(tempfile.mkdtemp(prefix="ventanilla-dovecot-"))
    with dovecot(root) as box:
        settings.VENTANILLA_TRIAGE_DEPARTMENT = "ayto"
        settings.VENTANILLA_MAIL_SERVICE = ""
        settings.VENTANILLA_MAIL_IMAP_HOST = box.host
        settings.VENTANILLA_MAIL_IMAP_PORT = box.port
        settings.VENTANILLA_MAIL_IMAP_USER = box.user
        settings.VENTANILLA_MAIL_IMAP_PASSWORD = box.password
        settings.VENTANILLA_MAIL_IMAP_SSL = False
        yield box
    shutil.rmtree(root, ignore_errors=True)


def deliver(box: Mailbox, *names: str) -> None:
    client = imaplib.IMAP4(box.host, box.port)
    client.login(box.user, box.password)
    for name in names:
        client.append("INBOX", None, None, (MESSAGES / name).read_bytes())
    client.logout()


def unseen(box: Mailbox) -> int:
    client = imaplib.IMAP4(box.host, box.port)
    client.login(box.user, box.password)
    client.select("INBOX", readonly=True)
    _status, data = client.uid("SEARCH", "UNSEEN")
    client.logout()
    return len((data[0] or b"").split())


def test_the_command_reads_every_unseen_message_and_marks_it_seen(mailbox: Mailbox) -> None:
    deliver(mailbox, "multipart_alternative.eml", "fax_to_mail.eml", "auto_reply.eml")
    assert unseen(mailbox) == 3

    out = StringIO()
    call_command("mail", "fetch", stdout=out)

    assert "Read 3 messages" in out.getvalue()
    assert unseen(mailbox) == 0
    assert InboundMessage.objects.filter(source="imap").count() == 3
    assert Interaction.objects.filter(channel_id="email").count() == 2


def test_a_database_failure_leaves_the_message_unseen_and_the_next_reading_takes_it(
    mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    deliver(mailbox, "latin1_quoted_printable.eml")

    def database_gone(**kwargs: Any) -> Any:
        raise DatabaseError("the database went away")

    monkeypatch.setattr(imap, "mail_receive", database_gone)
    with pytest.raises(DatabaseError):
        mail_fetch()
    assert unseen(mailbox) == 1
    assert not InboundMessage.objects.exists()

    monkeypatch.undo()
    report = mail_fetch()

    assert report.fetched == 1 and unseen(mailbox) == 0
    assert Interaction.objects.get().party.given_name == "José"


def test_a_message_read_again_is_not_recorded_twice(mailbox: Mailbox) -> None:
    deliver(mailbox, "inline_image.eml")
    mail_fetch()
    deliver(mailbox, "inline_image.eml")  # the same bytes, unseen again

    mail_fetch()

    assert InboundMessage.objects.count() == 1
    assert Interaction.objects.count() == 1
    assert unseen(mailbox) == 0


def test_a_wrong_password_is_a_clear_error_and_nothing_is_read(
    mailbox: Mailbox, settings: Any
) -> None:
    deliver(mailbox, "inline_image.eml")
    settings.VENTANILLA_MAIL_IMAP_PASSWORD = "wrong"

    with pytest.raises(imap.MailboxUnavailable):
        mail_fetch()

    assert unseen(mailbox) == 1


def test_the_worker_reads_the_mailbox_on_a_schedule(mailbox: Mailbox) -> None:
    deliver(mailbox, "gmail_reply.eml")

    assert schedule_mail_fetch() is True
    assert schedule_mail_fetch() is False  # one reading waits at a time
    result = fetch_mail.call()

    assert result["fetched"] == 1
    assert unseen(mailbox) == 0
