"""Three years of contacts on every channel: who contacts the administration, how often, on
which channel, at what hour, about which service and in what words; the requests that open a
case and the message the case later sends back. In the last six weeks the residents of La Ribera
complain far more than usual about overflowing bins and smells: the emerging problem planted for
the analytics."""

from __future__ import annotations

import random
from typing import Final

from ventanilla.demo import names
from ventanilla.demo.synthetic.cases import Cases
from ventanilla.demo.synthetic.demand import (
    APPOINTMENT_SERVICES,
    CHANNEL_USE,
    GENERAL_SUMMARIES,
    GROUPS,
    HEALTH_SERVICES,
    INCIDENT_SERVICES,
    INFORMATION_SERVICES,
    LOCATED_SERVICES,
    PAYMENT_SERVICES,
    PROPOSALS,
    SERVICE_USE,
    STATUS_BOOST,
)
from ventanilla.demo.synthetic.draws import Weighted
from ventanilla.demo.synthetic.town import FRONT_DESK, Service, Town
from ventanilla.interactions.models import Interaction

EMERGING_DISTRICT: Final = "La Ribera"
EMERGING_SERVICE: Final = "limpieza-via-publica"
EMERGING_DAYS: Final = 42


class Interactions:
    """Writes the contact history of residents and businesses, and the cases it opened."""

    def __init__(self, town: Town, cases: Cases) -> None:
        self.town = town
        self.clock = town.clock
        self.cases = cases
        self.channels = {
            group: Weighted(list(weights.items())) for group, weights in CHANNEL_USE.items()
        }
        self._service_draws: dict[tuple[str, str], Weighted[Service | None]] = {}

    def service_draw(self, group: str, status: str) -> Weighted[Service | None]:
        key = (group, status)
        draw = self._service_draws.get(key)
        if draw is None:
            column = GROUPS.index(group)
            boost = STATUS_BOOST.get(status, {})
            pairs: list[tuple[Service | None, float]] = []
            for code, service in self.town.services.items():
                use = SERVICE_USE.get(code, (0, 0, 1, 1, 1, 0))
                pairs.append((service, use[column] * boost.get(code, 1.0)))
            # One contact in ten is a general question that no service owns.
            pairs.append((None, sum(weight for _, weight in pairs) / 9))
            draw = Weighted(pairs)
            self._service_draws[key] = draw
        return draw

    def write_history(
        self,
        rng: random.Random,
        party_id: str,
        group: str,
        status: str,
        start: int,
        district: names.District,
        count: int,
        *,
        language: str = "es",
        signer: str = "",
    ) -> None:
        clock = self.clock
        draw = self.service_draw(group, status)
        channels = self.channels[group]
        emerging_from = len(clock.days) - EMERGING_DAYS
        written = 0
        while written < count:
            channel = channels.pick(rng)
            service = draw.pick(rng)
            day, epoch = clock.moment(channel, rng, start)
            place = None
            where = district
            if (
                district.name == EMERGING_DISTRICT
                and day >= emerging_from
                and group != "organisation"
                and rng.random() < 0.12
            ):
                service = self.town.services.get(EMERGING_SERVICE, service)
                kind = "complaint"
                place = self.town.place(rng, district)
                summary = f"Contenedores desbordados y malos olores en {place[0]}"
            else:
                kind = interaction_kind(rng, service.code if service else "")
                if service is None:
                    summary = rng.choice(GENERAL_SUMMARIES)
                elif service.code == "presupuestos-participativos" and kind != "question":
                    summary = rng.choice(PROPOSALS).format(district=district.name)
                elif service.code in INCIDENT_SERVICES and kind != "question":
                    if rng.random() < 0.3:
                        where = self.town.districts.pick(rng)
                    place = self.town.place(rng, where)
                    summary = rng.choice(INCIDENT_SERVICES[service.code]).format(place=place[0])
                else:
                    summary = rng.choice(service.summaries[kind])
            case_id = None
            follow_up = None
            if (
                service is not None
                and kind == "request"
                and rng.random() < (0.9 if service.code in INCIDENT_SERVICES else 0.7)
            ):
                if channel not in service.channels:
                    channel = rng.choice(service.channels)
                    day, epoch = clock.moment(channel, rng, start)
                if place is None and service.code in LOCATED_SERVICES:
                    place = self.town.place(rng, district)
                case_id, follow_up = self.cases.write(
                    rng,
                    party_id,
                    service,
                    channel,
                    day,
                    epoch,
                    where,
                    place,
                    summary,
                    language=language,
                    signer=signer,
                )
            self.write(rng, party_id, channel, service, kind, case_id, epoch, summary)
            written += 1
            if follow_up is not None and written < count and rng.random() < 0.6:
                text, moment = follow_up
                assert service is not None  # noqa: S101 - follow-ups belong to cases
                out_channel = "email" if rng.random() < 0.7 else "post"
                self.write(
                    rng,
                    party_id,
                    out_channel,
                    service,
                    "transaction",
                    case_id,
                    moment,
                    text,
                    outbound=True,
                )
                written += 1

    def write(
        self,
        rng: random.Random,
        party_id: str,
        channel: str,
        service: Service | None,
        kind: str,
        case_id: str | None,
        epoch: int,
        summary: str,
        *,
        outbound: bool = False,
    ) -> None:
        if service is None:
            agency = self.town.agency[FRONT_DESK]
        elif service.code in HEALTH_SERVICES and channel in ("desk", "phone"):
            agency = self.town.health_centres[rng.randrange(2)]
        elif channel == "phone" and service.department_id in self.town.town_hall_paths:
            agency = self.town.agency[FRONT_DESK] if rng.random() < 0.4 else service.department_id
        else:
            agency = service.department_id
        duration = None
        agent = None
        if channel == "phone":
            duration = int(rng.lognormvariate(5.4, 0.6)) + 20
        elif channel == "desk":
            duration = int(rng.lognormvariate(6.2, 0.5)) + 60
        if channel in ("phone", "desk") and agency in self.town.town_hall_paths:
            agent = self.town.desk_agent
        if not outbound and channel in ("email", "phone", "post") and rng.random() < 0.08:
            outbound = True
        relationship = "information"
        if kind in ("complaint", "suggestion") and rng.random() < 0.4:
            relationship = "consultation"
        if service is not None and (
            service.code == "presupuestos-participativos"
            or (service.code == "censo-electoral" and rng.random() < 0.5)
            or (kind == "suggestion" and rng.random() < 0.3)
        ):
            relationship = "participation"
        stamp = self.clock.ts(epoch)
        row_id = self.town.uuid(rng)
        outcome = "" if outbound else contact_outcome(row_id, channel, case_id)
        self.town.add(
            Interaction,
            (row_id, stamp, stamp, party_id, channel, agency,
             "outbound" if outbound else "inbound", relationship, kind,
             service.id if service else None, case_id, agent, stamp, duration, summary, outcome),
        )  # fmt: skip
        self.town.summary.interactions += 1


