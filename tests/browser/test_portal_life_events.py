"""In a real browser, by keyboard: a citizen finds "having children" by a search with a typo,
chooses two of its services, answers each one's own questions, is told once, and finds the
combined status again from "My cases" — in Spanish at desk width, and in English at 375 px."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings

from tests.conftest import portal_client
from tests.factories import make_party
from ventanilla.access.actors import actor_for_user
from ventanilla.cases.models import LifeEventRequest
from ventanilla.catalog.models import Agency
from ventanilla.catalog.services import life_event_ensure, service_ensure
from ventanilla.notifications.models import Notification
from ventanilla.parties.models import Party
from ventanilla.parties.services import ContactPointInput

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

PHONE = 375
GRANT_FORM = {
    "type": "object",
    "properties": {
        "nombre_bebe": {"type": "string", "title": "Nombre del bebé", "x-title-en": "Baby's name",
                        "maxLength": 100, "x-order": 1},
        "fecha_nacimiento": {"type": "string", "format": "date", "title": "Fecha de nacimiento",
                             "x-title-en": "Date of birth", "x-order": 2},
    },
    "required": ["nombre_bebe", "fecha_nacimiento"],
}  # fmt: skip
CARD_FORM = {
    "type": "object",
    "properties": {
        "centro": {"type": "string", "title": "Centro de salud", "x-title-en": "Health centre",
                   "oneOf": [{"const": "norte", "title": "Norte", "x-title-en": "North"},
                             {"const": "sur", "title": "Sur", "x-title-en": "South"}]},
    },
    "required": ["centro"],
}  # fmt: skip


@pytest.fixture
def citizen(make_staff: Any, town: dict[str, Agency]) -> Party:
    children = life_event_ensure(
        code="hijos", kind="life", name_es="Tener hijos", name_en="Having children", position=20
    )
    life_event_ensure(code="jubilacion", kind="life", name_es="Jubilación", name_en="Retirement")
    for code, name_es, name_en, department, form in [
        (
            "inscripcion-padron",
            "Empadronamiento del recién nacido",
            "Register the baby as a resident",
            "padron",
            {},
        ),
        ("tarjeta-sanitaria", "Tarjeta sanitaria", "Health card", "salud", CARD_FORM),
        ("cheque-bebe", "Cheque bebé", "Baby grant", "ayto", GRANT_FORM),
    ]:
        service_ensure(
            code=code, name_es=name_es, name_en=name_en, department=town[department],
            channels=["web"], life_events=[children], input_schema=form,
        )  # fmt: skip
    agent = actor_for_user(make_staff("jperez", "ayto", "agent"))
    return make_party(
        agent,
        given_name="María José",
        contact_points=[ContactPointInput(kind="email", value="mjose@example.org")],
    )


def signed_in(page: Any, live_server: Any, party: Party) -> None:
    """The browser holds the citizen's portal session, as the emailed link leaves it (the
    sign-in itself is walked in test_portal_cases.py)."""
    session = portal_client(party).cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )


def tab_until(page: Any, condition: str, limit: int = 80) -> None:
    """Press Tab until the JavaScript ``condition`` holds for the focused element."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => {condition})(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached an element where {condition}")


def width(page: Any) -> int:
    return int(page.evaluate("document.scrollingElement.scrollWidth"))


def ask_for_two_services_by_keyboard(page: Any, labels: dict[str, str]) -> None:
    """From a life event's page: tick the grant and the health card, continue, answer their
    questions and send, all by keyboard."""
    assert page.locator("input[name=services]:checked").count() == 0
    for service in ("cheque-bebe", "tarjeta-sanitaria"):
        tab_until(page, f"el.id === 'id_service_{service}'")
        page.keyboard.press("Space")
    tab_until(page, f"el.tagName === 'BUTTON' && el.textContent.trim() === '{labels['next']}'")
    page.keyboard.press("Enter")
    page.get_by_test_id("chosen-services").wait_for()
    assert page.get_by_test_id("chosen-service").count() == 2
    tab_until(page, "el.name === 'cheque-bebe-form_nombre_bebe'")
    page.keyboard.type("Martina")
    page.keyboard.press("Tab")
    # The date of birth: the picker's segments follow the machine's locale, not the page's,
    # so the value is set directly (the keyboard reaches it like any other field).
    assert page.evaluate("document.activeElement.type") == "date"
    page.locator("[name='cheque-bebe-form_fecha_nacimiento']").fill("2026-11-20")
    tab_until(page, "el.name === 'tarjeta-sanitaria-form_centro'")
    page.keyboard.type(labels["south"][0])
    tab_until(page, f"el.tagName === 'BUTTON' && el.textContent.trim() === '{labels['send']}'")
    page.keyboard.press("Enter")
    page.get_by_test_id("combined-status").wait_for()


