"""The demo town, seeded once for the module, with a day at the office on top: cases taken
through their steps, a rating, appointments booked and attended, so every fact has rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from ventanilla.access.actors import Actor
from ventanilla.appointments.models import Desk, Office, OfficeService, OpeningHours
from ventanilla.appointments.selectors import slot_starts
from ventanilla.appointments.services import appointment_book
from ventanilla.cases.services import case_open, case_transition, satisfaction_record
from ventanilla.catalog.models import Agency, PublicService
from ventanilla.demo.catalogue import ensure_catalogue
from ventanilla.demo.synthetic import seed_municipality
from ventanilla.parties.models import Party
from ventanilla.warehouse.build import warehouse_build

CITIZENS = 150
OPERATOR = Actor(label="command:operator", sees_everything=True)


def a_day_at_the_office() -> dict[str, Any]:
    people = list(
        Party.objects.filter(kind="person", status="active").order_by("created_at", "id")[:12]
    )
    service = PublicService.objects.get(code="alumbrado-publico")
    cases = []
    for number, person in enumerate(people[:8]):
        case = case_open(
            actor=OPERATOR,
            party_id=person.pk,
            service_code=service.code,
            channel="web",
            description=f"Farola apagada frente al portal {number}",
            district="Centro",
            form_data={"place": f"Calle Mayor {number}", "lamp_number": "F-1", "lamps_out": 1},
        )
        cases.append(case)
    for case in cases[:5]:
        for step in ("accept", "start", "resolve", "close"):
            case_transition(actor=OPERATOR, case_id=case.pk, action=step, reason="Hecho")
    for case in cases[:3]:
        satisfaction_record(actor=OPERATOR, case_id=case.pk, score=4, comment="Muy rápido")
    office = Office.objects.create(
        agency=Agency.objects.get(code=service.department.code if service.department else "ayto"),
        code="oficina-test",
        name="Oficina de pruebas",
        address="Plaza Mayor 1",
    )
    Desk.objects.create(office=office, name="Mesa 1")
    other = PublicService.objects.filter(active=True).exclude(pk=service.pk).first()
    assert other is not None
    offered = OfficeService.objects.create(
        office=office, service=other, slot_minutes=15, capacity=4
    )
    for weekday in range(7):
        OpeningHours.objects.create(office=office, weekday=weekday, opens=time(9), closes=time(14))
    # The first day from tomorrow the office opens: the town's calendar has its holidays.
    day = next(
        day
        for day in (timezone.localdate() + timedelta(days=n) for n in range(1, 15))
        if slot_starts(offered, day)
    )
    for minute, person in zip((0, 15, 30), people[8:11], strict=True):
        appointment_book(
            actor=OPERATOR,
            party_id=person.pk,
            office_id=office.pk,
            service_code=other.code,
            start=datetime.combine(day, time(9, minute), tzinfo=timezone.get_current_timezone()),
        )
    return {"people": people, "cases": cases, "office": office}


@pytest.fixture(scope="module")
def demo_town(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_catalogue()
        seed_municipality(citizens=CITIZENS, seed=7, progress=False, workers=0)
        yield a_day_at_the_office()
        transaction.set_rollback(True)


@pytest.fixture
def warehouse(demo_town: dict[str, Any], db: None, tmp_path: Path) -> Path:
    """A full build of the demo town, in a file of the test's own."""
    path = tmp_path / "warehouse.duckdb"
    warehouse_build(path=path, full=True)
    return path
