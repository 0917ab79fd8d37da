"""What the citizen is told about their case, or about their data. ``notify_case`` and
``notify_party`` write the messages to the outbox (Notification) inside the transaction of the
change that causes them, and queue a sending run once that transaction commits; the texts come
from ``message_templates`` and the sending is in ``sending``."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

import phonenumbers
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone, translation

from ventanilla.cases.message_templates import (
    FALLBACK_LANGUAGE,
    LANGUAGES,
    PLACEHOLDERS,
    active_templates,
    case_link,
    render,
)
from ventanilla.cases.models import (
    Case,
    CaseStatus,
    Medium,
    Notification,
    NotificationEvent,
)
from ventanilla.parties.models import ContactPoint, Party

logger = logging.getLogger("ventanilla.cases.notifications")


def _language(party: Party) -> str:
    language = (party.preferred_language or "").split("-")[0].lower()
    return language if language in LANGUAGES else FALLBACK_LANGUAGE


def _is_mobile(e164: str) -> bool:
    try:
        number = phonenumbers.parse(e164, "ES")
    except phonenumbers.NumberParseException:
        return False
    kind = phonenumbers.number_type(number)
    return kind in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


def _addresses(party_ids: list[Any], today: date) -> dict[Any, dict[str, str]]:
    """Each party's email and mobile number (preferred first), in one query."""
    found: dict[Any, dict[str, str]] = {}
    points = (
        ContactPoint.objects.filter(
            party_id__in=party_ids, kind__in=[ContactPoint.Kind.EMAIL, ContactPoint.Kind.PHONE]
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .order_by("-preferred", "created_at")
        .values_list("party_id", "kind", "normalized")
    )
    for party_id, kind, value in points:
        mine = found.setdefault(party_id, {})
        if kind == ContactPoint.Kind.EMAIL:
            mine.setdefault(Medium.EMAIL, value)
        elif _is_mobile(value):
            mine.setdefault(Medium.SMS, value)
    return found


def _values(
    case: Case, reporter_case: Case, event: str, text: str, language: str
) -> dict[str, str]:
    with translation.override(language):
        return {
            # A reporter of a duplicate knows their own reference; the news is the main case's.
            "reference": reporter_case.reference,
            "service": case.service.name,
            "status": str(CaseStatus(case.status).label),
            "text": text,
            "due_date": formats.date_format(case.due_date, "SHORT_DATE_FORMAT"),
            "link": case_link(
                reporter_case.reference, satisfaction=event == NotificationEvent.CLOSED
            ),
        }


def notify_case(*, case: Case, event: str, text: str = "") -> list[Notification]:
    """Write the messages about ``case`` for its party and for the reporters of its duplicates,
    in each one's language, by email and (where a template exists) SMS to their mobile. Call it
    inside the transaction of the change; sending is queued for when that commits.

    A missing template or address is logged and skipped: the change itself must not fail."""
    if event not in NotificationEvent.values:
        raise ValueError(f"Unknown notification event {event!r}")
    reporters: list[Case] = [case]
    if event != NotificationEvent.OPENED:  # a case just opened has no duplicates yet
        reporters += list(
            Case.objects.filter(duplicate_of=case).exclude(pk=case.pk).select_related("party")
        )
    templates = active_templates(event)
    addresses = _addresses([c.party_id for c in reporters], timezone.localdate())
    rows: list[Notification] = []
    told: set[tuple[Any, str, str]] = set()
    for reporter_case in reporters:
        party = reporter_case.party
        language = _language(party)
        for medium, recipient in addresses.get(party.pk, {}).items():
            if (party.pk, medium, recipient) in told:
                continue  # the same person reported twice: one message is enough
            template = templates.get((language, medium)) or templates.get(
                (FALLBACK_LANGUAGE, medium)
            )
            if template is None:
                logger.info("No %s template for %s (%s): not sent", medium, event, language)
                continue
            values = _values(case, reporter_case, event, text, template.language)
            told.add((party.pk, medium, recipient))
            rows.append(
                Notification(
                    party=party,
                    case=reporter_case,
                    event=event,
                    medium=medium,
                    recipient=recipient[:254],
                    language=template.language,
                    subject=render(template.subject, values)[:200],
                    body=render(template.body, values)[:8000],
                )
            )
        if party.pk not in addresses:
            logger.info("Party %s has no email or mobile: case %s not notified", party.pk, case)
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    transaction.on_commit(enqueue_sending)
    return created


def my_data_link() -> str:
    """The portal page where the person sees and withdraws their consents."""
    return f"{settings.VENTANILLA_PUBLIC_URL.rstrip('/')}/portal/me/"


def notify_party(*, party_id: Any, event: str, text: str) -> list[Notification]:
    """Write the messages about something done in the person's name that is not a case (a
    consent recorded or withdrawn), by email and SMS, in their language; inside the
    transaction of the change, like ``notify_case``."""
    if event not in NotificationEvent.values:
        raise ValueError(f"Unknown notification event {event!r}")
    party = Party.objects.get(pk=party_id)
    language = _language(party)
    templates = active_templates(event)
    rows: list[Notification] = []
    for medium, recipient in _addresses([party.pk], timezone.localdate()).get(party.pk, {}).items():
        template = templates.get((language, medium)) or templates.get((FALLBACK_LANGUAGE, medium))
        if template is None:
            logger.info("No %s template for %s (%s): not sent", medium, event, language)
            continue
        values = {name: "" for name in PLACEHOLDERS} | {"text": text, "link": my_data_link()}
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
        logger.info("Party %s has no email or mobile: %s not notified", party.pk, event)
        return []
    created = Notification.objects.bulk_create(rows)
    transaction.on_commit(enqueue_sending)
    return created


def enqueue_sending() -> None:
    """Queue a sending run unless one is already waiting to start: that one will send this
    message too (it reads every queued message when it starts), and a busy counter opening
    hundreds of cases a minute does not fill the queue with runs."""
    from ventanilla.cases.jobs import send_notifications
    from ventanilla.core.scheduling import task_waiting

    if not task_waiting(send_notifications, due_now=True):
        send_notifications.enqueue()
