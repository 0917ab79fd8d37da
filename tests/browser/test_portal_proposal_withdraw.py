"""The author of a proposal withdraws it at phone width, by keyboard, in Spanish and in English:
from the proposal's page to a confirmation that says what follows, then back to the list, which
no longer shows it; its supporter is told."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext

from tests.browser.conftest import _close_checked
from tests.browser.test_console_moderation import as_citizen, phone
from tests.browser.test_portal_life_events import tab_until
from tests.proposals.conftest import publish, resident_of
from ventanilla.access.actors import actor_for_citizen, actor_for_user
from ventanilla.notifications.models import Notification, NotificationEvent
from ventanilla.proposals.models import Proposal
from ventanilla.proposals.services import proposal_support

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = 375


@pytest.mark.parametrize("locale", ["es-ES", "en-GB"])
def test_the_author_withdraws_a_proposal_by_keyboard_on_a_phone(
    browser: Any, live_server: Any, make_staff: Any, town: Any, locale: str
) -> None:
    language = locale[:2]
    registrar = actor_for_user(make_staff("alta", "ayto", "agent"))
    author = resident_of(registrar, given_name="Inés", family_name_1="Soto")
    neighbour = resident_of(registrar, given_name="Tomás", family_name_1="Gil")
    proposal = publish(actor_for_citizen(author), town)
    proposal_support(actor=actor_for_citizen(neighbour), proposal_id=proposal.pk)
    with translation.override(language):
        withdraw, confirm = gettext("Withdraw my proposal"), gettext("Withdraw your proposal?")
        done = gettext("Your proposal was withdrawn. Those who supported it are being told.")

    context, page, report = phone(browser, locale)
    as_citizen(context, live_server, author)
    page.goto(f"{live_server.url}/portal/proposals/{proposal.pk}/")
    assert page.get_by_test_id("withdraw-link").inner_text() == withdraw
    tab_until(page, "el.dataset.testid === 'withdraw-link'")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=confirm).wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    tab_until(page, "el.id === 'withdraw-reason'")
    page.keyboard.type("Ya no vivo en el barrio.")
    tab_until(page, "el.dataset.testid === 'withdraw-confirm'")
    page.keyboard.press("Enter")
    page.get_by_text(done).wait_for()
    assert proposal.title not in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    _close_checked(context, page, report)

    withdrawn = Proposal.objects.get(pk=proposal.pk)
    assert withdrawn.status == Proposal.Status.WITHDRAWN
    assert withdrawn.withdrawal_reason == "Ya no vivo en el barrio."
    told = Notification.objects.filter(party=neighbour, event=NotificationEvent.PARTICIPATION)
    assert told.exists()