# How a call or a visit ended, where the agent records it: out of 100 that opened no case.
OUTCOMES = (("answered", 78), ("appointment", 7), ("call_back", 6), ("transferred", 6))


def contact_outcome(row_id: str, channel: str, case_id: str | None) -> str:
    """The outcome an agent records on the phone and at the desk (other channels record none).
    Drawn from the row's own id, not the town's random stream, so the rest of the town stays as
    it was."""
    if channel not in ("phone", "desk"):
        return ""
    if case_id is not None:
        return "case_opened"
    roll = int(row_id[-8:], 16) % 100  # the random end of the id (its start grows)
    for outcome, share in OUTCOMES:
        if roll < share:
            return outcome
        roll -= share
    return "no_answer" if channel == "phone" else "answered"


def interaction_kind(rng: random.Random, code: str) -> str:
    roll = rng.random()
    if code in INCIDENT_SERVICES:
        return "request" if roll < 0.55 else ("complaint" if roll < 0.9 else "question")
    if code in PAYMENT_SERVICES:
        return "transaction" if roll < 0.8 else "question"
    if code in APPOINTMENT_SERVICES:
        return "transaction" if roll < 0.65 else ("question" if roll < 0.95 else "complaint")
    if code in INFORMATION_SERVICES:
        return "question" if roll < 0.95 else "complaint"
    if code == "quejas-sugerencias":
        return "complaint" if roll < 0.6 else "suggestion"
    if code == "presupuestos-participativos":
        return "suggestion" if roll < 0.7 else ("question" if roll < 0.85 else "request")
    if not code:
        return "question" if roll < 0.85 else ("complaint" if roll < 0.95 else "suggestion")
    if roll < 0.45:
        return "question"
    if roll < 0.75:
        return "request"
    if roll < 0.87:
        return "transaction"
    if roll < 0.96:
        return "complaint"
    return "suggestion"
