"""Voting in a participatory budget in the portal at phone width (390 px), by keyboard, in
Spanish and in English: a resident signs in with the emailed link, opens the budget, ticks
more than the district's money allows and is told so by the running total and by the server,
then votes within it and is thanked; the vote is kept as one ballot naming no one."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.core.cache import cache

from tests.browser.conftest import _close_checked, checked_context, fits_the_screen
from tests.budgets.conftest import ballots_cast, build_budget, move_to, staff_project
from tests.factories import make_party
from tests.jobs import run_queued_jobs
from ventanilla.access.actors import actor_for_user
from ventanilla.budgets.models import Phase, SealedBallot, Voter
from ventanilla.parties.services import ContactPointInput, IdentifierInput

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = 390
DNI = "12345678Z"
EMAIL = "ines.soto@example.org"
LINK = re.compile(r"https?://\S+/portal/sign-in/[A-Za-z0-9_-]+/")
WORDS = {
    "es": {
        "locale": "es-ES",
        "dni": "DNI o NIE",
        "email": "Correo electrónico",
        "enter": "Entrar y ver mis datos",
        "title": "Presupuestos 2027",
        # Amounts written as the page writes them, thousands grouped with a space.
        "total": r"Elegido hasta ahora: 110\s000 € de 100\s000 €",
    },
    "en": {
        "locale": "en-GB",
        "dni": "DNI or NIE",
        "email": "Email address",
        "enter": "Sign in and see my data",
        "title": "Budget 2027",
        "total": r"Chosen so far: 110,000 € of 100,000 €",
    },
}


@pytest.fixture(params=["es", "en"])
def phone(request: Any, browser: Any) -> Iterator[tuple[Any, dict[str, str]]]:
    words = WORDS[request.param]
    context, report = checked_context(
        browser,
        locale=words["locale"],
        viewport={"width": PHONE, "height": 760},
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    yield page, words
    _close_checked(context, page, report)


def press(page: Any, selector: str, key: str) -> None:
    page.locator(selector).focus()
    page.keyboard.press(key)


def test_a_resident_votes_by_keyboard_within_the_budget_on_a_phone(
    phone: tuple[Any, dict[str, str]],
    live_server: Any,
    town: Any,
    agent_user: Any,
    mailoutbox: Any,
) -> None:
    page, words = phone
    cache.clear()  # no sign-in throttle left over from another test
    make_party(
        actor_for_user(agent_user),
        identifiers=[IdentifierInput(scheme="dni", value=DNI)],
        contact_points=[
            ContactPointInput(kind="email", value=EMAIL),
            ContactPointInput(kind="postal", value="Calle Mayor 3", district="Centro"),
        ],
        birth_date=date(1980, 1, 1),
    )
    budget = build_budget(town["ayto"])
    park = staff_project(budget, "Centro", "Parque infantil", 60_000)
    benches = staff_project(budget, "Centro", "Bancos nuevos", 30_000)
    fountain = staff_project(budget, "Centro", "Fuente", 20_000)
    move_to(budget, Phase.VOTING)

    page.goto(f"{live_server.url}/portal/budgets/")
    page.get_by_role("link", name=words["title"]).focus()
    page.keyboard.press("Enter")
    press(page, "[data-testid=budget-go-vote]", "Enter")
    page.get_by_label(words["dni"]).fill(DNI)
    page.get_by_label(words["email"]).fill(EMAIL)
    page.get_by_label(words["email"]).press("Enter")
    page.get_by_test_id("sign-in-sent").wait_for()
    run_queued_jobs()
    found = LINK.search(mailoutbox[-1].body)
    assert found, mailoutbox[-1].body
    page.goto(found.group(0))
    page.get_by_role("button", name=words["enter"]).press("Enter")
    page.wait_for_url(re.compile(r"/portal/"))
    page.goto(f"{live_server.url}/portal/budgets/{budget.pk}/vote/")

    for project in (park, benches, fountain):  # 110,000 € of the 100,000 € of Centro
        press(page, f"#p-{project.pk}", "Space")
    total = page.get_by_test_id("ballot-total")
    assert re.search(words["total"], total.inner_text()), total.inner_text()
    assert "error" in (total.get_attribute("class") or "")
    assert fits_the_screen(page)
    press(page, "[data-testid=budget-vote-send]", "Enter")

    page.get_by_test_id("budget-vote-error").wait_for()
    # 110,000 in English, 110 000 in Spanish: the reader's way of grouping thousands.
    assert re.search(r"110[,\s]000 €", page.get_by_test_id("budget-vote-error").inner_text())
    assert not ballots_cast()
    assert page.locator(f"#p-{fountain.pk}").is_checked()  # the choice is kept to correct it
    press(page, f"#p-{fountain.pk}", "Space")
    assert "error" not in (total.get_attribute("class") or "")
    press(page, "[data-testid=budget-vote-send]", "Enter")

    page.get_by_test_id("budget-thanks").wait_for()
    assert fits_the_screen(page)
    ballot = SealedBallot.objects.get(budget=budget)  # waiting to be mixed with others
    assert sorted(ballot.project_ids) == sorted([str(park.pk), str(benches.pk)])
    assert Voter.objects.filter(budget=budget).count() == 1
