"""What the citizen is told about their case: ``notify_case`` writes the messages to the outbox
(``notifications``) inside the transaction of the change that causes them, filling the templates
with the case's reference, service, status and link."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from ventanilla.cases.models import Case, CaseStatus, LifeEventRequest
from ventanilla.core.bulk import insert_new
from ventanilla.core.i18n import localized
from ventanilla.notifications.models import Notification, NotificationEvent
from ventanilla.notifications.outbox import (
    addresses_of,
    enqueue_sending,
    language_of,
    notify_person,
)
from ventanilla.notifications.templates import (
    FALLBACK_LANGUAGE,
    active_templates,
    case_link,
    life_event_link,
    render,
)

logger = logging.getLogger("ventanilla.cases.notifications")


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
    return notices_write(notices_for(case=case, event=event, text=text))


def notices_write(rows: list[Notification]) -> list[Notification]:
    """Write messages made by ``notices_for`` (inside the transaction of the change) and queue
    their sending for when it commits."""
    if rows:
        insert_new(rows)
        transaction.on_commit(enqueue_sending)
    return rows


def notices_for(*, case: Case, event: str, text: str = "") -> list[Notification]:
    """The messages ``notify_case`` writes, made but not written: for a change that makes them
    before its transaction begins (a case opened), so that reading the addresses and filling
    the templates does not lengthen it."""
    if event not in NotificationEvent.values:
        raise ValueError(f"Unknown notification event {event!r}")
    reporters: list[Case] = [case]
    if event != NotificationEvent.OPENED:  # a case just opened has no duplicates yet
        reporters += list(
            Case.objects.filter(duplicate_of=case).exclude(pk=case.pk).select_related("party")
        )
    templates = active_templates(event)
    addresses = addresses_of([c.party_id for c in reporters], timezone.localdate())
    rows: list[Notification] = []
    told: set[tuple[Any, str, str]] = set()
    for reporter_case in reporters:
        party = reporter_case.party
        language = language_of(party)
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
    return rows


def _life_event_values(
    request: LifeEventRequest, cases: list[Case], language: str
) -> dict[str, str]:
    """The placeholders of the life-event message: ``{service}`` is the life event, ``{text}``
    one line per case (reference, service, office, due date), ``{reference}`` the references,
    ``{due_date}`` the latest due date and ``{link}`` the one page following them all."""
    with translation.override(language):
        lines = []
        for case in cases:
            office = f" · {case.department.name}" if case.department else ""
            due = _("due %(date)s") % {
                "date": formats.date_format(case.due_date, "SHORT_DATE_FORMAT")
            }
            lines.append(f"- {case.reference} · {case.service.name}{office} · {due}")
        latest = max(case.due_date for case in cases)
        return {
            "reference": ", ".join(case.reference for case in cases),
            "service": localized(request.life_event, "name", language),
            "status": str(CaseStatus(CaseStatus.NEW).label),
            "text": "\n".join(lines),
            "due_date": formats.date_format(latest, "SHORT_DATE_FORMAT"),
            "link": life_event_link(request.pk),
        }


def notify_life_event(*, request: LifeEventRequest, cases: list[Case]) -> list[Notification]:
    """One message for a life-event request, by email and SMS in the person's language, listing
    every case it opened and linking to their combined status: the citizen asked once and hears
    once, not once per office. Call it inside the transaction that opened the cases."""
    if not cases:
        return []
    return notify_person(
        party=cases[0].party,
        event=NotificationEvent.LIFE_EVENT_OPENED,
        values_for=lambda language: _life_event_values(request, cases, language),
        about=f"request {request}",
    )
