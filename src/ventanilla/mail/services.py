"""Intake of citizens' email, from the mailbox or a gateway: the message is stored whole first
(``mail_receive`` commits it before reading a header), then handled in one transaction of its
own — the sender's party found by address or registered, the contact recorded, threaded into the
case its subject names, or opening a case that routing places, its files checked and kept — and
the sender told, in their language, with the reference. What cannot be read or handled waits for
a person; a failure halfway leaves the message stored and unhandled, to be handled again."""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ventanilla.access.actors import Actor, actor_for_citizen
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_record
from ventanilla.cases.models import Case
from ventanilla.cases.selectors import visible_cases
from ventanilla.cases.services import case_citizen_reply, case_contact_record, case_open
from ventanilla.classifier.services import decision_record, suggest
from ventanilla.core.errors import DomainError, NotFound
from ventanilla.interactions.models import Interaction
from ventanilla.interactions.services import attachment_add_for_case
from ventanilla.mail.models import InboundMessage
from ventanilla.mail.parsing import MessageUnreadable, ParsedMessage, parse
from ventanilla.mail.replies import reply_received
from ventanilla.mail.selectors import messages_in_reach
from ventanilla.parties.models import ContactPoint, Party
from ventanilla.parties.services import ContactPointInput, party_create

logger = logging.getLogger("ventanilla.mail")

SYSTEM = Actor(label="system:mail", sees_everything=True)
CHANNEL = "email"
# Older unhandled messages are taken up again by the next reading (a crash, a database gone).
RETRY_AFTER = timedelta(minutes=10)


def mail_receive(*, raw: bytes, source: str, delivered_by: str = "") -> InboundMessage:
    """Keep ``raw`` and handle it. Once this returns, the message is committed: a mailbox may
    mark it seen. The same bytes again are the same message, handled once."""
    message, created = message_store(raw=raw, source=source, delivered_by=delivered_by)
    if not created and message.state != InboundMessage.State.RECEIVED:
        return message
    return message_handle(message_id=message.pk)


def message_store(
    *, raw: bytes, source: str, delivered_by: str = ""
) -> tuple[InboundMessage, bool]:
    """The message row for ``raw``, committed before anything is read from it."""
    if source not in InboundMessage.Source.values:
        raise ValueError(f"Unknown mail source {source!r}")
    digest = hashlib.sha256(raw).hexdigest()
    existing = InboundMessage.objects.filter(sha256=digest).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            message = InboundMessage.objects.create(
                sha256=digest, raw=raw, source=source, delivered_by=delivered_by[:150]
            )
    except IntegrityError:
        # Delivered twice at the same moment: the other delivery stored it.
        return InboundMessage.objects.get(sha256=digest), False
    return message, True


def message_handle(*, message_id: Any) -> InboundMessage:
    """Handle one stored message (safe to run twice: a handled message is left alone)."""
    message = InboundMessage.objects.get(pk=message_id)
    if message.state != InboundMessage.State.RECEIVED:
        return message
    try:
        parsed = parse(bytes(message.raw))
    except MessageUnreadable as error:
        return _conclude(
            message,
            state=InboundMessage.State.NEEDS_PERSON,
            reason=_said(
                gettext_noop("The message could not be read (%(error)s); it is kept as it came."),
                error=str(error),
            ),
        )
    headers = {
        "message_id": parsed.message_id,
        "sender": parsed.sender[:254],
        "subject": parsed.subject,
        "text": parsed.text,
        "html": parsed.html,
    }
    if parsed.automatic:
        return _conclude(
            message,
            state=InboundMessage.State.AUTOMATIC,
            reason=lambda: parsed.automatic,
            **headers,
        )
    try:
        with transaction.atomic():
            locked = InboundMessage.objects.select_for_update().get(pk=message.pk)
            if locked.state != InboundMessage.State.RECEIVED:
                return locked
            return _record(locked, parsed, headers)
    except DomainError as error:
        return _conclude(
            message,
            state=InboundMessage.State.NEEDS_PERSON,
            reason=_said(
                gettext_noop("It could not be recorded: %(error)s"), error=_describe(error)
            ),
            **headers,
        )


def _describe(error: DomainError) -> str:
    errors = getattr(error, "errors", None)
    if isinstance(errors, dict) and errors:
        return "; ".join(f"{name}: {text}" for name, text in errors.items())
    return str(error)


