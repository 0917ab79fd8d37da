"""At phone width, a citizen asks for a life event that reaches two agencies at once, follows its
one combined status, and once one case is closed answers the satisfaction question by keyboard."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache

from tests.factories import make_party
from tests.jobs import run_queued_jobs
from ventanilla.access.actors import actor_for_user
from ventanilla.cases.models import Case
from ventanilla.cases.services import case_transition
from ventanilla.catalog.models import Agency
from ventanilla.catalog.services import life_event_ensure, service_ensure
from ventanilla.parties.models import Party
from ventanilla.parties.services import ContactPointInput, IdentifierInput

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

DNI = "12345678Z"
EMAIL = "mjose.nunez@example.org"
LINK = re.compile(r"https?://\S+/portal/sign-in/[A-Za-z0-9_-]+/")
PHONE = 375


@pytest.fixture
def citizen(make_staff: Any, town: dict[str, Agency]) -> Party:
    cache.clear()  # no sign-in throttle left over from another test
    birth = life_event_ensure(
        code="nacimiento", kind="life", name_es="Nacimiento", name_en="Having a baby"
    )
    for code, name_es, name_en, department in [
        ("inscripcion-padron", "Inscripción en el padrón", "Register the baby", "padron"),
        ("tarjeta-sanitaria", "Tarjeta sanitaria", "Health card", "salud"),
    ]:
        service_ensure(
            code=code,
            name_es=name_es,
            name_en=name_en,
            department=town[department],
            channels=["web"],
            life_events=[birth],
        )
    agent = actor_for_user(make_staff("jperez", "ayto", "agent"))
    return make_party(
        agent,
        given_name="María José",
        family_name_1="Núñez",
        identifiers=[IdentifierInput(scheme="dni", value=DNI)],
        contact_points=[ContactPointInput(kind="email", value=EMAIL)],
    )


def fits_the_phone(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth") <= PHONE)


def test_a_citizen_asks_for_a_life_event_follows_it_and_rates_a_closed_case_by_keyboard(
    phone_page: Any, live_server: Any, citizen: Party, mailoutbox: list[Any], make_staff: Any
) -> None:
    page = phone_page
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    # Signed out, the services page sends her to sign in and brings her back afterwards.
    page.goto(f"{live_server.url}/portal/services/")
    page.get_by_label("DNI or NIE").fill(DNI)
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Email address").press("Enter")
    page.get_by_test_id("sign-in-sent").wait_for()
    run_queued_jobs()  # the worker emails the link
    found = LINK.search(mailoutbox[-1].body)
    assert found, mailoutbox[-1].body
    page.goto(found.group(0))
    page.get_by_role("button", name="Sign in and see my data").click()

    page.get_by_role("heading", name="Ask for a service").wait_for()
    page.get_by_role("link", name="Having a baby").click()
    assert not page.get_by_label("Register the baby").is_checked()
    page.get_by_label("Register the baby").check()
    page.get_by_label("Health card").check()
    assert fits_the_phone(page)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Anything else the offices should know (optional)").fill(
        "Nació Martina el lunes"
    )
    assert fits_the_phone(page)
    page.get_by_role("button", name="Send my request").click()

    status = page.get_by_test_id("combined-status")
    status.wait_for()
    assert "0 of 2 done" in status.inner_text()
    assert "Each office receives only its own case" in page.inner_text("main")
    assert fits_the_phone(page)

    nurse = actor_for_user(make_staff("enfermera", "salud", "agent"))
    card = Case.objects.get(party=citizen, service__code="tarjeta-sanitaria")
    for action in ("accept", "resolve", "close"):
        case_transition(actor=nurse, case_id=card.pk, action=action, reason="Tarjeta emitida")
    page.reload()
    assert "1 of 2 done" in page.get_by_test_id("combined-status").inner_text()

    page.get_by_role("link", name=re.compile("Health card")).click()
    page.get_by_role("link", name="Tell us how we did").click()
    page.get_by_role("heading", name="How did we do?").wait_for()
    assert fits_the_phone(page)
    page.locator("#id_score_1").focus()
    for _ in range(3):  # arrows move through a radio group: 1 → 4
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    page.keyboard.type("Muy amables")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    page.get_by_role("heading", name="Thank you for your answer").wait_for()
    card.refresh_from_db()
    assert (card.satisfaction, card.satisfaction_comment) == (4, "Muy amables")
    assert violations == []
