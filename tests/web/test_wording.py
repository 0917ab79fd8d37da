"""What people read about a case's dates and states: a due date reads as one, each state has
one name in the console and the portal, tasks agree in gender, and English dates are British
(07/12/2026 is 7 December)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.test import Client

from tests.conftest import portal_client, sign_in
from tests.factories import make_party
from ventanilla.access.actors import Actor, actor_for_user
from ventanilla.cases.models import Case
from ventanilla.cases.services import case_open, case_transition, task_create
from ventanilla.catalog.models import PublicService

pytestmark = pytest.mark.django_db
SEVENTH_OF_DECEMBER = date(2026, 12, 7)


@pytest.fixture
def worker(make_staff: Any) -> Any:
    return make_staff("trabajadora", "urbanismo", "case_worker")


@pytest.fixture
def case(worker: Any, service: PublicService) -> Case:
    actor = actor_for_user(worker)
    party = make_party(actor, given_name="Lucía", family_name_1="Vega")
    opened = case_open(actor=actor, party_id=party.pk, service_code=service.code, channel="web")
    Case.objects.filter(pk=opened.pk).update(due_date=SEVENTH_OF_DECEMBER)
    return Case.objects.get(pk=opened.pk)


def staff(user: Any, language: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    sign_in(client, user)
    return client


def text_of(response: Any) -> str:
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def test_a_new_case_reads_its_due_date_as_a_due_date_in_spanish(case: Case) -> None:
    page = text_of(portal_client(case.party, "es").get(f"/portal/me/cases/{case.reference}/"))

    assert "Plazo 07/12/2026" in page
    assert "Vencidos" not in page


def test_an_english_page_writes_7_december_as_07_12_2026(case: Case, worker: Any) -> None:
    portal = text_of(portal_client(case.party, "en").get(f"/portal/me/cases/{case.reference}/"))
    queue = text_of(staff(worker, "en").get("/console/cases/", {"tab": "department"}))
    console = text_of(staff(worker, "en").get(f"/console/cases/{case.reference}/"))

    assert "Due 07/12/2026" in portal
    assert "07/12/2026" in queue
    assert "12/07/2026" not in portal + queue
    assert "Due 7 December 2026" in console


def test_a_new_case_has_one_name_in_the_console_and_the_portal(case: Case, worker: Any) -> None:
    portal = text_of(portal_client(case.party, "es").get(f"/portal/me/cases/{case.reference}/"))
    console = text_of(staff(worker, "es").get(f"/console/cases/{case.reference}/"))

    assert "Estado Recibido" in portal
    assert "Estado Recibido" in console
    assert "Nuevo" not in console


def test_a_closed_case_has_one_name_in_the_console_and_the_portal(case: Case, worker: Any) -> None:
    actor = actor_for_user(worker)
    for action in ("accept", "resolve", "close"):
        case_transition(actor=actor, case_id=case.pk, action=action, reason="Hecho")

    portal = text_of(portal_client(case.party, "es").get(f"/portal/me/cases/{case.reference}/"))
    mine = text_of(portal_client(case.party, "es").get("/portal/me/cases/"))
    console = text_of(staff(worker, "es").get(f"/console/cases/{case.reference}/"))

    assert "Estado Cerrado" in portal
    assert "Cerrado" in mine
    assert "Estado Cerrado" in console


def test_a_rejected_case_has_one_name_in_the_console_and_the_portal(
    case: Case, worker: Any
) -> None:
    actor = actor_for_user(worker)
    case_transition(actor=actor, case_id=case.pk, action="reject", reason="No procede")

    portal = text_of(portal_client(case.party, "es").get(f"/portal/me/cases/{case.reference}/"))
    console = text_of(staff(worker, "es").get(f"/console/cases/{case.reference}/"))

    assert "Estado Rechazado" in portal
    assert "Estado Rechazado" in console


def test_a_task_waiting_for_an_answer_is_named_in_the_feminine(
    case: Case, worker: Any, actor: Actor
) -> None:
    task_create(
        actor=actor_for_user(worker),
        case_id=case.pk,
        department_code="padron",
        title="Comprobar el domicilio",
    )

    page = text_of(staff(worker, "es").get(f"/console/cases/{case.reference}/"))

    assert "Comprobar el domicilio · Sin responder ·" in page
    assert "Abiertos" not in page


def test_a_case_without_tasks_says_so_in_the_feminine(case: Case, worker: Any) -> None:
    page = text_of(staff(worker, "es").get(f"/console/cases/{case.reference}/"))

    assert "Todavía no hay tareas." in page
    assert "Ninguno." not in page


def test_when_a_case_was_opened_reads_as_its_opening_not_as_a_state(
    case: Case, worker: Any
) -> None:
    console = text_of(staff(worker, "es").get(f"/console/cases/{case.reference}/"))
    portal = text_of(portal_client(case.party, "es").get(f"/portal/me/cases/{case.reference}/"))

    assert "Apertura " in console
    assert "Apertura " in portal
    assert "Abierto " not in console + portal