# A reason is written by a function, so that it can be written in each language of the console.
Reason = Callable[[], str]


def _said(message: str, **values: str) -> Reason:
    """A reason to be written later, in whichever language is active then: ``message`` is the
    English original (marked with ``gettext_noop`` where it is given), ``values`` fill it in."""
    return lambda: _(message) % values if values else _(message)


def _joined(reasons: list[Reason]) -> Reason:
    return lambda: " ".join(reason() for reason in reasons)


def _in_each_language(reason: Reason) -> dict[str, str]:
    """The reason in each language of the console: whoever reads the list reads it in theirs,
    whatever language the message was handled in (the worker's, or the gateway's call's)."""
    texts = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts[code] = reason()[:2000]
    return texts


def _conclude(
    message: InboundMessage, *, state: str, reason: Reason, **fields: Any
) -> InboundMessage:
    now = timezone.now()
    fields |= {
        "state": state,
        "reason": reason()[:2000],
        "reasons": _in_each_language(reason),
        "handled_at": now,
        "updated_at": now,
    }
    InboundMessage.objects.filter(pk=message.pk, state=InboundMessage.State.RECEIVED).update(
        **fields
    )
    message.refresh_from_db()
    if state == InboundMessage.State.NEEDS_PERSON:
        logger.warning("Email %s waits for a person: %s", message.pk, fields["reason"])
    return message


def _record(
    message: InboundMessage, parsed: ParsedMessage, headers: dict[str, str]
) -> InboundMessage:
    party = _sender_party(parsed)
    summary = _summary(parsed)
    waits: list[Reason] = []
    case: Case | None = None
    interaction: Interaction | None = None
    opened = False
    for reference in parsed.references():
        case = visible_cases(SYSTEM).filter(reference=reference).first()
        if case is not None:
            break
    if case is not None and case.party_id == party.pk and case.is_open:
        event = case_citizen_reply(
            actor=actor_for_citizen(party), case_id=case.pk, text=summary, channel=CHANNEL
        )
        interaction = event.interaction
    elif case is not None and case.party_id == party.pk:
        interaction = case_contact_record(
            actor=SYSTEM,
            party_id=party.pk,
            case_reference=case.reference,
            channel=CHANNEL,
            summary=summary,
            agency_code=case.department.code,
        )
        waits.append(
            _said(
                gettext_noop("It names case %(reference)s, which is finished."),
                reference=case.reference,
            )
        )
    elif settings.VENTANILLA_MAIL_SERVICE:
        if case is not None:
            waits.append(
                _said(
                    gettext_noop("It names case %(reference)s, of another person."),
                    reference=case.reference,
                )
            )
        # The classifier's service when it is sure enough; else the general one, which
        # routing places (by its rules, or in triage). Either way the suggestion is logged.
        suggestion = suggest(summary)
        applied = suggestion is not None and suggestion.confident
        case = case_open(
            actor=SYSTEM,
            party_id=party.pk,
            service_code=(
                suggestion.service_code
                if suggestion is not None and applied
                else settings.VENTANILLA_MAIL_SERVICE
            ),
            channel=CHANNEL,
            description=summary,
        )
        if suggestion is not None:
            decision_record(
                suggestion=suggestion, text=summary, door=CHANNEL, case=case, applied=applied
            )
        opened = True
        interaction = Interaction.objects.filter(case=case).order_by("created_at").first()
    else:
        if case is not None:
            waits.append(
                _said(
                    gettext_noop("It names case %(reference)s, of another person."),
                    reference=case.reference,
                )
            )
        case = None
        interaction = case_contact_record(
            actor=SYSTEM,
            party_id=party.pk,
            case_reference=None,
            channel=CHANNEL,
            summary=summary,
            agency_code=settings.VENTANILLA_TRIAGE_DEPARTMENT,
        )
        waits.append(_said(gettext_noop("A new message: place it in a case or answer it.")))
    assert interaction is not None  # noqa: S101 - every branch records the contact
    waits += _attach(interaction, parsed)
    now = timezone.now()
    state = InboundMessage.State.NEEDS_PERSON if waits else InboundMessage.State.RECORDED
    for field_name, value in headers.items():
        setattr(message, field_name, value)
    message.state = state
    message.reason = _joined(waits)()[:2000]
    message.reasons = _in_each_language(_joined(waits)) if waits else {}
    message.interaction = interaction
    message.case = case
    message.handled_at = now
    fields = [
        *headers,
        *("state", "reason", "reasons", "interaction", "case", "handled_at", "updated_at"),
    ]
    # A new case tells its sender with its "opened" message (case_open wrote it); anything
    # else gets an acknowledgement carrying the reference, unless the sender asked for none.
    if opened or (
        not parsed.no_reply
        and reply_received(
            party=party,
            sender=parsed.sender,
            reference=case.reference if case else message.reference,
        )
    ):
        message.replied_at = now
        fields.append("replied_at")
    message.save(update_fields=fields)
    return message


