"""The satisfaction question, the same on every door: asked after a desk visit or a logged call by
an email or SMS with a signed link (no sign-in; one answer per link; the link expires), and
answered on a closed case in the portal. Every answer is a ``SatisfactionAnswer`` carrying the
door (channel) and what it was about, so the answers of every door are one set.

``satisfaction_ask`` joins the transaction of the contact it follows (its message is written to
the outbox in that transaction); ``satisfaction_answer`` is one transaction of its own, and a
second answer with the same link is refused by a conditional update, whatever two requests race."""

from __future__ import annotations

import logging
import secrets
import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_record
from ventanilla.catalog.models import Channel, PublicService
from ventanilla.core.errors import Conflict, NotFound, ValidationFailed
from ventanilla.core.i18n import localized
from ventanilla.interactions.models import Interaction, SatisfactionAnswer
from ventanilla.notifications.models import NotificationEvent
from ventanilla.notifications.outbox import notify_person
from ventanilla.notifications.templates import PLACEHOLDERS
from ventanilla.parties.models import Party

logger = logging.getLogger("ventanilla.interactions.satisfaction")

# How long the link in the message works.
LINK_DAYS = 14
# A person asked on any door within this time is not asked again (three calls in a morning
# bring one question, not three).
QUIET = timedelta(hours=20)
# The doors where a person serves a person, asked after a contact; the web and email doors ask
# on their case, when it closes.
ASKED_AFTER_CONTACT = ("desk", "phone")
# A contact that ended like this reached no one, so there is nothing to ask about.
NOT_ASKED_OUTCOMES = (Interaction.Outcome.NO_ANSWER,)
MAX_COMMENT = 2000
_SALT = "ventanilla.satisfaction"


class LinkExpired(Conflict):
    """The link's time is over."""

    status = 410


# Letters and digits that cannot be misread for another (no 0/O, 1/I/L): ten of them are
# 31^10, about 8 x 10^14 codes, for questions that live LINK_DAYS days.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def satisfaction_token(answer: SatisfactionAnswer) -> str:
    """The signed token of the link: the question's id, which nobody can forge or alter."""
    return signing.Signer(salt=_SALT).sign(answer.pk.hex)


def satisfaction_link(answer: SatisfactionAnswer) -> str:
    """The link sent to the person: ``/s/CODE`` (about 40 characters with the address, so a
    text message keeps room for its words), or the signed link of a question asked before
    codes existed."""
    base = settings.VENTANILLA_PUBLIC_URL.rstrip("/")
    if answer.code:
        return f"{base}/s/{answer.code}"
    return f"{base}/portal/satisfaction/{satisfaction_token(answer)}/"


def satisfaction_ask(
    *,
    party_id: Any,
    channel: str,
    about: str,
    interaction: Interaction | None = None,
    service: PublicService | None = None,
) -> SatisfactionAnswer | None:
    """Ask the person how it went, by each medium the outbox can reach them by, in their
    language; inside the caller's transaction. Nothing is asked (None) when the person cannot
    be reached, was asked a moment ago, or the contact reached no one."""
    if channel not in ASKED_AFTER_CONTACT:
        return None
    if interaction is not None and interaction.outcome in NOT_ASKED_OUTCOMES:
        return None
    party = Party.objects.filter(pk=party_id, status=Party.Status.ACTIVE).first()
    if party is None:
        return None
    now = timezone.now()
    if SatisfactionAnswer.objects.filter(
        party_id=party.pk, case__isnull=True, asked_at__gt=now - QUIET
    ).exists():
        return None
    with transaction.atomic(savepoint=False):
        answer = SatisfactionAnswer.objects.create(
            party=party,
            channel_id=channel,
            about=about[:200],
            interaction=interaction,
            asked_at=now,
            expires_at=now + timedelta(days=LINK_DAYS),
            code=_new_code(),
        )
        link = satisfaction_link(answer)

        def values_for(language: str) -> dict[str, str]:
            with translation.override(language):
                text = _door_words(channel, now)
                service_name = localized(service, "name") if service is not None else ""
            return {name: "" for name in PLACEHOLDERS} | {
                "reference": about,
                "service": service_name,
                "text": text,
                "due_date": formats.date_format(answer.expires_at.date()),
                "link": link,
            }

        sent = notify_person(
            party=party,
            event=NotificationEvent.SATISFACTION,
            values_for=values_for,
            about=f"satisfaction {answer.pk}",
        )
        if not sent:
            answer.delete()
            return None
    return answer


