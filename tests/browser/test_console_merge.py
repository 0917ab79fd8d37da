"""In a real browser, by keyboard: a supervisor finds a second record of the same person, sees
both side by side, merges them with a reason, and undoes the merge — in Spanish at desk width,
and in English on a phone."""

from __future__ import annotations

from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser.test_console_cases import tab_until
from tests.conftest import PASSWORD, type_second_factor_code
from tests.factories import make_party
from ventanilla.access.actors import actor_for_user
from ventanilla.parties.models import Party

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def sign_in_by_keyboard(page: Any, live_server: Any, user: Any, heading: str) -> None:
    """Sign ``user`` in to the console as a person does: name, password, then the code of their
    authenticator on the page headed ``heading`` (in the page's language)."""
    device = TOTPDevice.objects.create(user=user, name="Ventanilla", confirmed=True)
    page.goto(f"{live_server.url}/console/")
    tab_until(page, "el.name === 'username'")
    page.keyboard.type(user.username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=heading).wait_for()
    type_second_factor_code(page, device)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/console/")


def sign_in_supervisor(page: Any, live_server: Any, make_staff: Any, heading: str) -> Any:
    supervisor = make_staff("jefa", "ayto", "supervisor")
    sign_in_by_keyboard(page, live_server, supervisor, heading)
    return actor_for_user(supervisor)


def merge_and_undo(page: Any, live_server: Any, ana: Party, words: dict[str, str]) -> None:
    page.goto(f"{live_server.url}/console/parties/{ana.pk}/")
    tab_until(page, f"el.textContent.trim() === '{words['merge']}'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/merge/")
    tab_until(page, "el.id === 'merge-q'")
    page.keyboard.type("Acosta")
    page.keyboard.press("Enter")
    page.wait_for_url("**/merge/?q=Acosta")
    tab_until(page, "el.dataset.testid === 'merge-candidate'")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=words["side"]).wait_for()
    tab_until(page, "el.id === 'merge-reason'")
    page.keyboard.type(words["reason"])
    page.keyboard.press("Enter")
    page.get_by_text(words["merged"]).wait_for()
    tab_until(page, f"el.textContent.trim().startsWith('{words['undo']}')")
    page.keyboard.press("Enter")
    page.get_by_text(words["undone"]).wait_for()


def test_a_supervisor_merges_two_records_and_undoes_it_by_keyboard_in_spanish(
    page: Any, live_server: Any, make_staff: Any
) -> None:
    actor = sign_in_supervisor(page, live_server, make_staff, "Confirme su acceso")
    ana = make_party(actor, given_name="Isabel", family_name_1="Acosta", family_name_2="Ruiz")
    copy = make_party(actor, given_name="Isabel", family_name_1="Acosta", family_name_2="")

    merge_and_undo(
        page,
        live_server,
        ana,
        {
            "merge": "Unir con otra persona",
            "side": "Se une a él: Isabel Acosta",
            "reason": "Mismo DNI en el padrón",
            "merged": "Los dos registros son ahora uno.",
            "undo": "Deshacer la unión",
            "undone": "Se deshizo la unión",
        },
    )

    copy.refresh_from_db()
    assert (copy.status, copy.merged_into_id) == (Party.Status.ACTIVE, None)
    assert page.url == f"{live_server.url}/console/parties/{copy.pk}/"


def test_a_supervisor_merges_and_undoes_on_a_phone_in_english(
    phone_page: Any, live_server: Any, make_staff: Any
) -> None:
    page = phone_page
    actor = sign_in_supervisor(page, live_server, make_staff, "Confirm your sign-in")
    ana = make_party(actor, given_name="Isabel", family_name_1="Acosta", family_name_2="Ruiz")
    make_party(actor, given_name="Isabel", family_name_1="Acosta", family_name_2="")

    merge_and_undo(
        page,
        live_server,
        ana,
        {
            "merge": "Merge with another person",
            "side": "Is merged into it: Isabel Acosta",
            "reason": "Same DNI in the register",
            "merged": "The two records are now one.",
            "undo": "Undo the merge",
            "undone": "both records are as they were",
        },
    )

    assert page.evaluate("document.documentElement.scrollWidth") <= 375
