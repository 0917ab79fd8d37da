"""Opening a case takes its service from the catalogue each process keeps for a minute, checked
against the database by one short query: a service changed or closed in another process (whose
save forgets only its own kept catalogue) is opened as it stands now."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import make_party
from ventanilla.access.actors import Actor
from ventanilla.cases.models import Case
from ventanilla.cases.services import case_open, due_date_for
from ventanilla.catalog.models import Agency, PublicService
from ventanilla.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db


def open_one(actor: Actor, service: PublicService) -> Case:
    return case_open(
        actor=actor, party_id=make_party(actor).pk, service_code=service.code, channel="web"
    )


def changed_elsewhere(service: PublicService, **values: object) -> None:
    """A change saved by another process: the row and its ``updated_at`` move, and this
    process's kept catalogue is not told."""
    PublicService.objects.filter(pk=service.pk).update(updated_at=timezone.now(), **values)


def test_the_service_is_read_in_full_once_then_only_checked(
    actor: Actor, service: PublicService
) -> None:
    open_one(actor, service)
    with CaptureQueriesContext(connection) as queries:
        open_one(actor, service)
    full_reads = [q["sql"] for q in queries if '"catalog_publicservice"."input_schema"' in q["sql"]]
    assert full_reads == []
    # The check: one short statement on the service's row.
    assert any("catalog_publicservice" in q["sql"] for q in queries)


def test_a_deadline_changed_in_another_process_counts_at_the_next_opening(
    actor: Actor, service: PublicService
) -> None:
    open_one(actor, service)
    changed_elsewhere(service, deadline_days=30)

    case = open_one(actor, service)

    today = timezone.localdate()
    assert case.due_date == due_date_for(service.department_id, today, 30)
    assert case.due_date != due_date_for(service.department_id, today, 10)


def test_a_service_closed_in_another_process_opens_no_case(
    actor: Actor, service: PublicService
) -> None:
    open_one(actor, service)
    changed_elsewhere(service, active=False)

    with pytest.raises(ValidationFailed) as refused:
        open_one(actor, service)
    assert "service" in refused.value.errors


def test_a_department_changed_in_another_process_is_read_afresh(
    actor: Actor, service: PublicService
) -> None:
    open_one(actor, service)
    Agency.objects.filter(pk=service.department_id).update(
        updated_at=timezone.now(), name_es="Urbanismo y Vivienda"
    )

    case = open_one(actor, service)

    assert case.service.department.name_es == "Urbanismo y Vivienda"
