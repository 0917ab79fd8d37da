"""The case page's similar resolved cases in a browser: at 375 px a long resolution note wraps
instead of pushing the page sideways, and the link to the earlier case is reached with Tab."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import sign_in
from tests.factories import make_party
from ventanilla.access.actors import actor_for_user
from ventanilla.cases.services import case_open, case_transition
from ventanilla.catalog.models import PublicService
from ventanilla.precedents.selectors import forget_indexes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = 375


def test_a_similar_case_fits_a_phone_and_its_link_is_reached_with_the_keyboard(
    phone_page: Any, live_server: Any, make_staff: Any, service: PublicService
) -> None:
    forget_indexes()
    user = make_staff("trabajadora", "urbanismo", "case_worker")
    worker = actor_for_user(user)

    def opened(description: str) -> Any:
        return case_open(
            actor=worker,
            party_id=make_party(worker).pk,
            service_code=service.code,
            channel="web",
            description=description,
        )

    earlier = opened("Cambiar la bañera por un plato de ducha")
    case_transition(actor=worker, case_id=earlier.pk, action="accept")
    case_transition(
        actor=worker,
        case_id=earlier.pk,
        action="resolve",
        reason="Concedida; véase https://sede.example/expedientes/obras-menores/" + "x" * 120,
    )
    new = opened("Quiero cambiar la bañera por un plato de ducha")
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), user)
    page = phone_page
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )

    page.goto(f"{live_server.url}/console/cases/{new.reference}/")

    assert page.get_by_test_id("precedent").count() == 1
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE, f"the case page scrolls sideways ({width}px)"
    for _ in range(150):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == earlier.reference:
            break
    else:
        pytest.fail("Tab never reached the similar case's link")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/console/cases/{earlier.reference}/")
    forget_indexes()
