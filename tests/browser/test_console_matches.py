"""In a real browser, by keyboard: a supervisor opens the likely duplicates from the menu, reads a
pair side by side and decides — "same person" in Spanish at desk width, "not the same person" in
English on a phone — and the next pair opens."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.test_console_cases import tab_until
from tests.browser.test_console_merge import sign_in_supervisor
from tests.identity.test_matching import SYSTEM, plant
from ventanilla.identity.matching import identity_match
from ventanilla.identity.models import MatchReview

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def open_first_pair(page: Any, words: dict[str, str]) -> MatchReview:
    tab_until(page, f"el.textContent.trim().startsWith('{words['menu']}')")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=words["menu"], exact=True).wait_for()
    tab_until(page, "el.dataset.testid === 'match-link'")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=words["question"]).wait_for()
    return MatchReview.objects.get(pk=page.url.rstrip("/").rsplit("/", 1)[1])


def decide(page: Any, button: str, told: str) -> None:
    tab_until(page, f"el.textContent.trim() === '{button}'")
    page.keyboard.press("Enter")
    page.get_by_text(told).wait_for()


def test_a_supervisor_links_a_likely_pair_by_keyboard_in_spanish(
    page: Any, live_server: Any, make_staff: Any, town: Any
) -> None:
    plant(town)
    identity_match(actor=SYSTEM)
    sign_in_supervisor(page, live_server, make_staff, "Confirme su acceso")

    review = open_first_pair(
        page, {"menu": "Posibles duplicados", "question": "¿Son la misma persona?"}
    )
    assert page.get_by_role("columnheader", name="Cómo se comparan").is_visible()
    decide(page, "Misma persona: enlazarlos", "Enlazados")

    review.refresh_from_db()
    assert review.status == MatchReview.Status.LINKED
    assert review.decided_by == "jefa"
    record, other = review.record, review.other_record
    record.refresh_from_db()
    if other is not None:
        other.refresh_from_db()
        assert record.party_id == other.party_id
    else:
        assert record.party_id is not None


def test_a_supervisor_keeps_a_pair_apart_on_a_phone_in_english(
    phone_page: Any, live_server: Any, make_staff: Any, town: Any
) -> None:
    page = phone_page
    plant(town)
    identity_match(actor=SYSTEM)
    sign_in_supervisor(page, live_server, make_staff, "Confirm your sign-in")
    waiting = MatchReview.objects.filter(status="open").count()

    review = open_first_pair(
        page, {"menu": "Likely duplicates", "question": "Are they the same person?"}
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    decide(page, "Not the same person", "Kept apart")

    review.refresh_from_db()
    assert review.status == MatchReview.Status.NOT_SAME
    assert MatchReview.objects.filter(status="open").count() == waiting - 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
