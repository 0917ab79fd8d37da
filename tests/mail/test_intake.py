"""Email intake, read from real-world messages (tests/mail/messages/): each becomes a contact on
its sender's history, threaded into the case it names or opening one that routing places, its
files checked and kept; machines are not answered; what cannot be read is kept for a person."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import DatabaseError

from tests.factories import make_party
from ventanilla.access.actors import Actor, actor_for_user
from ventanilla.cases.models import Case, CaseStatus, RoutingRule
from ventanilla.cases.services import case_open, case_transition
from ventanilla.catalog.models import Agency, PublicService
from ventanilla.interactions.models import Interaction, InteractionAttachment
from ventanilla.mail import services as mail_services
from ventanilla.mail.models import InboundMessage
from ventanilla.mail.services import mail_receive, message_handle
from ventanilla.notifications.models import Notification, NotificationEvent
from ventanilla.parties.models import ContactPoint, Party
from ventanilla.parties.services import ContactPointInput

pytestmark = pytest.mark.django_db

MESSAGES = Path(__file__).parent / "messages"


def eml(name: str, **replace: str) -> bytes:
    raw = (MESSAGES / name).read_bytes()
    for old, new in replace.items():
        raw = raw.replace(old.encode(), new.encode())
    return raw


@pytest.fixture
def triage(town: dict[str, Agency], settings: Any) -> Agency:
    settings.VENTANILLA_TRIAGE_DEPARTMENT = "ayto"
    settings.VENTANILLA_MAIL_SERVICE = ""
    return town["ayto"]


def test_a_new_sender_becomes_an_unverified_party_with_the_message_on_their_history(
    triage: Agency,
) -> None:
    message = mail_receive(raw=eml("multipart_alternative.eml"), source="imap")

    assert message.state == InboundMessage.State.NEEDS_PERSON
    assert message.sender == "maria.garcia@example.es"
    interaction = message.interaction
    assert interaction is not None and interaction.channel_id == "email"
    assert interaction.agency_id == triage.pk
    assert "Farola fundida" in interaction.summary and "número 12" in interaction.summary
    party = interaction.party
    assert (party.given_name, party.family_name_1) == ("María", "García López")
    contact = ContactPoint.objects.get(party=party)
    assert contact.normalized == "maria.garcia@example.es"


def test_html_is_kept_without_scripts_styles_or_remote_images(triage: Agency) -> None:
    message = mail_receive(raw=eml("multipart_alternative.eml"), source="imap")

    assert "<strong>Almendro</strong>" in message.html
    for unsafe in ("<script", "alert(", "<style", "onerror", "tracker.example"):
        assert unsafe not in message.html


def test_a_known_address_is_the_same_party(triage: Agency, actor: Actor) -> None:
    party = make_party(
        actor,
        contact_points=[ContactPointInput(kind="email", value="maria.garcia@example.es")],
    )

    message = mail_receive(raw=eml("multipart_alternative.eml"), source="gateway")

    assert message.interaction is not None and message.interaction.party_id == party.pk
    assert Party.objects.count() == 1


def test_the_sender_is_acknowledged_in_their_language_with_the_reference(
    triage: Agency,
) -> None:
    spanish = mail_receive(raw=eml("multipart_alternative.eml"), source="imap")
    english = mail_receive(raw=eml("outlook_reply.eml"), source="imap")

    sent = {
        n.recipient: n for n in Notification.objects.filter(event=NotificationEvent.MAIL_RECEIVED)
    }
    assert sent["maria.garcia@example.es"].language == "es"
    assert spanish.reference in sent["maria.garcia@example.es"].subject
    assert sent["john.smith@contoso.example"].language == "en"
    assert english.reference in sent["john.smith@contoso.example"].body
    assert spanish.replied_at is not None


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("auto_reply.eml", "Auto-Submitted"),
        ("bounce.eml", "Auto-Submitted"),
        ("mailing_list.eml", "Precedence: list"),
    ],
)
def test_machines_are_kept_but_not_recorded_nor_answered(
    triage: Agency, name: str, why: str
) -> None:
    message = mail_receive(raw=eml(name), source="imap")

    assert message.state == InboundMessage.State.AUTOMATIC
    assert why in message.reason
    assert message.interaction is None
    assert not Notification.objects.exists()
    assert not Party.objects.exists()


def test_our_own_message_coming_back_is_never_answered(triage: Agency) -> None:
    raw = eml("gmail_reply.eml").replace(
        b"MIME-Version: 1.0\r\n", b"MIME-Version: 1.0\r\nX-Ventanilla-Notification: 1\r\n", 1
    )

    message = mail_receive(raw=raw, source="imap")

    assert message.state == InboundMessage.State.AUTOMATIC
    assert not Notification.objects.exists()


def test_a_message_id_of_our_domain_is_our_own(triage: Agency, settings: Any) -> None:
    settings.VENTANILLA_MAIL_DOMAIN = "mail.gmail.example"

    message = mail_receive(raw=eml("gmail_reply.eml"), source="imap")

    assert message.state == InboundMessage.State.AUTOMATIC


def test_acknowledgements_to_one_address_stop_after_a_few_a_day(triage: Agency) -> None:
    for number in range(7):
        mail_receive(raw=eml("multipart_alternative.eml", **{"1234@": f"{number}@"}), source="imap")

    assert Notification.objects.filter(event=NotificationEvent.MAIL_RECEIVED).count() == 5
    assert InboundMessage.objects.filter(state=InboundMessage.State.NEEDS_PERSON).count() == 7


def test_an_outlook_sender_asking_for_no_auto_reply_is_recorded_but_not_answered(
    triage: Agency,
) -> None:
    raw = eml("latin1_quoted_printable.eml").replace(
        b"X-Mailer:", b"X-Auto-Response-Suppress: OOF, AutoReply\r\nX-Mailer:", 1
    )

    message = mail_receive(raw=raw, source="imap")

    assert message.interaction is not None
    assert message.replied_at is None
    assert not Notification.objects.exists()


def test_iso_8859_1_quoted_printable_is_read_as_written(triage: Agency) -> None:
    message = mail_receive(raw=eml("latin1_quoted_printable.eml"), source="imap")

    assert message.subject == "Información tasa de basuras"
    assert "calle Cañaveral" in message.text
    assert message.interaction is not None
    assert message.interaction.party.given_name == "José"


def test_an_inline_image_is_kept_and_checked_like_every_document(triage: Agency) -> None:
    message = mail_receive(raw=eml("inline_image.eml"), source="imap")

    attachment = InteractionAttachment.objects.get(interaction=message.interaction)
    assert (attachment.file_name, attachment.content_type) == ("bache.png", "image/png")
    assert attachment.description == "Image in the text of the email"


def test_a_forwarded_chain_keeps_every_message_text_and_its_file(triage: Agency) -> None:
    message = mail_receive(raw=eml("forwarded_chain.eml"), source="imap")

    assert "Les reenvío la queja" in message.text
    assert "música alta hasta las tres" in message.text
    assert "presidencia@comunidad.example" in message.text
    attachment = InteractionAttachment.objects.get(interaction=message.interaction)
    assert attachment.content_type == "application/pdf"


def test_a_fax_to_mail_pdf_is_kept_on_the_fax_numbers_party(triage: Agency) -> None:
    message = mail_receive(raw=eml("fax_to_mail.eml"), source="gateway")

    assert message.interaction is not None
    attachment = InteractionAttachment.objects.get(interaction=message.interaction)
    assert attachment.file_name == "FAX_20261201_140003.pdf"
    assert attachment.content_type == "application/pdf"
    assert "+34 912 345 678" in message.interaction.summary


def test_a_file_of_a_kind_not_kept_is_named_for_a_person_and_stays_in_the_message(
    triage: Agency,
) -> None:
    raw = eml("inline_image.eml").replace(b"image/png", b"application/x-msdownload")
    raw = raw.replace(b'filename="bache.png"', b'filename="setup.exe"')

    message = mail_receive(raw=raw, source="imap")

    assert message.state == InboundMessage.State.NEEDS_PERSON
    assert "setup.exe was not kept" in message.reason
    assert not InteractionAttachment.objects.exists()
    assert bytes(message.raw) == raw


def test_a_message_that_cannot_be_read_is_stored_whole_for_a_person(triage: Agency) -> None:
    raw = eml("broken.eml")

    message = mail_receive(raw=raw, source="imap")

    assert message.state == InboundMessage.State.NEEDS_PERSON
    assert "could not be read" in message.reason
    assert bytes(message.raw) == raw
    assert not Interaction.objects.exists()


def test_the_same_message_delivered_twice_is_recorded_once(triage: Agency) -> None:
    first = mail_receive(raw=eml("multipart_alternative.eml"), source="imap")
    again = mail_receive(raw=eml("multipart_alternative.eml"), source="gateway")

    assert again.pk == first.pk
    assert Interaction.objects.count() == 1


def test_a_database_failure_halfway_leaves_the_message_stored_to_handle_again(
    triage: Agency, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise DatabaseError("connection lost")

    monkeypatch.setattr(mail_services, "_attach", fail)
    with pytest.raises(DatabaseError):
        mail_receive(raw=eml("inline_image.eml"), source="imap")

    message = InboundMessage.objects.get()
    assert message.state == InboundMessage.State.RECEIVED
    assert not Interaction.objects.exists() and not Party.objects.exists()
    monkeypatch.undo()
    handled = message_handle(message_id=message.pk)
    assert handled.state == InboundMessage.State.NEEDS_PERSON
    assert handled.interaction is not None
    assert InteractionAttachment.objects.count() == 1


@pytest.fixture
def mail_service(town: dict[str, Agency], service: PublicService, settings: Any) -> PublicService:
    settings.VENTANILLA_TRIAGE_DEPARTMENT = "ayto"
    settings.VENTANILLA_MAIL_SERVICE = service.code
    return service


def test_a_new_email_opens_a_case_that_the_routing_rules_place_by_its_text(
    mail_service: PublicService, town: dict[str, Agency]
) -> None:
    RoutingRule.objects.create(name="Farolas", keywords="farola", department=town["padron"])

    message = mail_receive(raw=eml("multipart_alternative.eml"), source="imap")

    assert message.state == InboundMessage.State.RECORDED
    case = message.case
    assert case is not None and case.channel_id == "email"
    assert case.department_id == town["padron"].pk
    assert case.routed_by == Case.RoutedBy.RULE
    opened = Notification.objects.get(recipient="maria.garcia@example.es")
    assert opened.event == NotificationEvent.OPENED
    assert case.reference in opened.subject + opened.body


def _case_waiting_for(party: Party, staff: Actor) -> Case:
    case = case_open(
        actor=staff, party_id=party.pk, service_code="licencia-obra-menor", channel="web"
    )
    for action in ("accept", "ask_citizen"):
        case = case_transition(
            actor=staff, case_id=case.pk, action=action, reason="Falta el formulario firmado."
        )
    return case


@pytest.mark.parametrize("name", ["outlook_reply.eml", "gmail_reply.eml"])
def test_a_reply_naming_the_case_is_the_citizens_answer_on_it(
    mail_service: PublicService, make_staff: Any, name: str
) -> None:
    staff = actor_for_user(make_staff("tramitadora", "urbanismo", "case_worker"))
    sender = (
        "john.smith@contoso.example" if name.startswith("outlook") else "marta.sanz@gmail.example"
    )
    party = make_party(staff, contact_points=[ContactPointInput(kind="email", value=sender)])
    case = _case_waiting_for(party, staff)

    message = mail_receive(raw=eml(name, **{"AY-2026-000001": case.reference}), source="imap")

    assert message.case_id == case.pk
    assert message.state == InboundMessage.State.RECORDED
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS
    assert message.interaction is not None and message.interaction.case_id == case.pk
    assert Case.objects.count() == 1


def test_a_reply_naming_another_persons_case_opens_none_of_theirs(
    mail_service: PublicService, make_staff: Any
) -> None:
    staff = actor_for_user(make_staff("tramitadora", "urbanismo", "case_worker"))
    owner = make_party(staff)
    case = _case_waiting_for(owner, staff)

    message = mail_receive(
        raw=eml("gmail_reply.eml", **{"AY-2026-000001": case.reference}), source="imap"
    )

    assert message.state == InboundMessage.State.NEEDS_PERSON
    assert "of another person" in message.reason
    assert message.case_id != case.pk
    case.refresh_from_db()
    assert case.status == CaseStatus.WAITING_CITIZEN
