"""The console's list of emails waiting for a person: who sent them, why they wait, the message
as it came (to open in a mail program), and "dealt with" to take one off the list; each look is
in the audit log, and another agency's staff see none of it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from tests.conftest import sign_in
from tests.mail.test_intake import eml, triage  # noqa: F401 - the fixture is used by name
from ventanilla.audit.models import AuditEntry
from ventanilla.mail.models import InboundMessage
from ventanilla.mail.services import mail_receive

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("triage")]


def _client(user: Any, language: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    sign_in(client, user)
    return client


def test_an_email_that_could_not_be_read_is_listed_opened_and_dealt_with(
    agent_user: Any,
) -> None:
    broken = mail_receive(raw=eml("broken.eml"), source="gateway")
    new = mail_receive(raw=eml("multipart_alternative.eml"), source="imap")
    client = _client(agent_user, "en")
    assert broken.state == new.state == InboundMessage.State.NEEDS_PERSON

    page = client.get("/console/mail/").content.decode()
    raw = client.get(f"/console/mail/{broken.pk}/raw/")
    done = client.post(f"/console/mail/{broken.pk}/done/", follow=True).content.decode()

    assert "2 emails to deal with" in page
    assert "María García López" in page  # the new sender, linked to their record
    assert f"/console/parties/{new.interaction.party_id}/" in page  # type: ignore[union-attr]
    assert str(broken.pk) not in re.sub(r"<[^>]+>", "", page)  # no raw id is read
    assert raw["Content-Type"] == "message/rfc822"
    assert b"".join(raw.streaming_content if raw.streaming else [raw.content]) == eml("broken.eml")
    assert "The email left the list." in done and "1 email to deal with" in done
    broken.refresh_from_db()
    assert broken.state == InboundMessage.State.DEALT_WITH
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"mail.list", "mail.read", "mail.dealt_with"} <= actions


def test_the_list_reads_in_spanish(agent_user: Any) -> None:
    mail_receive(raw=eml("broken.eml"), source="gateway")

    page = _client(agent_user, "es").get("/console/mail/").content.decode()

    assert "Correos por atender" in page and "Atendido" in page


def test_another_agency_sees_none_of_them(make_staff: Any) -> None:
    broken = mail_receive(raw=eml("broken.eml"), source="gateway")
    client = _client(make_staff("otra", "salud", "agent"), "en")

    page = client.get("/console/mail/").content.decode()

    assert "No email is waiting for a person." in page
    assert client.get(f"/console/mail/{broken.pk}/raw/").status_code == 404
    client.post(f"/console/mail/{broken.pk}/done/")
    broken.refresh_from_db()
    assert broken.state == InboundMessage.State.NEEDS_PERSON


@pytest.mark.parametrize(
    ("handled_in", "read_in", "why"),
    [
        ("es", "en", "A new message: place it in a case or answer it."),
        ("en", "es", "Mensaje nuevo: llévelo a un expediente o contéstelo."),
    ],
)
def test_why_it_waits_is_read_in_the_readers_language_whatever_it_was_handled_in(
    agent_user: Any, handled_in: str, read_in: str, why: str
) -> None:
    with translation.override(handled_in):
        mail_receive(raw=eml("multipart_alternative.eml"), source="imap")

    page = _client(agent_user, read_in).get("/console/mail/").content.decode()

    assert why in page
