"""The services that follow each other, in a browser at phone width: the managers' report and
the "Often needed next" panel of a person's page fit 375 px, pass axe, and the suggestion's link
is reached with the keyboard."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.browser.test_phone_width_controls import PHONE, session_cookie
from tests.conftest import sign_in
from tests.factories import make_party
from ventanilla.access.actors import actor_for_user
from ventanilla.associations.models import AssociationRun, ServiceAssociation
from ventanilla.cases.models import Case
from ventanilla.cases.services import case_open
from ventanilla.catalog.services import service_ensure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def a_rule(town: Any) -> None:
    common = {"department": town["padron"], "channels": ["web", "desk"]}
    birth = service_ensure(
        code="inscripcion-nacimiento",
        name_es="Inscripción de nacimiento",
        name_en="Registration of a birth in the civil register of the town",
        **common,
    )
    register = service_ensure(
        code="empadronamiento",
        name_es="Alta en el padrón",
        name_en="Registration of a newborn on the municipal register of inhabitants",
        **common,
    )
    now = timezone.now()
    run = AssociationRun.objects.create(
        number=1,
        mined_at=now,
        window_days=90,
        min_people=5,
        min_confidence=0.2,
        uses=1000,
        people=400,
        rules=1,
        seconds=0.1,
    )
    ServiceAssociation.objects.create(
        run=run,
        antecedent=birth,
        consequent=register,
        with_antecedent=120,
        with_both=66,
        confidence=0.55,
        lift=6.2,
        window_days=90,
        mined_at=now,
    )


def test_the_report_and_the_suggestion_fit_a_phone_and_the_keyboard(
    phone_page: Any, live_server: Any, make_staff: Any, town: Any
) -> None:
    a_rule(town)
    page = phone_page
    analyst = make_staff("ana", "ayto", "analyst")
    session_cookie(page, live_server, sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), analyst))
    page.goto(live_server.url + "/console/analytics/associations/")
    assert page.get_by_role("table").count() == 1
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE, f"the report scrolls sideways ({width}px)"

    agent = make_staff("agente", "ayto", "agent")
    party = make_party(actor_for_user(agent))
    case = case_open(
        actor=actor_for_user(agent),
        party_id=party.pk,
        service_code="inscripcion-nacimiento",
        channel="web",
    )
    Case.objects.filter(pk=case.pk).update(opened_at=timezone.now() - timedelta(days=10))
    session_cookie(page, live_server, sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), agent))
    page.goto(live_server.url + f"/console/parties/{party.pk}/")
    panel = page.get_by_test_id("next-services")
    assert "6 in 10 people who asked for" in panel.inner_text()
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE, f"the person's page scrolls sideways ({width}px)"
    link = panel.get_by_role("link")
    for _ in range(80):
        page.keyboard.press("Tab")
        if link.evaluate("element => element === document.activeElement"):
            break
    else:
        raise AssertionError("the suggestion's link is not reached with Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/console/parties/{party.pk}/cases/new/?service=empadronamiento")
