"""A citizen takes part in a debate by keyboard on a phone: replies to a comment through its
"Reply" disclosure and reports another through "Report"; both come back to the debate."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.test_console_cases import tab_until
from tests.browser.test_console_moderation import as_citizen
from tests.debates.conftest import citizen
from tests.factories import make_party
from ventanilla.access.actors import actor_for_user
from ventanilla.debates.models import Comment, Report
from ventanilla.debates.services import comment_post, debate_open

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = 375


def test_a_citizen_replies_and_reports_by_keyboard_on_a_phone(
    phone_page: Any, live_server: Any, make_staff: Any, town: Any
) -> None:
    front = actor_for_user(make_staff("alta", "ayto", "agent"))
    neighbour = make_party(front, given_name="Tomás", family_name_1="Gil")
    me = make_party(front, given_name="Lucía", family_name_1="Pérez")
    moderator = actor_for_user(make_staff("moderadora", "ayto", "supervisor"))
    debate = debate_open(
        actor=moderator, agency_id=town["ayto"].pk, title="Carril bici", body="¿Por dónde?"
    )
    first = comment_post(actor=citizen(neighbour), subject=debate.subject, body="Por la ribera")
    page = phone_page
    as_citizen(page.context, live_server, me)
    page.goto(f"{live_server.url}/portal/debates/{debate.pk}/")
    page.get_by_role("heading", name="Carril bici").wait_for()

    tab_until(page, "el.tagName === 'SUMMARY' && el.textContent.trim() === 'Reply'")
    page.keyboard.press("Enter")
    tab_until(page, f"el.id === 'reply-{first.pk}'")
    page.keyboard.type("Y que llegue al instituto")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.get_by_text("Your comment is published.").wait_for()
    reply = Comment.objects.get(parent=first)
    assert reply.body == "Y que llegue al instituto" and reply.author == me
    assert page.get_by_text("Y que llegue al instituto").is_visible()

    tab_until(page, "el.tagName === 'SUMMARY' && el.textContent.trim() === 'Report'")
    page.keyboard.press("Enter")
    tab_until(page, "el.type === 'radio'")
    page.keyboard.press("Space")
    tab_until(page, "el.dataset.testid === 'report-send'")
    page.keyboard.press("Enter")
    page.get_by_text("Thank you: the moderators will read your report.").wait_for()
    assert Report.objects.get().reporter == me
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