def _summary(parsed: ParsedMessage) -> str:
    text = parsed.text or (_("(no text; %d files)") % len(parsed.attachments))
    return f"{parsed.subject}\n\n{text}".strip()[:4000]


def _sender_party(parsed: ParsedMessage) -> Party:
    """The active party whose email is the sender's (the preferred and oldest when several
    share it), else a new one, unverified, named as the message names its sender."""
    found = (
        ContactPoint.objects.filter(
            kind=ContactPoint.Kind.EMAIL,
            normalized=parsed.sender,
            party__status=Party.Status.ACTIVE,
        )
        .order_by("-preferred", "created_at")
        .select_related("party")
        .first()
    )
    if found is not None:
        return found.party
    name = parsed.sender_name.replace('"', "").strip()
    if name.count(",") == 1:
        # "Smith, John", as Outlook writes the directory's names.
        family, given = name.split(",")
        name = f"{given.strip()} {family.strip()}"
    words = name.split() or [parsed.sender.split("@")[0]]
    return party_create(
        actor=SYSTEM,
        given_name=words[0][:100],
        # A name in one word leaves the family name to be asked: the address stands for it.
        family_name_1=(" ".join(words[1:]) or parsed.sender)[:100],
        preferred_language=parsed.language if parsed.language in ("es", "en") else "es",
        contact_points=[
            ContactPointInput(kind=ContactPoint.Kind.EMAIL, value=parsed.sender, preferred=True)
        ],
    )


def _attach(interaction: Interaction, parsed: ParsedMessage) -> list[Reason]:
    """Keep every file of the message on the contact, each checked as every document is; a
    refused one is named for a person (it stays in the stored message)."""
    refused: list[Reason] = []
    for attachment in parsed.attachments:
        try:
            with transaction.atomic():
                attachment_add_for_case(
                    actor=SYSTEM,
                    interaction=interaction,
                    file_name=attachment.file_name,
                    content=io.BytesIO(attachment.data),
                    size=len(attachment.data),
                    description=_("Image in the text of the email")
                    if attachment.inline
                    else _("Attached to the email"),
                )
        except DomainError as error:
            refused.append(
                _said(
                    gettext_noop("The file %(name)s was not kept: %(error)s"),
                    name=attachment.file_name,
                    error=_describe(error),
                )
            )
    return refused


def messages_waiting() -> list[Any]:
    """Stored messages left unhandled by a failure, old enough not to be in someone's hands."""
    cutoff = timezone.now() - RETRY_AFTER
    return list(
        InboundMessage.objects.filter(
            state=InboundMessage.State.RECEIVED, created_at__lt=cutoff
        ).values_list("pk", flat=True)[:100]
    )


def message_dealt_with(*, actor: Actor, message_id: Any) -> InboundMessage:
    """A person has dealt with a waiting email (placed it in a case, answered it, or read the
    one that could not be read): it leaves the list, and who did it is in the audit log."""
    require(actor, Scope.INTERACTIONS_WRITE)
    with transaction.atomic():
        message = (
            messages_in_reach(actor)
            .select_for_update(of=("self",))
            .select_related("interaction")
            .filter(pk=message_id)
            .first()
        )
        if message is None:
            raise NotFound(_("No such email waiting."))
        message.state = InboundMessage.State.DEALT_WITH
        message.handled_at = timezone.now()
        message.save(update_fields=["state", "handled_at", "updated_at"])
        audit_record(
            actor=actor,
            action=Action.MAIL_DEALT_WITH,
            party_id=message.interaction.party_id if message.interaction else None,
            object_type="inbound_message",
            object_id=message.pk,
        )
    return message