def test_a_citizen_finds_having_children_by_a_typo_and_asks_for_two_services_in_spanish(
    page: Any, live_server: Any, citizen: Party
) -> None:
    signed_in(page, live_server, citizen)
    page.goto(f"{live_server.url}/portal/")

    tab_until(page, "el.id === 'q'")
    page.keyboard.type("tarjeta sanitria")  # as she types, htmx brings the results
    page.get_by_test_id("found-services").get_by_role("link", name="Tarjeta sanitaria").wait_for()
    page.keyboard.press("Control+A")
    page.keyboard.type("tener hijso")
    found = page.get_by_test_id("found-events").get_by_role("link", name=re.compile("Tener hijos"))
    found.wait_for()
    tab_until(page, "el.tagName === 'A' && el.textContent.includes('Tener hijos')")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Tener hijos").wait_for()

    ask_for_two_services_by_keyboard(
        page, {"next": "Continuar", "send": "Enviar mi solicitud", "south": "Sur"}
    )

    assert page.locator(".messages p").count() == 1
    request = LifeEventRequest.objects.get(party=citizen)
    cases = {c.service.code: c for c in request.cases.select_related("service")}
    assert cases["cheque-bebe"].form_data == {
        "nombre_bebe": "Martina",
        "fecha_nacimiento": "2026-11-20",
    }
    assert cases["tarjeta-sanitaria"].form_data == {"centro": "sur"}
    assert [n.event for n in Notification.objects.filter(party=citizen)] == ["life_event_opened"]
    status_url = page.url

    page.get_by_role("link", name="Mis expedientes").first.click()
    entry = page.get_by_test_id("my-request")
    assert entry.count() == 1 and "0 de 2" in entry.inner_text()
    entry.get_by_role("link", name="Tener hijos").click()
    page.get_by_test_id("combined-status").wait_for()
    assert page.url == status_url


def test_a_citizen_does_the_same_in_english_at_phone_width_without_scrolling_sideways(
    phone_page: Any, live_server: Any, citizen: Party
) -> None:
    page = phone_page
    signed_in(page, live_server, citizen)
    page.goto(f"{live_server.url}/portal/")
    assert width(page) <= PHONE
    assert page.evaluate("document.scrollingElement.scrollHeight") < 6 * 740

    # Without waiting for htmx: the form itself leads to the results page.
    page.get_by_label("Find a service").fill("havng children")
    page.get_by_label("Find a service").press("Enter")
    page.wait_for_url(re.compile(r"/portal/search/\?q="))
    assert width(page) <= PHONE
    page.get_by_test_id("found-events").get_by_role("link", name=re.compile("Having")).click()
    page.get_by_role("heading", name="Having children").wait_for()
    assert width(page) <= PHONE

    ask_for_two_services_by_keyboard(
        page, {"next": "Continue", "send": "Send my request", "south": "South"}
    )
    assert width(page) <= PHONE
    status_url = page.url

    page.get_by_role("link", name="My cases").first.click()
    page.get_by_test_id("my-request").wait_for()
    assert width(page) <= PHONE
    page.get_by_test_id("my-request").get_by_role("link", name="Having children").click()
    page.get_by_test_id("combined-status").wait_for()
    assert page.url == status_url
    page.get_by_role("link", name=re.compile("Baby grant")).click()
    page.get_by_role("heading", name=re.compile("Baby grant")).wait_for()
    assert width(page) <= PHONE
