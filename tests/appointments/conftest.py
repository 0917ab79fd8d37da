"""An office of the town hall open every day 9 to 14 with two desks, giving the minor works
permit in 15-minute slots to two citizens at a time."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest

from ventanilla.appointments.models import Desk, Office, OfficeService, OpeningHours
from ventanilla.catalog.models import Agency, PublicService


def build_office(town: dict[str, Agency], service: PublicService, *, capacity: int = 2) -> Office:
    office = Office.objects.create(
        agency=town["ayto"], code="centro", name="Oficina Centro", address="Plaza Mayor 1"
    )
    for name in ("Mesa 1", "Mesa 2"):
        Desk.objects.create(office=office, name=name)
    OfficeService.objects.create(office=office, service=service, slot_minutes=15, capacity=capacity)
    for weekday in range(7):
        OpeningHours.objects.create(office=office, weekday=weekday, opens=time(9), closes=time(14))
    return office


@pytest.fixture
def office(town: dict[str, Agency], service: PublicService) -> Office:
    return build_office(town, service)


@pytest.fixture
def desk(office: Office) -> Any:
    return office.desks.get(name="Mesa 1")