def _door_words(channel: str, when: Any) -> str:
    """What the person is thanked for, in the language active: "visit to our office of 2 Dec"."""
    day = formats.date_format(timezone.localtime(when).date())
    if channel == "phone":
        return _("call of %(day)s") % {"day": day}
    return _("visit to our office of %(day)s") % {"day": day}


def satisfaction_by_token(token: str) -> SatisfactionAnswer:
    """The question behind a link: NotFound for a token that is not ours (or altered),
    Conflict when it was already answered, LinkExpired when its time is over."""
    token = token.strip()
    questions = SatisfactionAnswer.objects.select_related("channel")
    if len(token) == CODE_LENGTH and ":" not in token:
        # A code typed from a text message may come in small letters.
        answer = questions.filter(code=token.upper()).first()
    else:
        try:
            raw = signing.Signer(salt=_SALT).unsign(token)
        except signing.BadSignature as bad:
            raise NotFound(
                _("This link is not valid. Copy the whole link from the message.")
            ) from bad
        answer = questions.filter(pk=_uuid_or_none(raw)).first()
    if answer is None:
        raise NotFound(_("This link is not valid. Copy the whole link from the message."))
    _check_open(answer)
    return answer


def _uuid_or_none(raw: str) -> Any:
    try:
        return uuid.UUID(hex=raw)
    except ValueError:
        return None


def _check_open(answer: SatisfactionAnswer) -> None:
    if answer.answered_at is not None:
        raise Conflict(_("This question has already been answered with this link. Thank you."))
    if answer.expires_at <= timezone.now():
        raise LinkExpired(
            _("This link has expired: it could be used for %(days)d days.") % {"days": LINK_DAYS}
        )


def satisfaction_answer(*, token: str, score: Any, comment: str = "") -> SatisfactionAnswer:
    """Record the answer given through a link, once."""
    score = _checked_score(score)
    comment = _checked_comment(comment)
    answer = satisfaction_by_token(token)
    now = timezone.now()
    with transaction.atomic():
        taken = SatisfactionAnswer.objects.filter(
            pk=answer.pk, answered_at__isnull=True, expires_at__gt=now
        ).update(score=score, comment=comment, answered_at=now, updated_at=now)
        if not taken:
            answer.refresh_from_db()
            _check_open(answer)
            raise Conflict(_("This question has already been answered with this link. Thank you."))
        audit_record(
            actor=Actor(label="citizen:satisfaction-link"),
            action=Action.INTERACTION_CREATE,
            party_id=answer.party_id,
            object_type="satisfaction_answer",
            object_id=answer.pk,
            detail={"channel": answer.channel_id, "score": score},
        )
    answer.score, answer.comment, answer.answered_at = score, comment, now
    logger.info("Satisfaction %s on %s: %s", answer.pk, answer.channel_id, score)
    return answer


def _checked_score(score: Any) -> int:
    try:
        value = int(score)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 5:
        raise ValidationFailed({"score": _("Choose from 1 to 5.")})
    return value


def _checked_comment(comment: str) -> str:
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise ValidationFailed({"comment": _("Write at most %d characters.") % MAX_COMMENT})
    return comment


def satisfaction_record_for_case(
    *,
    case_id: Any,
    party_id: Any,
    channel: str,
    reference: str,
    score: int,
    comment: str,
    asked_at: Any,
    answered_at: Any,
) -> SatisfactionAnswer:
    """The answer given on a closed case joins the set, with the case's channel: called by the
    services of cases in the transaction where the case takes its answer."""
    if not Channel.objects.filter(pk=channel).exists():  # pragma: no cover - a case's own
        raise ValidationFailed({"channel": _("Unknown channel.")})
    with transaction.atomic(savepoint=False):
        return SatisfactionAnswer.objects.create(
            party_id=party_id,
            channel_id=channel,
            about=reference,
            case_id=case_id,
            asked_at=asked_at or answered_at,
            expires_at=answered_at,
            score=score,
            comment=comment,
            answered_at=answered_at,
        )
