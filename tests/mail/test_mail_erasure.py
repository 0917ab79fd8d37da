"""The right to erasure reaches the emails as they were received: they repeat the person's
words, address and files, so they go with the person's identity."""

from __future__ import annotations

import pytest

from tests.mail.test_intake import eml, triage  # noqa: F401 - the fixture is used by name
from ventanilla.access.actors import Actor
from ventanilla.interactions.models import Interaction
from ventanilla.mail.models import InboundMessage
from ventanilla.mail.services import mail_receive
from ventanilla.privacy.services import party_erase

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("triage")
def test_erasing_the_sender_removes_the_emails_they_sent(actor: Actor) -> None:
    message = mail_receive(raw=eml("multipart_alternative.eml"), source="imap")
    assert message.interaction is not None
    party_id = message.interaction.party_id
    other = mail_receive(raw=eml("gmail_reply.eml"), source="imap")

    party_erase(actor=actor, party_id=party_id, reason="art. 17")

    assert not InboundMessage.objects.filter(pk=message.pk).exists()
    assert InboundMessage.objects.filter(pk=other.pk).exists()
    assert Interaction.objects.filter(party_id=party_id).exists()  # the contact stays, blanked
