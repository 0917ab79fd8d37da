"""What changed on a member of staff's cases: the queue's sign on a case the citizen answered
since its assignee last opened it, the "with news" filter, and the inbox of replies, answered
tasks, escalations and hand-overs, read once the case is opened, in a bounded number of queries."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from freezegun import freeze_time

from tests.factories import make_party
from ventanilla.access.actors import Actor, actor_for_citizen, actor_for_user
from ventanilla.cases import news, queues
from ventanilla.cases.deadlines import deadline_sweep
from ventanilla.cases.models import Case
from ventanilla.cases.services import (
    case_assign,
    case_citizen_reply,
    case_mark_seen,
    case_open,
    case_transfer,
    case_transition,
    task_create,
    task_finish,
)
from ventanilla.catalog.models import PublicService

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(make_staff: Any) -> Actor:
    return actor_for_user(make_staff("tramitadora", "urbanismo", "case_worker"))


@pytest.fixture
def colleague(make_staff: Any) -> Actor:
    return actor_for_user(make_staff("companero", "urbanismo", "case_worker"))


@pytest.fixture
def register(make_staff: Any) -> Actor:
    return actor_for_user(make_staff("padronista", "padron", "case_worker"))


def new_case(actor: Actor, service: PublicService, *, assignee: Actor | None = None) -> Case:
    party = make_party(actor)
    case = case_open(actor=actor, party_id=party.pk, service_code=service.code, channel="web")
    if assignee is not None:
        case_assign(actor=assignee, case_ids=[case.pk], assignee_id=assignee.user_id)
    case_transition(actor=actor, case_id=case.pk, action="accept")
    return Case.objects.get(pk=case.pk)


def answered(case: Case, text: str = "Ahí va") -> None:
    case_citizen_reply(actor=actor_for_citizen(case.party), case_id=case.pk, text=text)


def marked(actor: Actor, **filters: Any) -> dict[str, bool]:
    page = queues.queue(actor=actor, tab="department", filters=queues.Filters(**filters))
    return {case.reference: case.has_news for case in page.cases}


def test_the_queue_marks_a_case_the_citizen_answered_until_its_assignee_opens_it(
    worker: Actor, colleague: Actor, service: PublicService
) -> None:
    case = new_case(worker, service, assignee=worker)
    quiet = new_case(worker, service, assignee=worker)
    answered(case)

    case_mark_seen(actor=colleague, case=case)  # someone else's look changes nothing
    assert marked(worker) == {case.reference: True, quiet.reference: False}

    case_mark_seen(actor=worker, case=case)
    assert marked(worker)[case.reference] is False

    answered(case, "Otra cosa más")
    assert marked(worker)[case.reference] is True


def test_an_unassigned_case_has_news_until_anyone_opens_it(
    worker: Actor, colleague: Actor, service: PublicService
) -> None:
    case = new_case(worker, service)
    answered(case)
    assert marked(worker)[case.reference] is True

    case_mark_seen(actor=colleague, case=case)

    assert marked(worker)[case.reference] is False


def test_the_queue_can_show_only_the_cases_with_news(worker: Actor, service: PublicService) -> None:
    case = new_case(worker, service, assignee=worker)
    new_case(worker, service, assignee=worker)
    answered(case)

    assert marked(worker, news=True) == {case.reference: True}


def test_the_inbox_holds_replies_answered_tasks_escalations_and_hand_overs_newest_first(
    worker: Actor, register: Actor, service: PublicService
) -> None:
    replied = new_case(worker, service, assignee=worker)
    asked = new_case(worker, service, assignee=worker)
    late = new_case(worker, service)
    handed = new_case(worker, service)
    now = timezone.now()
    with freeze_time(now - timedelta(hours=4)):
        answered(replied, "Ya está la foto")
    with freeze_time(now - timedelta(hours=3)):
        task = task_create(
            actor=worker, case_id=asked.pk, department_code="padron", title="Empadronamiento"
        )
        task_finish(actor=register, task_id=task.pk, outcome="done", result="Consta")
    Case.objects.filter(pk=late.pk).update(due_date=date(2020, 1, 1))
    with freeze_time(now - timedelta(hours=2)):
        deadline_sweep()
    with freeze_time(now - timedelta(hours=1)):
        case_transfer(actor=worker, case_id=handed.pk, department_code="padron", reason="Es suyo")

    mine = news.inbox(actor=worker)
    theirs = news.inbox(actor=register)

    assert [(e.case.reference, e.kind) for e in mine.events] == [
        (late.reference, "escalation"),
        (asked.reference, "task"),
        (replied.reference, "citizen_reply"),
    ]
    assert mine.unread == 3
    assert [(e.case.reference, e.kind) for e in theirs.events] == [(handed.reference, "transfer")]


def test_opening_a_case_marks_its_events_read(worker: Actor, service: PublicService) -> None:
    first = new_case(worker, service, assignee=worker)
    second = new_case(worker, service, assignee=worker)
    answered(first)
    answered(second)
    assert news.unread_count(actor=worker) == 2

    case_mark_seen(actor=worker, case=first)

    assert news.unread_count(actor=worker) == 1
    assert {e.case_id: e.unread for e in news.inbox(actor=worker).events} == {
        first.pk: False,
        second.pk: True,
    }


def test_the_inbox_leaves_out_other_peoples_cases_and_ones_own_doing(
    worker: Actor, colleague: Actor, service: PublicService
) -> None:
    theirs = new_case(worker, service, assignee=colleague)
    answered(theirs)
    mine = new_case(worker, service, assignee=worker)
    case_transfer(actor=worker, case_id=mine.pk, department_code="padron", reason="Es suyo")

    assert news.inbox(actor=worker).events == []


def test_the_inbox_costs_the_same_queries_for_one_event_or_many(
    worker: Actor, service: PublicService
) -> None:
    answered(new_case(worker, service, assignee=worker))
    with CaptureQueriesContext(connection) as one:
        news.inbox(actor=worker)
    for _ in range(6):
        answered(new_case(worker, service, assignee=worker))
    with CaptureQueriesContext(connection) as many:
        shown = news.inbox(actor=worker)

    assert len(shown.events) == 7
    assert len(many) == len(one) <= 6


def test_a_finished_case_leaves_the_inbox(worker: Actor, service: PublicService) -> None:
    case = new_case(worker, service, assignee=worker)
    answered(case)
    assert news.unread_count(actor=worker) == 1

    case_transition(actor=worker, case_id=case.pk, action="resolve", reason="Hecho")

    assert news.unread_count(actor=worker) == 0
