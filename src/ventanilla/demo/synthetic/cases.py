"""The cases some requests open: a status that depends on how long ago it was opened, the due
date in working days, closing times around the service's deadline, satisfaction that drops when
the answer came late, and the follow-up message the citizen then receives. References are
numbered later, by the writer, in the order the chunks are written."""

from __future__ import annotations

import random
from datetime import date
from functools import lru_cache
from typing import Final

from ventanilla.cases.models import OPEN_STATUS_VALUES, Case, CaseEvent, CaseStatus
from ventanilla.catalog.models import Agency
from ventanilla.core.calendar import add_working_days
from ventanilla.demo import names
from ventanilla.demo.synthetic.demand import INCIDENT_SERVICES
from ventanilla.demo.synthetic.draws import Weighted
from ventanilla.demo.synthetic.resolutions import ACTION, resolution_event_id, resolution_note
from ventanilla.demo.synthetic.town import Service, Town
from ventanilla.demo.synthetic.wording import request_text

FOLLOW_UPS: Final = {
    "waiting_citizen": "Requerimiento de documentación: {service}",
    "resolved": "Notificación de la resolución: {service}",
    "closed": "Notificación de la resolución: {service}",
    "rejected": "Notificación de la denegación: {service}",
    "cancelled": "Confirmación del desistimiento: {service}",
}
# The formal phrasing some requests still arrive in; ``wording`` writes the others.
CASE_DESCRIPTIONS: Final = (
    "Solicito {service}",
    "Quisiera tramitar {service}. Adjunto la documentación",
    "Presento la solicitud de {service} y quedo a la espera",
)

STATUS_BY_AGE: Final = (
    # (younger than days, weights for new, accepted, in_progress, waiting_citizen, resolved,
    #  closed, rejected, cancelled)
    (7, (45, 20, 15, 5, 5, 3, 3, 4)),
    (30, (10, 15, 30, 12, 13, 10, 4, 6)),
    (90, (2, 4, 14, 8, 15, 45, 5, 7)),
    (10**9, (0.3, 0.5, 2, 1.5, 3, 80, 6, 7)),
)
STATUSES: Final = tuple(CaseStatus.values)
OPEN: Final = frozenset(OPEN_STATUS_VALUES)
# A working office finishes most cases by their due date: of the cases that would still be open
# past it by up to ``LATE_DAYS``, this share is left open (the queue's few overdue ones); the
# others, and every case later than that, were finished.
STILL_OPEN_LATE: Final = 0.06
LATE_DAYS: Final = 30


# Where work runs late, planted so that the deadline-risk tree has something true to find: in
# August and over Christmas the offices are short of hands, the planning department has too few
# for its licences, and a letter by post is scanned and registered before anyone reads it.
# Each multiplies the time a case takes to close.
SLOWER_IN_HOLIDAYS: Final = 1.8
SLOWER_DEPARTMENTS: Final = {"urbanismo": 1.5}
SLOWER_CHANNELS: Final = {"post": 1.5}


def slowness(opened_on: date, department: str, channel: str) -> float:
    """How many times longer than usual a case opened on ``opened_on`` takes to close."""
    factor = SLOWER_DEPARTMENTS.get(department, 1.0) * SLOWER_CHANNELS.get(channel, 1.0)
    day = (opened_on.month, opened_on.day)
    if opened_on.month == 8 or day >= (12, 20) or day <= (1, 6):
        factor *= SLOWER_IN_HOLIDAYS
    return factor


@lru_cache(maxsize=65_536)
def due_date(start: date, days: int) -> date:
    return add_working_days(start, days)


