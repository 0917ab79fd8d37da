"""What changed on a case worker's cases, as they notice it: the queue marks the case the
citizen answered and filters it; the inbox lists the reply until the case is opened; the menu
counts what is unread; roles that do not work cases are not offered the inbox."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import sign_in
from tests.factories import make_party
from ventanilla.access.actors import Actor, actor_for_citizen, actor_for_user
from ventanilla.cases.models import Case, CaseEvent
from ventanilla.cases.services import (
    case_assign,
    case_citizen_reply,
    case_open,
    case_transition,
)
from ventanilla.catalog.models import PublicService

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40


@pytest.fixture
def worker_user(make_staff: Any) -> Any:
    return make_staff("tramitadora", "urbanismo", "case_worker")


@pytest.fixture
def worker(worker_user: Any) -> Actor:
    return actor_for_user(worker_user)


@pytest.fixture
def case(worker: Actor, service: PublicService) -> Case:
    party = make_party(worker, given_name="Lucía", family_name_1="Vega")
    case = case_open(actor=worker, party_id=party.pk, service_code=service.code, channel="web")
    for action in ("accept", "start"):
        case_transition(actor=worker, case_id=case.pk, action=action)
    return case_transition(
        actor=worker, case_id=case.pk, action="ask_citizen", reason="Envíe una foto de la acera"
    )


def staff_client(user: Any, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    sign_in(client, user)
    return client


def test_the_queue_marks_the_answered_case_and_filters_it_until_it_is_opened(
    case: Case, worker_user: Any, worker: Actor, service: PublicService
) -> None:
    case_assign_to(worker, case)
    case_citizen_reply(actor=actor_for_citizen(case.party), case_id=case.pk, text="Hecho")
    client = staff_client(worker_user)

    queue = client.get("/console/cases/?tab=mine").content.decode()
    only_news = client.get("/console/cases/?tab=mine&news=1").content.decode()
    assert 'data-testid="news"' in queue and "citizen replied" in queue
    assert case.reference in only_news

    client.get(f"/console/cases/{case.reference}/")

    assert 'data-testid="news"' not in client.get("/console/cases/?tab=mine").content.decode()
    assert case.reference not in client.get("/console/cases/?tab=mine&news=1").content.decode()


def case_assign_to(worker: Actor, case: Case) -> None:
    case_assign(actor=worker, case_ids=[case.pk], assignee_id=worker.user_id)


def test_the_inbox_lists_the_reply_and_the_menu_counts_it_until_the_case_is_opened(
    case: Case, worker_user: Any
) -> None:
    case_citizen_reply(actor=actor_for_citizen(case.party), case_id=case.pk, text="Hecho ya")
    client = staff_client(worker_user)

    inbox = client.get("/console/inbox/")
    page = inbox.content.decode()
    assert inbox.status_code == 200
    assert "What changed on my cases" in page and "The citizen replied" in page
    assert f'href="/console/cases/{case.reference}/"' in page and "Lucía" in page
    assert 'data-testid="menu-unread">1<' in page and "1 unread." in page

    client.get(f"/console/cases/{case.reference}/")

    after = client.get("/console/inbox/").content.decode()
    assert 'data-testid="menu-unread"' not in after and "0 unread." in after
    assert 'class="unread"' not in after


def test_the_inbox_speaks_spanish(case: Case, worker_user: Any) -> None:
    case_citizen_reply(actor=actor_for_citizen(case.party), case_id=case.pk, text="Hecho ya")

    page = staff_client(worker_user, "es").get("/console/inbox/").content.decode()

    assert "Qué ha cambiado en mis expedientes" in page and "El ciudadano respondió" in page


def test_the_inbox_is_not_offered_to_roles_that_do_not_work_cases(make_staff: Any) -> None:
    dpo = make_staff("delegada", "ayto", "dpo")

    page = staff_client(dpo).get("/console/home/").content.decode()

    assert "/console/inbox/" not in page
    assert not CaseEvent.objects.exists()
