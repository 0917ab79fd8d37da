"""A queue over several departments pages exactly like one sorted list: same order, no case
twice, none missing, whichever sort."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.factories import make_party
from ventanilla.access.actors import Actor, actor_for_user
from ventanilla.cases import queues
from ventanilla.cases.models import Case
from ventanilla.cases.services import case_open
from ventanilla.catalog.models import PublicService
from ventanilla.catalog.services import service_ensure

pytestmark = pytest.mark.django_db


@pytest.fixture
def spread(actor: Actor, service: PublicService, town: dict[str, Any]) -> list[Case]:
    register = service_ensure(
        code="volante", name_es="Volante", name_en="Certificate", department=town["padron"]
    )
    party = make_party(actor)
    cases = []
    for n in range(9):
        case = case_open(
            actor=actor,
            party_id=party.pk,
            service_code=(service if n % 2 else register).code,
            channel="web",
            priority=["low", "normal", "high", "urgent"][n % 4],
        )
        cases.append(case)
    today = timezone.localdate()
    for n, case in enumerate(cases):  # some share a due date, so the id breaks the tie
        Case.objects.filter(pk=case.pk).update(due_date=today + timedelta(days=n // 3))
    return list(Case.objects.filter(pk__in=[c.pk for c in cases]))


@pytest.mark.parametrize("sort", ["due", "opened", "priority"])
def test_pages_over_several_departments_follow_one_order(
    spread: list[Case], make_staff: Any, sort: str
) -> None:
    supervisor = actor_for_user(make_staff("jefa", "ayto", "supervisor"))
    assert len(supervisor.agency_ids) > 1
    key = {
        "due": lambda c: (c.due_date, c.id),
        "opened": lambda c: (c.opened_at, c.id),
        "priority": lambda c: (c.priority_rank, c.due_date, c.id),
    }[sort]
    expected = sorted(spread, key=key, reverse=sort == "opened")

    seen: list[Case] = []
    cursor = None
    for _ in range(10):
        page = queues.queue(actor=supervisor, tab="department", sort=sort, cursor=cursor, limit=2)
        seen += page.cases
        cursor = page.next_cursor
        if cursor is None:
            break

    assert [c.reference for c in seen] == [c.reference for c in expected]
    assert {c.department.code for c in seen} == {"urbanismo", "padron"}
