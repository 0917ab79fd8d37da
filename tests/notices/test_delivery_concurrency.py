"""Two delivery runs at once (two workers, or the job run twice) send each notice to each
subscriber once: the notice row is locked, and the pair is unique."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from ventanilla.notices.models import Notice, NoticeDelivery, Subscription
from ventanilla.notices.services import notices_deliver
from ventanilla.notifications.models import Notification

pytestmark = pytest.mark.django_db(transaction=True)

RUNS = 8
SUBSCRIBERS = 30


def test_runs_racing_send_each_notice_once_to_each_subscriber(town: dict[str, Any]) -> None:
    Subscription.objects.bulk_create(
        Subscription(email=f"vecino{n}@example.es", confirmed_at=timezone.now())
        for n in range(SUBSCRIBERS)
    )
    for title in ("Uno", "Dos"):
        Notice.objects.create(
            agency=town["ayto"],
            topic="works",
            title_es=title,
            body_es="Texto",
            publish_from=timezone.now() - timedelta(minutes=1),
            created_by_label="jefa",
        )
    start = threading.Barrier(RUNS)
    failures: list[BaseException] = []

    def run() -> None:
        try:
            start.wait()
            notices_deliver()
        except BaseException as failure:  # noqa: BLE001 - reported to the test below
            failures.append(failure)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(RUNS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert Notification.objects.filter(event="notice").count() == 2 * SUBSCRIBERS
    assert NoticeDelivery.objects.count() == 2 * SUBSCRIBERS
