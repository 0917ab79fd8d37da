"""Writing to the outbox: the messages a change in the person's name causes, in their language, by
email and SMS to their mobile, inside the transaction of that change; a sending run is queued
once it commits. ``notify_party`` is for what is not a case (a consent recorded or withdrawn);
cases write theirs with ``cases.notifications.notify_case``, through the same helpers."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import Any

import phonenumbers
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ventanilla.core.bulk import insert_new
from ventanilla.core.statements import db_value, fields_of, read_all
from ventanilla.notifications.models import Medium, Notification, NotificationEvent
from ventanilla.notifications.templates import (
    FALLBACK_LANGUAGE,
    LANGUAGES,
    PLACEHOLDERS,
    active_templates,
    render,
)
from ventanilla.parties.models import ContactPoint, Party

logger = logging.getLogger("ventanilla.notifications.outbox")


def language_of(party: Party) -> str:
    language = (party.preferred_language or "").split("-")[0].lower()
    return language if language in LANGUAGES else FALLBACK_LANGUAGE


def is_mobile(e164: str) -> bool:
    try:
        number = phonenumbers.parse(e164, "ES")
    except phonenumbers.NumberParseException:
        return False
    kind = phonenumbers.number_type(number)
    return kind in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


# Every message to a citizen reads it: a statement written once (per number of parties).
_ADDRESSES = """
SELECT point.party_id, point.kind, point.normalized FROM parties_contactpoint AS point
WHERE point.party_id IN ({parties}) AND point.kind IN (%s, %s)
    AND (point.valid_until IS NULL OR point.valid_until >= %s)
ORDER BY point.preferred DESC, point.created_at
"""
_ADDRESS_FIELDS = fields_of(ContactPoint, "party", "kind", "normalized", "valid_until")


def addresses_of(party_ids: list[Any], today: date) -> dict[Any, dict[str, str]]:
    """Each party's email and mobile number (preferred first), in one query."""
    found: dict[Any, dict[str, str]] = {}
    if not party_ids:
        return found
    party_field, kind_field, normalized_field, valid_until_field = _ADDRESS_FIELDS
    points = read_all(
        _ADDRESSES.format(parties=", ".join(["%s"] * len(party_ids))),
        [
            *(db_value(party_field, party_id) for party_id in party_ids),
            ContactPoint.Kind.EMAIL,
            ContactPoint.Kind.PHONE,
            db_value(valid_until_field, today),
        ],
        [party_field, kind_field, normalized_field],
    )
    for party_id, kind, value in points:
        mine = found.setdefault(party_id, {})
        if kind == ContactPoint.Kind.EMAIL:
            mine.setdefault(Medium.EMAIL, value)
        elif is_mobile(value):
            mine.setdefault(Medium.SMS, value)
    return found


def my_data_link() -> str:
    """The portal page where the person sees and withdraws their consents."""
    return f"{settings.VENTANILLA_PUBLIC_URL.rstrip('/')}/portal/me/"


def notify_party(
    *, party_id: Any, event: str, text: str, subject: str = "", link: str = ""
) -> list[Notification]:
    """Write the messages about something done in the person's name that is not a case (a
    consent recorded or withdrawn, a proposal they support answered), by email and SMS, in their
    language; inside the transaction of the change, like ``notify_case``. ``subject`` fills
    ``{service}``; ``link`` the page to open (the person's own data when empty)."""
    if event not in NotificationEvent.values:
        raise ValueError(f"Unknown notification event {event!r}")
    party = Party.objects.get(pk=party_id)
    return notify_person(
        party=party,
        event=event,
        values_for=lambda _language: (
            {name: "" for name in PLACEHOLDERS}
            | {"text": text, "service": subject, "link": link or my_data_link()}
        ),
        about=str(event),
    )


def notify_person(
    *,
    party: Party,
    event: str,
    values_for: Callable[[str], dict[str, str]],
    about: str,
) -> list[Notification]:
    """Write one message by each medium the person can be reached by (email, mobile), from the
    ``event``'s template in their language (else the Spanish one), its placeholders filled by
    ``values_for(language)``; sending is queued once the caller's transaction commits. ``about``
    names what was not notified in the log when the person has no address."""
    language = language_of(party)
    templates = active_templates(event)
    rows: list[Notification] = []
    for medium, recipient in (
        addresses_of([party.pk], timezone.localdate()).get(party.pk, {}).items()
    ):
        template = templates.get((language, medium)) or templates.get((FALLBACK_LANGUAGE, medium))
        if template is None:
            logger.info("No %s template for %s (%s): not sent", medium, event, language)
            continue
        values = values_for(template.language)
        rows.append(
            Notification(
                party=party,
                event=event,
                medium=medium,
                recipient=recipient[:254],
                language=template.language,
                subject=render(template.subject, values)[:200],
                body=render(template.body, values)[:8000],
            )
        )
    if not rows:
        logger.info("Party %s has no email or mobile: %s not notified", party.pk, about)
        return []
    insert_new(rows)
    transaction.on_commit(enqueue_sending)
    return rows


def enqueue_sending() -> None:
    """Queue a sending run unless one is already waiting to start: that one will send this
    message too (it reads every queued message when it starts), and a busy counter opening
    hundreds of cases a minute does not fill the queue with runs."""
    from ventanilla.core.scheduling import task_waiting
    from ventanilla.notifications.jobs import send_notifications

    if not task_waiting(send_notifications, due_now=True):
        send_notifications.enqueue()


def notify_addresses(
    *,
    event: str,
    messages: list[tuple[Party | None, str, str, str, str, dict[str, str]]],
) -> list[Notification]:
    """Write emails already composed by their caller, each ``(party or None, address, language,
    subject, body, headers)``: the notices to their subscribers, the link that confirms a
    subscription. Inside the caller's transaction; sending is queued once it commits. The
    party is None for an address that is nobody's record."""
    if event not in NotificationEvent.values:
        raise ValueError(f"Unknown notification event {event!r}")
    rows = [
        Notification(
            party=party,
            event=event,
            medium=Medium.EMAIL,
            recipient=address[:254],
            language=language if language in LANGUAGES else FALLBACK_LANGUAGE,
            subject=subject[:200],
            body=body[:8000],
            headers=headers,
        )
        for party, address, language, subject, body, headers in messages
    ]
    if not rows:
        return []
    insert_new(rows)
    transaction.on_commit(enqueue_sending)
    return rows
