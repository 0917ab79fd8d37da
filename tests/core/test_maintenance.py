"""The planner's statistics are refreshed, so the queues read their partial indexes in order."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.factories import make_party
from ventanilla.access.actors import Actor
from ventanilla.cases.models import Case
from ventanilla.cases.services import case_open
from ventanilla.catalog.models import PublicService
from ventanilla.core.maintenance import refresh_statistics

pytestmark = pytest.mark.django_db


def test_refreshing_statistics_lets_the_planner_read_a_queue_page_from_its_index(
    actor: Actor, service: PublicService
) -> None:
    party = make_party(actor)
    for _ in range(3):
        case_open(actor=actor, party_id=party.pk, service_code=service.code, channel="web")

    assert refresh_statistics() >= 0
    page = Case.objects.filter(is_open=True).order_by("due_date", "id")[:51]
    plan = page.explain()

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'cases_case'")
            assert cursor.fetchone()[0] > 0
        assert "case_due_idx" in plan and "TEMP B-TREE" not in plan
