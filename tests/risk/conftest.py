"""Cases with known outcomes for the deadline-risk tests: the planning department's minor works
permits mostly answered late, the register's certificates mostly on time, written straight to
the database with the dates each test needs (one case opened through the service, then copied)."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.factories import make_party
from ventanilla.access.actors import Actor
from ventanilla.cases.models import Case, CaseStatus
from ventanilla.cases.services import case_open
from ventanilla.catalog.models import Agency, PublicService
from ventanilla.catalog.services import service_ensure

# Every case of these tests opens on this day, so the month says nothing.
OPENED = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.get_fixed_timezone(60))


@pytest.fixture
def certificate(town: dict[str, Agency]) -> PublicService:
    return certificate_service(town)


def certificate_service(town: dict[str, Agency]) -> PublicService:
    return service_ensure(
        code="volante-empadronamiento",
        name_es="Volante de empadronamiento",
        name_en="Register certificate",
        department=town["padron"],
        deadline_days=10,
        channels=["web", "desk"],
    )


@pytest.fixture
def cases_of(actor: Actor) -> Callable[..., list[Case]]:
    return case_maker(actor)


def case_maker(actor: Actor) -> Callable[..., list[Case]]:
    """``cases_of(code, n, late=…, status=…, due_in=…)``: ``n`` cases of the service opened
    on OPENED, due ``due_in`` days later; closed four days after the due date when ``late``,
    five days after opening otherwise; or left open when ``status`` is an open one."""
    party = make_party(actor)
    counter = iter(range(1, 1_000_000))

    def make(
        code: str, n: int, *, late: bool = False, status: str = CaseStatus.CLOSED, due_in: int = 10
    ) -> list[Case]:
        model = case_open(actor=actor, party_id=party.pk, service_code=code, channel="web")
        due = OPENED.date() + timedelta(days=due_in)
        made = []
        for number in range(n):
            case = copy.copy(model) if number else model
            if number:
                case.pk = uuid.uuid4()
                case.reference = f"RT-2026-{next(counter):06d}"
            case.opened_at = OPENED
            case.due_date = due
            case.status = status
            open_statuses = (CaseStatus.NEW, CaseStatus.IN_PROGRESS, CaseStatus.ACCEPTED)
            if status in open_statuses:
                case.closed_at = None
            else:
                case.closed_at = OPENED + timedelta(days=due_in + 4 if late else 5)
            made.append(case)
        model.save()
        return [model, *Case.objects.bulk_create(made[1:])]

    return make


@pytest.fixture
def history(
    service: PublicService, certificate: PublicService, cases_of: Callable[..., Any]
) -> dict[str, Any]:
    return plant_history(service, certificate, cases_of)


def plant_history(
    service: PublicService, certificate: PublicService, cases_of: Callable[..., Any]
) -> dict[str, Any]:
    """300 permits, 225 late; 300 certificates, 30 late; 20 certificates cancelled (late, and
    yet they say nothing); and open: 5 permits past due, 3 permits and 2 certificates within."""
    cases_of(service.code, 225, late=True)
    cases_of(service.code, 75)
    cases_of(certificate.code, 30, late=True)
    cases_of(certificate.code, 270)
    cases_of(certificate.code, 20, late=True, status=CaseStatus.CANCELLED)
    overdue = cases_of(service.code, 5, status=CaseStatus.IN_PROGRESS)
    permits = cases_of(service.code, 3, status=CaseStatus.NEW, due_in=30)
    certificates = cases_of(certificate.code, 2, status=CaseStatus.NEW, due_in=30)
    return {"overdue": overdue, "permits": permits, "certificates": certificates}


def today() -> Any:
    """A day after the due date of the closed cases, before that of the open ones within it."""
    return OPENED.date() + timedelta(days=12)
