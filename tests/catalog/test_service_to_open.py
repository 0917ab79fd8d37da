"""Opening a case reads its service as it stands now: the kept catalogue when one short query
shows that neither the service nor its department changed, else afresh (a change of name, of
deadline or a closing: tests/cases/test_opening_service.py). Another process's change reaches
this one by no signal: ``update`` stands in for it here."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ventanilla.catalog.models import Agency, PublicService
from ventanilla.catalog.selectors import forget_catalogue, service_to_open

pytestmark = pytest.mark.django_db


def later() -> object:
    return timezone.now() + timedelta(seconds=1)


def test_an_unchanged_service_is_checked_with_one_short_query(service: PublicService) -> None:
    service_to_open(service.code)

    with CaptureQueriesContext(connection) as statements:
        again = service_to_open(service.code)

    assert again is not None and again.pk == service.pk
    assert again.department is not None and again.department.code == "urbanismo"
    assert len(statements) == 1


def test_a_service_moved_to_another_department_elsewhere_is_read_afresh(
    service: PublicService, town: dict[str, Agency]
) -> None:
    service_to_open(service.code)
    PublicService.objects.filter(pk=service.pk).update(department=town["padron"])

    fresh = service_to_open(service.code)

    assert fresh is not None and fresh.department_id == town["padron"].pk


def test_a_service_of_no_department_is_checked_and_closed_the_same(
    service: PublicService,
) -> None:
    PublicService.objects.filter(pk=service.pk).update(department=None)
    forget_catalogue()
    service_to_open(service.code)

    with CaptureQueriesContext(connection) as statements:
        kept = service_to_open(service.code)
    assert kept is not None and kept.department_id is None and len(statements) == 1

    PublicService.objects.filter(pk=service.pk).update(active=False, updated_at=later())
    assert service_to_open(service.code) is None
