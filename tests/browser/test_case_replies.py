"""A citizen answers the office with the photo it asked for, and the case resumes; then the case
worker signs in, sees the sign on the case in the queue and the reply in their inbox, opens the
case, and the reply is read. Once in Spanish at desk width, once in English at phone width."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD, totp_code
from tests.factories import make_party
from tests.jobs import run_queued_jobs
from ventanilla.access.actors import actor_for_user
from ventanilla.cases.models import Case, CaseEvent
from ventanilla.cases.services import case_assign, case_open, case_transition
from ventanilla.parties.services import ContactPointInput, IdentifierInput

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

DNI = "12345678Z"
EMAIL = "lucia.vega@example.org"
LINK = re.compile(r"https?://\S+/portal/sign-in/[A-Za-z0-9_-]+/")
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40

# What each run reads on the pages, in its language.
WORDS = {
    "page": {
        "sent": "la oficina vuelve a tramitar su expediente",
        "attached": "Adjuntó acera.png.",
        "status": "En tramitación",
        "menu": "Novedades",
        "replied": "El ciudadano respondió",
        "unread": "0 sin leer.",
    },
    "phone_page": {
        "sent": "the office is working on your case again",
        "attached": "You attached acera.png.",
        "status": "Being worked on",
        "menu": "What changed",
        "replied": "The citizen replied",
        "unread": "0 unread.",
    },
}


def fits(page: Any) -> bool:
    width = page.evaluate("document.documentElement.clientWidth")
    return bool(page.evaluate("document.documentElement.scrollWidth") <= width)


@pytest.fixture
def waiting_case(make_staff: Any, service: Any) -> tuple[Case, Any]:
    cache.clear()  # no sign-in throttle left over from another test
    worker = make_staff("tramitadora", "urbanismo", "case_worker")
    staff = actor_for_user(worker)
    party = make_party(
        staff,
        given_name="Lucía",
        family_name_1="Vega",
        identifiers=[IdentifierInput(scheme="dni", value=DNI)],
        contact_points=[ContactPointInput(kind="email", value=EMAIL)],
    )
    case = case_open(actor=staff, party_id=party.pk, service_code=service.code, channel="web")
    case_assign(actor=staff, case_ids=[case.pk], assignee_id=staff.user_id)
    for action in ("accept", "start"):
        case_transition(actor=staff, case_id=case.pk, action=action)
    case = case_transition(
        actor=staff, case_id=case.pk, action="ask_citizen", reason="Envíe una foto de la acera"
    )
    return case, worker


@pytest.mark.parametrize("browser_page", ["page", "phone_page"])
def test_a_citizens_answer_with_a_photo_resumes_the_case_and_reaches_the_case_worker(
    browser_page: str,
    request: pytest.FixtureRequest,
    live_server: Any,
    waiting_case: tuple[Case, Any],
    mailoutbox: list[Any],
) -> None:
    page = request.getfixturevalue(browser_page)
    words = WORDS[browser_page]
    case, worker = waiting_case

    # The citizen signs in with the emailed link and answers with the photo asked for.
    page.goto(f"{live_server.url}/portal/me/cases/{case.reference}/")
    page.locator("#identifier").fill(DNI)
    page.locator("#email").fill(EMAIL)
    page.locator("#email").press("Enter")
    page.get_by_test_id("sign-in-sent").wait_for()
    run_queued_jobs()
    found = LINK.search(mailoutbox[-1].body)
    assert found, mailoutbox[-1].body
    page.goto(found.group(0))
    page.locator("main form button[type=submit]").click()
    page.goto(f"{live_server.url}/portal/me/cases/{case.reference}/")
    page.get_by_test_id("asked").wait_for()
    page.locator("#id_text").fill("Ahí va la foto de la acera")
    page.locator("#id_file").set_input_files(
        {"name": "acera.png", "mimeType": "image/png", "buffer": PNG}
    )
    assert fits(page), "the reply form scrolls sideways"
    page.locator("#id_file").press("Tab")  # on to the send button, by keyboard
    page.keyboard.press("Enter")

    page.get_by_text(words["sent"]).wait_for()
    assert page.get_by_test_id("asked").count() == 0
    assert words["attached"] in page.inner_text("main")
    assert words["status"] in page.inner_text("main")
    assert fits(page)
    assert Case.objects.get(pk=case.pk).status == "in_progress"

    # The case worker signs in and sees the sign in the queue and the item in the inbox.
    device = TOTPDevice.objects.create(user=worker, name="Ventanilla", confirmed=True)
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("#id_username").fill("tramitadora")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.locator("#id_code").fill(totp_code(device))
    page.locator("#id_code").press("Enter")
    page.get_by_test_id("menu-unread").wait_for()
    assert page.get_by_test_id("menu-unread").inner_text().startswith("1")

    page.goto(f"{live_server.url}/console/cases/?tab=mine")
    row = page.get_by_test_id("case-row").filter(has_text=case.reference)
    assert row.get_by_test_id("news").is_visible()
    assert fits(page), "the queue scrolls sideways"

    page.get_by_role("link", name=re.compile(words["menu"])).click()
    item = page.get_by_test_id("inbox-item").filter(has_text=case.reference)
    assert words["replied"] in item.inner_text()
    assert fits(page), "the inbox scrolls sideways"
    item.get_by_role("link", name=case.reference).click()

    history = page.get_by_test_id("event").filter(has_text=words["replied"])
    assert "Ahí va la foto de la acera" in history.inner_text()
    assert history.get_by_test_id("event-attachment").inner_text() == "acera.png"

    # Opened, it is read: no count in the menu, no sign in the queue, nothing unread.
    page.get_by_role("link", name=re.compile(words["menu"])).click()
    assert words["unread"] in page.inner_text("main")
    assert page.get_by_test_id("menu-unread").count() == 0
    page.goto(f"{live_server.url}/console/cases/?tab=mine")
    assert page.get_by_test_id("news").count() == 0
    assert CaseEvent.objects.filter(case=case, kind="citizen_reply").count() == 1
