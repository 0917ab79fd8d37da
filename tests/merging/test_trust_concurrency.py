"""Two orders of trust saved at the same moment, each from its own connection: one is written
after the other, and the order that stands is one of them whole, never a mix of both."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from ventanilla.access.actors import Actor
from ventanilla.merging.models import SourceTrust
from ventanilla.merging.services import source_trust_set

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_orders_saved_at_once_leave_one_of_them_whole(town: Any) -> None:
    operator = Actor(label="command:operator", sees_everything=True)
    orders = [["padron", "salud", "ayto"], ["ayto", "urbanismo", "padron", "salud"]]
    start = threading.Barrier(len(orders))
    failures: list[BaseException] = []

    def save(order: list[str]) -> None:
        try:
            start.wait()
            source_trust_set(actor=operator, agency_codes=order)
        except BaseException as failure:  # noqa: BLE001 - reported to the test below
            failures.append(failure)
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(order,)) for order in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    stood = list(SourceTrust.objects.order_by("rank").values_list("agency__code", flat=True))
    assert stood in orders
