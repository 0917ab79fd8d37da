"""The outbox watched: the worker's check raises the alarm when messages to citizens stop
leaving (in the log every time, by mail to the administrators at most once an hour)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from freezegun import freeze_time

from tests.factories import make_party
from ventanilla.access.actors import Actor
from ventanilla.cases.models import Case
from ventanilla.cases.services import case_open
from ventanilla.notifications.jobs import check_outbox, schedule_outbox_check
from ventanilla.notifications.models import Notification
from ventanilla.notifications.undelivered import ALERT_CACHE_KEY, outbox_check, outbox_health

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_alert_sent_yet() -> Any:
    cache.delete(ALERT_CACHE_KEY)
    yield
    cache.delete(ALERT_CACHE_KEY)


def open_case(actor: Actor, service: Any) -> Case:
    reporter = make_party(actor)
    return case_open(actor=actor, party_id=reporter.pk, service_code=service.code, channel="web")


@pytest.fixture
def administrator(make_staff: Any) -> Any:
    user = make_staff("admin-ana", "villanueva", "administrator")
    user.email = "ana.admin@villanueva.es"
    user.save(update_fields=["email"])
    return user


def test_an_outbox_that_drains_raises_no_alarm(
    actor: Actor, service: Any, administrator: Any, caplog: Any
) -> None:
    open_case(actor, service)  # its messages were written a moment ago

    health = outbox_check()

    assert health.queued == 2
    assert not health.alarming
    assert not mail.outbox
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_message_waiting_over_the_threshold_logs_an_error_and_mails_the_administrators(
    actor: Actor, service: Any, administrator: Any, settings: Any, caplog: Any
) -> None:
    settings.VENTANILLA_OUTBOX_ALERT_MINUTES = 60
    open_case(actor, service)

    health = outbox_check(now=timezone.now() + timedelta(minutes=61))

    assert health.stalled
    assert any(
        r.levelno == logging.ERROR and "not draining" in r.getMessage() for r in caplog.records
    )
    [alert] = mail.outbox
    assert alert.to == ["ana.admin@villanueva.es"]
    assert "61 minutos" in alert.body  # in the administration's language


def test_the_administrators_are_mailed_at_most_once_an_hour(
    actor: Actor, service: Any, administrator: Any, settings: Any
) -> None:
    settings.VENTANILLA_OUTBOX_ALERT_MINUTES = 60
    with freeze_time(timezone.now()) as clock:
        open_case(actor, service)
        clock.tick(timedelta(minutes=90))
        for _ in range(4):  # the check runs every quarter of an hour
            outbox_check()
            clock.tick(timedelta(minutes=15))
        assert len(mail.outbox) == 1
        outbox_check()

    assert len(mail.outbox) == 2


def test_messages_given_up_in_the_last_day_raise_the_alarm(
    actor: Actor, service: Any, administrator: Any, settings: Any
) -> None:
    settings.VENTANILLA_OUTBOX_ALERT_FAILED = 1
    case = open_case(actor, service)
    Notification.objects.filter(case=case).update(status="failed")

    health = outbox_check()

    assert (health.failed_recently, health.failing, health.stalled) == (2, True, False)
    assert len(mail.outbox) == 1


def test_a_mail_server_that_cannot_carry_the_alert_leaves_the_error_in_the_log(
    actor: Actor, service: Any, administrator: Any, settings: Any, caplog: Any
) -> None:
    settings.EMAIL_BACKEND = "tests.cases.test_notifications.DisconnectedBackend"
    open_case(actor, service)

    outbox_check(now=timezone.now() + timedelta(hours=3))

    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert any("not draining" in text for text in errors)
    assert any("could not be mailed" in text for text in errors)


def test_the_health_counts_nothing_personal_and_sees_an_empty_outbox_as_healthy(
    db: None,
) -> None:
    health = outbox_health()

    assert (health.queued, health.oldest_queued_at, health.failed_recently) == (0, None, 0)
    assert not health.alarming


def test_the_outbox_check_schedules_its_next_run_and_queues_a_lost_sending_run(
    actor: Actor, service: Any
) -> None:
    open_case(actor, service)
    DBTaskResult.objects.all().delete()  # the sending run the case queued was lost

    check_outbox.call()

    paths = sorted(DBTaskResult.objects.values_list("task_path", flat=True))
    assert [path.rsplit(".", 1)[1] for path in paths] == ["check_outbox", "send_notifications"]
    assert not schedule_outbox_check()  # one check waits already
