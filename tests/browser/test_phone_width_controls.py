"""At 375 px no page scrolls sideways because of a control: the queue's service filter (a
select as wide as the longest service name) and the case page's file input, in the console and
the portal alike."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import portal_client, sign_in
from tests.factories import make_party
from ventanilla.access.actors import actor_for_user
from ventanilla.cases.services import case_open
from ventanilla.catalog.services import service_ensure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = 375


def session_cookie(page: Any, live_server: Any, client: Client) -> None:
    page.context.clear_cookies()
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": value, "url": live_server.url}]
    )


def test_queue_and_case_pages_fit_a_phone_with_a_long_service_name_and_a_file_input(
    phone_page: Any, live_server: Any, make_staff: Any, town: Any
) -> None:
    service = service_ensure(
        code="ayuda-familias",
        name_es="Ayuda económica extraordinaria para familias numerosas con hijos a cargo",
        name_en="Extraordinary financial help for large families with dependent children",
        department=town["urbanismo"],
        channels=["web"],
    )
    supervisor = make_staff("jefa", "urbanismo", "supervisor")
    opener = actor_for_user(supervisor)
    party = make_party(opener)
    case = case_open(actor=opener, party_id=party.pk, service_code=service.code, channel="web")
    page = phone_page

    session_cookie(page, live_server, sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), supervisor))
    for path in ("/console/cases/?tab=department", f"/console/cases/{case.reference}/"):
        page.goto(live_server.url + path)
        assert page.locator("#f-service, input[type=file]").count() >= 1
        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= PHONE, f"{path} scrolls sideways ({width}px)"

    session_cookie(page, live_server, portal_client(party))
    for path in ("/portal/me/cases/", f"/portal/me/cases/{case.reference}/"):
        page.goto(live_server.url + path)
        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= PHONE, f"{path} scrolls sideways ({width}px)"