class Cases:
    """Writes the case a request opened, with the status it has reached by now."""

    def __init__(self, town: Town) -> None:
        self.town = town
        # Who signs a resolving note: the department that answers for the service.
        self.department_names = dict(Agency.objects.values_list("code", "name_es"))
        self.clock = town.clock
        self.status_by_age = [
            (limit, Weighted(list(zip(STATUSES, weights, strict=True))))
            for limit, weights in STATUS_BY_AGE
        ]
        self.finished = Weighted(
            [
                (status, weight)
                for status, weight in zip(STATUSES, STATUS_BY_AGE[-1][1], strict=True)
                if status not in OPEN
            ]
        )

    def write(
        self,
        rng: random.Random,
        party_id: str,
        service: Service,
        channel: str,
        day: int,
        opened: int,
        district: names.District,
        place: tuple[str, float, float] | None,
        summary: str,
        *,
        language: str = "es",
        signer: str = "",
    ) -> tuple[str, tuple[str, int] | None]:
        clock = self.clock
        opened_on = clock.days[day]
        age_days = (clock.today - opened_on).days
        status = next(draw for limit, draw in self.status_by_age if age_days < limit).pick(rng)
        due = due_date(opened_on, service.deadline_days)
        if status in OPEN and due < clock.today:
            late = (clock.today - due).days
            if late > LATE_DAYS or rng.random() >= STILL_OPEN_LATE:
                status = self.finished.pick(rng)
        closed = None
        satisfaction = None
        last_change = opened + rng.randint(600, 3 * 86_400)
        if status not in ("new",):
            last_change = opened + int(86_400 * max(0.05, rng.lognormvariate(0.5, 0.8)))
        if status not in OPEN:
            scale = 0.3 if status == "cancelled" else 1.0
            calendar_days = service.deadline_days * 1.4 * scale * rng.lognormvariate(-0.45, 0.6)
            closed = opened + int(86_400 * max(0.05, calendar_days))
            last_change = closed
        limit = clock.now_epoch - 600
        if last_change > limit:
            last_change = opened + int((limit - opened) * rng.uniform(0.2, 0.95))
            if closed is not None:
                closed = last_change
        elif closed is not None and status != "cancelled":
            # Slowed after the draws, so that the same seed draws the same town as before.
            factor = slowness(opened_on, service.department_code, channel)
            closed = last_change = min(limit, opened + int((closed - opened) * factor))
        if status == "closed" and rng.random() < 0.35 and closed is not None:
            late = closed > clock.epoch_of(due, 23)
            weights = (20, 20, 25, 20, 15) if late else (3, 4, 12, 36, 45)
            satisfaction = rng.choices((1, 2, 3, 4, 5), weights=weights)[0]
        # The reference is numbered by the writer, in chunk order; the row carries the year.
        reference = opened_on.year
        assignee = None
        if status != "new" and service.department_code == "urbanismo":
            assignee = self.town.case_worker
        priority = rng.choices(("normal", "low", "high", "urgent"), weights=(80, 8, 10, 2))[0]
        fallback = (
            summary
            if service.code in INCIDENT_SERVICES
            else rng.choice(CASE_DESCRIPTIONS).format(service=service.name)
        )
        location, latitude, longitude = place if place else ("", None, None)
        words = self.town.text_rng
        description = request_text(
            words,
            code=service.code,
            fallback=fallback,
            channel=channel,
            language=language,
            place=location,
            signer=signer,
            other_code=words.choice(self.town.service_codes),
        )
        case_id = self.town.uuid(rng)
        self.town.add(
            Case,
            (case_id, clock.ts(opened), clock.ts(last_change), reference, party_id, service.id,
             status, priority, channel, service.department_id, assignee, clock.ts(opened),
             due.isoformat(), clock.ts(closed) if closed is not None else None, description,
             "{}", location, latitude, longitude, district.name, satisfaction),
        )  # fmt: skip
        self.town.summary.cases += 1
        if status in ACTION and closed is not None:
            # The resolving step and its note: what the citizen was told and what agents read
            # beside similar cases. Drawn from the case's id, not from ``rng``.
            when = clock.ts(closed)
            self.town.add(
                CaseEvent,
                (resolution_event_id(case_id), when, when, case_id, CaseEvent.Kind.TRANSITION.value,
                 ACTION[status], "in_progress", "rejected" if status == "rejected" else "resolved",
                 resolution_note(service.code, status, case_id), True,
                 self.department_names.get(service.department_code, ""), when),
            )  # fmt: skip
        follow_up = None
        if status in FOLLOW_UPS:
            text = FOLLOW_UPS[status].format(service=service.name)
            follow_up = (text, closed if closed is not None else last_change)
        return case_id, follow_up
