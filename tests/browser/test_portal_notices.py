"""A visitor who never signed in subscribes to the notices of a district by email, confirms it
from the emailed link, receives the next notice and leaves with its one-click link — in English,
at phone width, by keyboard."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.jobs import run_queued_jobs
from ventanilla.notices.models import Notice, Subscription
from ventanilla.notices.services import notices_deliver

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "vecina.centro@example.org"
CONFIRM = re.compile(r"https?://\S+/portal/notices/subscriptions/confirm/\S+/")
UNSUBSCRIBE = re.compile(r"https?://\S+/portal/notices/unsubscribe/\S+/")


def emailed(mailoutbox: list[Any], pattern: re.Pattern[str]) -> str:
    run_queued_jobs()  # the worker sends what the outbox holds
    links = [
        found.group(0) for m in mailoutbox if m.to == [EMAIL] and (found := pattern.search(m.body))
    ]
    assert len(links) == 1, [m.body for m in mailoutbox]
    return "/" + links[0].split("://", 1)[1].split("/", 1)[1]  # the path, on the live server


def test_a_visitor_subscribes_confirms_receives_a_notice_and_unsubscribes(
    phone_page: Any, live_server: Any, town: dict[str, Any], mailoutbox: list[Any]
) -> None:
    page = phone_page
    page.goto(f"{live_server.url}/portal/notices/")
    page.get_by_role("link", name="Receive these notices by email").focus()
    page.keyboard.press("Enter")
    page.get_by_label("Your email address").fill(EMAIL)
    page.get_by_label("Topic").select_option("works")
    page.get_by_label("District").fill("Centro")
    page.get_by_role("button", name="Subscribe").focus()
    page.keyboard.press("Enter")
    page.get_by_test_id("check-email").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    page.goto(live_server.url + emailed(mailoutbox, CONFIRM))
    page.get_by_role("button", name="Confirm my subscription").focus()
    page.keyboard.press("Enter")
    page.get_by_test_id("confirmed").wait_for()

    Notice.objects.create(
        agency=town["ayto"],
        topic="works",
        district="Centro",
        title_es="Corte de la calle Mayor",
        title_en="Calle Mayor closed",
        body_es="Obras del 3 al 5.",
        body_en="Works from the 3rd to the 5th.",
        publish_from=timezone.now() - timedelta(minutes=1),
        created_by_label="jefa",
    )
    notices_deliver()
    mailoutbox.clear()
    page.goto(live_server.url + emailed(mailoutbox, UNSUBSCRIBE))
    page.get_by_role("button", name="Unsubscribe").focus()
    page.keyboard.press("Enter")
    page.get_by_test_id("unsubscribed").wait_for()

    assert Subscription.objects.get(email=EMAIL).cancelled_at is not None
