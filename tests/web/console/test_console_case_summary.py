"""The case page's summary and assignment box as a case worker reads them: the place the citizen
gave in the portal, and no offer to take a case that is already theirs."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tests.conftest import portal_client, sign_in
from tests.factories import make_party
from ventanilla.access.actors import actor_for_user
from ventanilla.cases.models import Case
from ventanilla.cases.services import case_assign, case_open
from ventanilla.catalog.models import PublicService

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(make_staff: Any) -> Any:
    return make_staff("trabajadora", "urbanismo", "case_worker")


def client_of(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, user)
    return client


def summary_of(response: Any) -> str:
    html = response.content.decode()
    section = re.search(r'<section aria-labelledby="summary-h".*?</section>', html, re.S)
    assert section is not None
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section.group(0)))


def assignment_of(response: Any) -> str:
    html = response.content.decode()
    box = re.search(r'<h3 id="assign-h">.*?<details', html, re.S)
    assert box is not None
    return box.group(0)


def test_the_place_a_citizen_gave_in_the_portal_is_in_the_staff_case_summary(
    worker: Any, service: PublicService
) -> None:
    citizen = make_party(actor_for_user(worker), given_name="Lucía", family_name_1="Vega")
    portal_client(citizen).post(
        f"/portal/services/{service.code}/request/",
        {"description": "La farola no enciende", "location_text": "Calle Mayor 3, junto al 5"},
    )
    case = Case.objects.get(party=citizen)

    page = client_of(worker).get(f"/console/cases/{case.reference}/")

    assert page.status_code == 200
    assert "Place Calle Mayor 3, junto al 5" in summary_of(page)


def test_a_case_worker_is_offered_to_take_an_unassigned_case(
    worker: Any, service: PublicService
) -> None:
    actor = actor_for_user(worker)
    case = case_open(
        actor=actor, party_id=make_party(actor).pk, service_code=service.code, channel="web"
    )

    box = assignment_of(client_of(worker).get(f"/console/cases/{case.reference}/"))

    assert "Assign to me" in box


def test_assign_to_me_does_not_show_on_a_case_already_mine(
    worker: Any, service: PublicService
) -> None:
    actor = actor_for_user(worker)
    case = case_open(
        actor=actor, party_id=make_party(actor).pk, service_code=service.code, channel="web"
    )
    case_assign(actor=actor, case_ids=[case.pk], assignee_id=worker.pk)

    box = assignment_of(client_of(worker).get(f"/console/cases/{case.reference}/"))

    assert "Assign to me" not in box
    assert "This case is assigned to you." in box


def test_assign_to_me_shows_on_a_colleagues_case(
    worker: Any, make_staff: Any, service: PublicService
) -> None:
    colleague = make_staff("companera", "urbanismo", "case_worker")
    actor = actor_for_user(colleague)
    case = case_open(
        actor=actor, party_id=make_party(actor).pk, service_code=service.code, channel="web"
    )
    case_assign(actor=actor, case_ids=[case.pk], assignee_id=colleague.pk)

    box = assignment_of(client_of(worker).get(f"/console/cases/{case.reference}/"))

    assert "Assign to me" in box
