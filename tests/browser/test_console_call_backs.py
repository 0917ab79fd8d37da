"""Calls to return, in a real browser by keyboard: the agent reaches the queue from the menu,
sees who to call, on which number and how late, and says how the call went — answered in
Spanish at desk width, no answer in English on a phone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.browser.test_console_desk import no_sideways_scroll, sign_in_by_keyboard, tab_until
from tests.factories import make_party
from ventanilla.access.actors import actor_for_user
from ventanilla.interactions.models import Interaction
from ventanilla.interactions.services import interaction_record
from ventanilla.parties.models import Party
from ventanilla.parties.services import ContactPointInput

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def waiting(agent_user: Any, town: Any) -> Interaction:
    """Ana asked to be called back about her permit; the time has come."""
    actor = actor_for_user(agent_user)
    ana: Party = make_party(
        actor,
        given_name="Ana",
        family_name_1="Ruiz",
        family_name_2="Sanz",
        contact_points=[ContactPointInput(kind="phone", value="600123456")],
    )
    call = interaction_record(
        actor=actor,
        party_id=ana.pk,
        channel="phone",
        summary="Quiere saber si le han concedido la licencia",
        outcome="call_back",
        call_back_due=timezone.now() + timedelta(minutes=1),
    )
    Interaction.objects.filter(pk=call.pk).update(
        call_back_due=timezone.now() - timedelta(minutes=30)
    )
    return call


def open_queue_from_the_menu(page: Any, live_server: Any) -> None:
    sign_in_by_keyboard(page, live_server)
    tab_until(page, "el.getAttribute('href') === '/console/call-backs/'")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/console/call-backs/")


def test_an_agent_returns_a_call_from_the_queue_in_spanish(
    page: Any, live_server: Any, waiting: Interaction
) -> None:
    open_queue_from_the_menu(page, live_server)

    queue = page.get_by_test_id("call-backs").inner_text()
    assert "Ana Ruiz Sanz" in queue
    assert "Quiere saber si le han concedido la licencia" in queue
    assert "con retraso" in queue
    tab_until(page, "el.name === 'summary'")
    page.keyboard.type("Licencia concedida, se lo confirmo")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Respondida"
    page.keyboard.press("Enter")

    page.get_by_text("La llamada se devolvió y salió de la lista.").wait_for()
    page.get_by_test_id("no-call-backs").wait_for()
    waiting.refresh_from_db()
    assert waiting.call_back_done_at is not None
    returned = Interaction.objects.exclude(pk=waiting.pk).get(party_id=waiting.party_id)
    assert (returned.direction, returned.outcome, returned.summary) == (
        "outbound",
        "answered",
        "Licencia concedida, se lo confirmo",
    )


def test_no_answer_keeps_the_call_in_the_queue_on_a_phone_in_english(
    phone_page: Any, live_server: Any, waiting: Interaction
) -> None:
    open_queue_from_the_menu(phone_page, live_server)
    no_sideways_scroll(phone_page)

    tab_until(phone_page, "el.type === 'submit' && el.textContent.trim() === 'No answer'")
    phone_page.keyboard.press("Enter")

    phone_page.get_by_text("No answer: the call will be tried again in an hour.").wait_for()
    row = phone_page.get_by_test_id("call-backs").inner_text()
    assert "Ana Ruiz Sanz" in row and "late" not in row
    no_sideways_scroll(phone_page)
    waiting.refresh_from_db()
    assert waiting.call_back_attempts == 1 and waiting.call_back_done_at is None
