"""Writes of the analytics room: the daily detection of emerging problems, and the email that
tells the supervisors of each new one."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import formats, translation
from django.utils.translation import gettext as _

from ventanilla.access.models import Membership, Role
from ventanilla.analytics.detection import (
    daily_counts,
    expected_level,
    history_days,
    poisson_upper_tail,
)
from ventanilla.analytics.models import Alert
from ventanilla.catalog.models import Agency, PublicService
from ventanilla.notifications.models import NotificationEvent
from ventanilla.notifications.outbox import notify_addresses
from ventanilla.parties.models import Party

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Detection:
    day: date
    tested: int
    alerts: list[Alert]
    # Those the day did not have before this run: the ones announced by email.
    new: list[Alert] = dataclasses.field(default_factory=list)


def alerts_detect(
    *, today: date, threshold: float | None = None, minimum: int | None = None
) -> Detection:
    """Compare each (service, district)'s count on ``today`` with the same weekday of the
    previous weeks and keep an alert where the count is at least ``minimum`` and the Poisson
    probability of seeing that many or more is below ``threshold``. Running it again for the same
    day updates that day's alerts; it never adds a second one, nor a second email."""
    threshold = settings.VENTANILLA_ALERT_THRESHOLD if threshold is None else threshold
    minimum = settings.VENTANILLA_ALERT_MIN_COUNT if minimum is None else minimum
    past = history_days(today)
    counts = daily_counts([today, *past])
    found: list[Alert] = []
    new: list[Alert] = []
    with transaction.atomic():
        for key, observed in sorted(counts.get(today, {}).items(), key=str):
            if observed < minimum:
                continue
            expected = expected_level([counts.get(day, {}).get(key, 0) for day in past])
            p_value = poisson_upper_tail(observed, expected)
            if p_value >= threshold:
                continue
            service_id, district = key
            alert, created = Alert.objects.update_or_create(
                day=today,
                service_id=service_id,
                district=district,
                defaults={"observed": observed, "expected": expected, "p_value": p_value},
            )
            found.append(alert)
            if created:
                new.append(alert)
        # In the same transaction as the alerts: the emails are in the outbox if they are.
        alerts_announce(new)
    tested = len(counts.get(today, {}))
    log.info("Emerging problems on %s: %d tested, %d alerts.", today, tested, len(found))
    return Detection(day=today, tested=tested, alerts=found, new=new)


def _agency_chain(service: PublicService) -> set[Any]:
    """The agencies that answer for a service: its department and competent agency, and every
    agency above them."""
    chain: set[Any] = set()
    for start in (service.department_id, service.competent_agency_id):
        agency_id = start
        while agency_id is not None and agency_id not in chain:
            chain.add(agency_id)
            agency_id = Agency.objects.filter(pk=agency_id).values_list("parent_id", flat=True)[0]
    return chain


def alert_recipients(service: PublicService) -> list[tuple[str, str]]:
    """The supervisors of the agencies that answer for the service (those with an email on their
    account), each in the language they last read the console in, and the addresses in
    VENTANILLA_ALERT_EMAILS in the administration's language; each address once."""
    user_ids = Membership.objects.filter(
        role=Role.SUPERVISOR, agency_id__in=_agency_chain(service)
    ).values("user_id")
    supervisors = (
        get_user_model()
        .objects.filter(pk__in=user_ids, is_active=True)
        .exclude(email="")
        .order_by("email")
        .values_list("email", "staff_language__language")
    )
    default = settings.LANGUAGE_CODE[:2]
    addresses: dict[str, tuple[str, str]] = {}
    for address, language in [
        *supervisors,
        *((address, default) for address in settings.VENTANILLA_ALERT_EMAILS),
    ]:
        addresses.setdefault(address.lower(), (address, language or default))
    return list(addresses.values())


def alert_message(alert: Alert, language: str) -> tuple[str, str]:
    """The subject and text that tell of one alert, in ``language``: figures, never a person."""
    service = alert.service
    with translation.override(language):
        name = service.name_en if language == "en" and service.name_en else service.name_es
        values = {
            "service": name,
            "district": alert.district,
            "day": formats.date_format(alert.day, "DATE_FORMAT"),
            "observed": alert.observed,
            "expected": formats.number_format(alert.expected, 1),
            "link": f"{settings.VENTANILLA_PUBLIC_URL.rstrip('/')}/console/analytics/alerts/",
        }
        subject = _("Emerging problem: %(service)s in %(district)s") % values
        body = "\n\n".join(
            [
                _(
                    "On %(day)s there were %(observed)s contacts about %(service)s in "
                    "%(district)s, where about %(expected)s were expected for that day of the "
                    "week."
                )
                % values,
                _("A rise like this is very unlikely to be chance. The emerging problems:")
                + f"\n{values['link']}",
                _("Figures only: this alert names no one."),
            ]
        )
    return subject, body


def alerts_announce(alerts: list[Alert]) -> int:
    """Write to the outbox one email per new alert and recipient, in the recipient's language;
    sent by the worker like every message. Returns how many were written."""
    messages: list[tuple[Party | None, str, str, str, str, dict[str, str]]] = []
    for alert in alerts:
        told = {}  # the message in each language, written once
        for address, language in alert_recipients(alert.service):
            if language not in told:
                told[language] = alert_message(alert, language)
            subject, body = told[language]
            messages.append((None, address, language, subject, body, {}))
    return len(notify_addresses(event=NotificationEvent.EMERGING_PROBLEM, messages=messages))
