"""The 360° profile card shows every value whole at the widths of an office screen: long values
wrap inside the card instead of running past its edge ("Universit", "febrero d")."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.test_console import sign_in
from tests.factories import make_party
from ventanilla.access.actors import actor_for_user
from ventanilla.parties.services import party_update

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every value of the profile card that is wider than its box, or whose box reaches past the card.
CUT_OFF = """() => [...document.querySelectorAll('#profile-h ~ dl dd')].filter(dd => {
  const card = dd.closest('.card').getBoundingClientRect();
  const box = dd.getBoundingClientRect();
  return dd.scrollWidth > dd.clientWidth + 1 || box.right > card.right + 1;
}).map(dd => dd.textContent.trim())"""


@pytest.mark.parametrize("width", [1024, 1280, 1440])
def test_profile_values_wrap_inside_the_card(
    page: Any, live_server: Any, agent_user: Any, width: int
) -> None:
    actor = actor_for_user(agent_user)
    party = make_party(actor, given_name="Ana", family_name_1="Ruiz")
    party_update(
        actor=actor,
        party_id=party.pk,
        changes={
            "education_level": "university",
            "accessibility_needs": ["wheelchair", "easy_read", "hard_of_hearing", "sign_language"],
        },
    )
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server)

    page.goto(f"{live_server.url}/console/parties/{party.pk}/")

    assert page.get_by_text("Universitaria", exact=True).is_visible()
    assert page.evaluate(CUT_OFF) == []
