"""A supervisor hides a reported comment with a reason, by keyboard at phone width, in Spanish
and in English; then its author reads the reason beside their own text, with the way to appeal,
and another citizen reads only that it was hidden and why."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from tests.browser.conftest import _close_checked, checked_context
from tests.browser.test_console_cases import tab_until
from tests.browser.test_console_merge import sign_in_supervisor
from tests.conftest import portal_client
from tests.debates.conftest import citizen
from tests.factories import make_party
from ventanilla.access.actors import actor_for_user
from ventanilla.debates.models import Comment
from ventanilla.debates.services import comment_post, comment_report, debate_open

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = 375
BODY = "Los del ayuntamiento sois unos inútiles"
WORDS = {
    "es-ES": {
        "confirm": "Confirme su acceso",
        "menu": "Moderación",
        "reason": "Falta al respeto a otras personas",
        "done": "El comentario está oculto; se ha explicado el motivo a su autor.",
        "hidden": "Comentario oculto por moderación: Falta al respeto a otras personas",
        "closed": "El debate «Calle Mayor peatonal» está cerrado: sus comentarios siguen a la "
        "vista de todos.",
        "state": "Cerrado el",
        "no_more": "Este debate ya no admite comentarios nuevos.",
    },
    "en-GB": {
        "confirm": "Confirm your sign-in",
        "menu": "Moderation",
        "reason": "Disrespectful to other people",
        "done": "The comment is hidden; its author was told why.",
        "hidden": "Comment hidden by moderation: Disrespectful to other people",
        "closed": "The debate “Calle Mayor peatonal” is closed: its comments stay for anyone to "
        "read.",
        "state": "Closed on",
        "no_more": "This debate is closed to new comments.",
    },
}


def phone(browser: Any, locale: str) -> tuple[Any, Any, Any]:
    context, report = checked_context(
        browser,
        locale=locale,
        viewport={"width": PHONE, "height": 740},
        is_mobile=True,
        has_touch=True,
    )
    return context, context.new_page(), report


def as_citizen(context: Any, live_server: Any, party: Any) -> None:
    """The citizen's portal session, as the emailed sign-in link leaves it."""
    cookie = portal_client(party).cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )


@pytest.mark.parametrize("locale", ["es-ES", "en-GB"])
def test_a_moderator_hides_a_reported_comment_by_keyboard_on_a_phone(
    browser: Any, live_server: Any, make_staff: Any, town: Any, locale: str
) -> None:
    words = WORDS[locale]
    front = actor_for_user(make_staff("alta", "ayto", "agent"))
    author = make_party(front, given_name="Lucía", family_name_1="Pérez")
    reporter = make_party(front, given_name="Tomás", family_name_1="Gil")
    moderator = actor_for_user(make_staff("moderadora", "ayto", "supervisor"))
    debate = debate_open(
        actor=moderator, agency_id=town["ayto"].pk, title="Calle Mayor peatonal", body="¿Sí o no?"
    )
    comment = comment_post(actor=citizen(author), subject=debate.subject, body=BODY)
    comment_report(actor=citizen(reporter), comment_id=comment.pk, reason="offensive")

    context, page, report = phone(browser, locale)
    sign_in_supervisor(page, live_server, make_staff, words["confirm"])
    tab_until(page, f"el.textContent.trim() === '{words['menu']}'")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=words["menu"], exact=True).wait_for()
    assert page.get_by_test_id("reported-body").inner_text() == BODY
    assert page.get_by_test_id("reported-comment").get_by_text("Calle Mayor peatonal").is_visible()
    tab_until(page, "el.dataset.testid === 'hide-send'")
    page.keyboard.press("Enter")  # no reason: refused, the field says why
    page.locator("[aria-invalid='true']").wait_for()
    assert Comment.objects.get().status == Comment.Status.VISIBLE
    page.get_by_test_id("hide-reason").focus()
    page.keyboard.type(words["reason"])
    page.keyboard.press("Enter")
    page.get_by_text(words["done"]).wait_for()
    assert page.get_by_test_id("reported-none").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    _close_checked(context, page, report)

    hidden = Comment.objects.get()
    assert hidden.is_hidden and hidden.hidden_reason == words["reason"]
    where = f"{live_server.url}/portal/debates/{debate.pk}/"

    context, page, report = phone(browser, locale)
    as_citizen(context, live_server, author)
    page.goto(where)
    assert page.get_by_test_id("comment-hidden").inner_text() == words["hidden"]
    assert page.get_by_test_id("comment-body").inner_text() == BODY
    assert page.get_by_test_id("appeal-open").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    _close_checked(context, page, report)

    context, page, report = phone(browser, locale)
    as_citizen(context, live_server, reporter)
    page.goto(where)
    assert page.get_by_test_id("comment-hidden").inner_text() == words["hidden"]
    assert BODY not in page.locator("main").inner_text()
    assert page.get_by_test_id("appeal-open").count() == 0
    _close_checked(context, page, report)


@pytest.mark.parametrize("locale", ["es-ES", "en-GB"])
def test_a_moderator_closes_a_debate_by_keyboard_on_a_phone(
    browser: Any, live_server: Any, make_staff: Any, town: Any, locale: str
) -> None:
    words = WORDS[locale]
    moderator = actor_for_user(make_staff("moderadora", "ayto", "supervisor"))
    debate = debate_open(
        actor=moderator, agency_id=town["ayto"].pk, title="Calle Mayor peatonal", body="¿Sí o no?"
    )
    author = make_party(moderator, given_name="Lucía", family_name_1="Pérez")
    comment_post(actor=citizen(author), subject=debate.subject, body="Sí, por favor")

    context, page, report = phone(browser, locale)
    sign_in_supervisor(page, live_server, make_staff, words["confirm"])
    page.goto(f"{live_server.url}/console/moderation/")
    tab_until(page, "el.dataset.testid === 'debate-close'")
    page.keyboard.press("Enter")
    page.get_by_text(words["closed"]).wait_for()
    assert page.get_by_test_id("debate-state").inner_text().startswith(words["state"])
    assert page.get_by_test_id("debate-close").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    _close_checked(context, page, report)

    context, page, report = phone(browser, locale)
    as_citizen(context, live_server, author)
    page.goto(f"{live_server.url}/portal/debates/{debate.pk}/")
    assert page.get_by_text("Sí, por favor").is_visible()
    assert page.get_by_text(words["no_more"]).is_visible()
    _close_checked(context, page, report)
