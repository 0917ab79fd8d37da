"""Citizen sign-in to the portal by one-time email link: it goes only to the address on record,
works once and for 15 minutes, says the same whether the details match, is throttled, and gives
a session that is the citizen's alone."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from freezegun import freeze_time

from tests.conftest import sign_in as staff_sign_in
from tests.factories import make_party, valid_dni
from tests.jobs import run_queued_jobs
from ventanilla.access.actors import Actor
from ventanilla.audit.models import AuditEntry
from ventanilla.parties.jobs import RETRY_AFTER, send_sign_in_link
from ventanilla.parties.models import Party, PortalSignInToken
from ventanilla.parties.services import ContactPointInput, IdentifierInput
from ventanilla.parties.signin import PER_ADDRESS, PER_IDENTIFIER

pytestmark = pytest.mark.django_db

DNI = "12345678Z"
EMAIL = "lucia.vega@example.org"
SAME_PAGE = "If the details match a person on our records"
LINK = re.compile(r"http://testserver(/portal/sign-in/[A-Za-z0-9_-]+/)")


@pytest.fixture(autouse=True)
def fresh_throttle() -> None:
    cache.clear()
    # Load the URLs (and the API's schemas) on the real clock: pydantic cannot build a schema
    # while freezegun has replaced datetime.
    reverse("portal:home")


@pytest.fixture
def citizen(actor: Actor) -> Party:
    return make_party(
        actor,
        given_name="Lucía",
        family_name_1="Vega",
        preferred_language="en",
        identifiers=[IdentifierInput(scheme="dni", value=DNI)],
        contact_points=[ContactPointInput(kind="email", value="Lucia.Vega@example.org")],
    )


def english() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def post(
    client: Client, capture: Callable[..., Any], identifier: str, email: str, **extra: Any
) -> Any:
    with capture(execute=True):
        return client.post("/portal/sign-in/", {"identifier": identifier, "email": email}, **extra)


def ask(
    client: Client,
    capture: Callable[..., Any],
    identifier: str = DNI,
    email: str = EMAIL,
    **extra: Any,
) -> Any:
    """Ask for a link, then let the worker run what the request queued."""
    response = post(client, capture, identifier, email, **extra)
    run_queued_jobs()
    return response


def main_of(response: Any) -> str:
    page = response.content.decode()
    return page[page.index("<main") : page.index("</main>")]


def link_in(message: Any) -> str:
    found = LINK.search(message.body)
    assert found, message.body
    return found.group(1)


def test_matching_details_email_a_link_to_the_address_on_record_in_the_persons_language(
    citizen: Party, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    response = ask(Client(HTTP_ACCEPT_LANGUAGE="es"), django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert "Si los datos coinciden" in response.content.decode()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["Lucia.Vega@example.org"]
    assert "Hello Lucía" in mailoutbox[0].body  # her preferred language, not the page's
    assert "15 minutes" in mailoutbox[0].body


def test_only_a_hash_of_the_link_is_stored(
    citizen: Party, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    ask(english(), django_capture_on_commit_callbacks)

    secret = link_in(mailoutbox[0]).rstrip("/").rsplit("/", 1)[-1]
    token = PortalSignInToken.objects.get(party=citizen)
    assert secret not in token.token_hash
    assert len(token.token_hash) == 64


def test_the_link_signs_the_person_in_once_and_only_once(
    citizen: Party, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    ask(english(), django_capture_on_commit_callbacks)
    link = link_in(mailoutbox[0])
    browser = english()

    shown = browser.get(link)
    signed_in = browser.post(link)
    me = browser.get("/portal/me/")
    again = english().post(link)

    assert shown.status_code == 200 and "Sign in and see my data" in shown.content.decode()
    assert signed_in.status_code == 302 and signed_in["Location"] == "/portal/me/"
    assert me.status_code == 200 and "Lucía Vega" in me.content.decode()
    assert again.status_code == 410
    assert "no longer be used" in again.content.decode()
    assert "portal_party" not in english().session


def test_opening_the_link_without_pressing_the_button_does_not_use_it(
    citizen: Party, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    ask(english(), django_capture_on_commit_callbacks)
    link = link_in(mailoutbox[0])

    english().get(link)  # a mail scanner fetching the link
    english().get(link)

    assert english().post(link).status_code == 302


def test_the_link_expires_after_15_minutes(
    citizen: Party, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with freeze_time(timezone.now()) as clock:
        ask(english(), django_capture_on_commit_callbacks)
        ask(english(), django_capture_on_commit_callbacks)
        first, second = (link_in(message) for message in mailoutbox)

        clock.tick(timedelta(minutes=14, seconds=50))
        in_time = english().post(first)
        clock.tick(timedelta(seconds=20))
        late = english().post(second)

    assert in_time.status_code == 302
    assert late.status_code == 410
    assert "This link can no longer be used" in late.content.decode()


@pytest.mark.parametrize(
    ("identifier", "email"),
    [
        (DNI, "someone.else@example.org"),  # the right DNI, another address
        ("87654321X", EMAIL),  # the right address, another (valid) DNI
        ("X1234567L", EMAIL),  # a valid NIE nobody holds
    ],
)
def test_details_that_do_not_match_send_nothing_and_show_the_same_page(
    citizen: Party,
    identifier: str,
    email: str,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    matching = ask(english(), django_capture_on_commit_callbacks)
    mailoutbox.clear()

    response = ask(english(), django_capture_on_commit_callbacks, identifier, email)

    assert response.status_code == matching.status_code == 200
    assert main_of(response) == main_of(matching)
    assert SAME_PAGE in main_of(response)
    assert mailoutbox == []


def test_a_person_no_longer_active_gets_no_link(
    citizen: Party, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    Party.objects.filter(pk=citizen.pk).update(status=Party.Status.ERASED)

    response = ask(english(), django_capture_on_commit_callbacks)

    assert SAME_PAGE in response.content.decode()
    assert mailoutbox == []


def test_a_malformed_dni_is_explained_next_to_the_field(
    citizen: Party, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    response = ask(english(), django_capture_on_commit_callbacks, "12345678A", "not-an-address")

    page = response.content.decode()
    assert response.status_code == 422
    assert 'id="identifier-error"' in page and "check letter" in page
    assert 'id="email-error"' in page
    assert mailoutbox == []


def test_too_many_requests_for_one_dni_are_refused_for_a_while(
    citizen: Party, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    limit = PER_IDENTIFIER[0]
    with freeze_time(timezone.now()):  # all within one window of the limit
        for n in range(limit):
            # From different addresses, so only the per-identifier limit applies.
            ask(english(), django_capture_on_commit_callbacks, REMOTE_ADDR=f"10.0.0.{n}")

        refused = ask(english(), django_capture_on_commit_callbacks, REMOTE_ADDR="10.0.1.1")

    assert refused.status_code == 429
    assert "Too many requests" in refused.content.decode()
    assert len(mailoutbox) == limit


def test_too_many_requests_from_one_address_are_refused_whatever_the_dni(
    citizen: Party, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with freeze_time(timezone.now()):  # all within one window of the limit
        for n in range(PER_ADDRESS[0]):
            ask(english(), django_capture_on_commit_callbacks, valid_dni(20_000_000 + n))

        refused = ask(english(), django_capture_on_commit_callbacks)

    assert refused.status_code == 429
    assert mailoutbox == []


def test_the_throttle_lifts_after_its_window(
    citizen: Party, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with freeze_time(timezone.now()) as clock:
        for _ in range(PER_IDENTIFIER[0] + 1):
            ask(english(), django_capture_on_commit_callbacks)
        clock.tick(timedelta(seconds=PER_IDENTIFIER[1] + 1))

        response = ask(english(), django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert len(mailoutbox) == PER_IDENTIFIER[0] + 1


def sign_in(client: Client, mailoutbox: list[Any], capture: Callable[..., Any]) -> None:
    ask(client, capture)
    assert client.post(link_in(mailoutbox[-1])).status_code == 302


@pytest.mark.parametrize(("idle_minutes", "still_signed_in"), [(16, False), (14, True)])
def test_the_citizen_is_signed_out_after_15_idle_minutes_and_activity_counts(
    citizen: Party,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
    idle_minutes: int,
    still_signed_in: bool,
) -> None:
    client = english()
    with freeze_time(timezone.now()) as clock:
        sign_in(client, mailoutbox, django_capture_on_commit_callbacks)
        clock.tick(timedelta(minutes=10))
        still_in = client.get("/portal/me/")
        clock.tick(timedelta(minutes=idle_minutes))
        later = client.get("/portal/me/")

    assert still_in.status_code == 200
    if still_signed_in:
        assert later.status_code == 200
    else:
        assert later.status_code == 302 and later["Location"] == "/portal/sign-in/"


def test_pages_read_in_the_same_half_minute_do_not_write_the_session(
    citizen: Party, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    def session_writes() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/portal/me/").status_code == 200
        return sum(
            1
            for query in queries
            if "django_session" in query["sql"]
            and query["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
        )

    client = english()
    with freeze_time(timezone.now()) as clock:
        sign_in(client, mailoutbox, django_capture_on_commit_callbacks)
        clock.tick(timedelta(seconds=40))
        first = session_writes()
        clock.tick(timedelta(seconds=10))
        second = session_writes()
        clock.tick(timedelta(seconds=25))
        third = session_writes()

    assert (first, second, third) == (1, 0, 1)


def test_signing_out_ends_the_citizen_session(
    citizen: Party, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    client = english()
    sign_in(client, mailoutbox, django_capture_on_commit_callbacks)

    client.post("/portal/sign-out/")

    assert client.get("/portal/me/")["Location"] == "/portal/sign-in/"


def test_a_staff_session_is_never_a_citizen_session(
    citizen: Party, agent_user: Any, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    staff = english()
    staff_sign_in(staff, agent_user)

    response = staff.get("/portal/me/")

    assert response.status_code == 302 and response["Location"] == "/portal/sign-in/"


def test_signing_in_as_a_citizen_ends_the_staff_session_in_that_browser(
    citizen: Party, agent_user: Any, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    client = english()
    staff_sign_in(client, agent_user)

    sign_in(client, mailoutbox, django_capture_on_commit_callbacks)

    assert client.get("/portal/me/").status_code == 200
    assert client.get("/console/")["Location"].startswith("/accounts/login/")


def test_a_citizen_session_opens_no_staff_page(
    citizen: Party, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    client = english()
    sign_in(client, mailoutbox, django_capture_on_commit_callbacks)

    for url in ("/console/", f"/console/parties/{citizen.pk}/", "/console/audit/"):
        assert client.get(url)["Location"].startswith("/accounts/login/"), url
    assert client.get(f"/api/v1/parties/{citizen.pk}").status_code == 401


def test_the_portal_home_offers_the_sign_in(db: None) -> None:
    page = english().get("/portal/").content.decode()

    assert 'href="/portal/sign-in/"' in page
    assert "Sign in to see your data" in page


def test_behind_a_proxy_the_limit_counts_each_visitor_by_the_header_the_proxy_sets(
    citizen: Party,
    settings: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.VENTANILLA_CLIENT_ADDRESS_HEADER = "X-Forwarded-For"
    for n in range(PER_ADDRESS[0]):
        ask(
            english(),
            django_capture_on_commit_callbacks,
            valid_dni(30_000_000 + n),
            HTTP_X_FORWARDED_FOR=f"spoofed, 198.51.100.{n}",
        )

    other_visitor = ask(
        english(), django_capture_on_commit_callbacks, HTTP_X_FORWARDED_FOR="203.0.113.9"
    )
    # Ten requests came through the proxy's one address, yet another visitor is not refused.
    assert other_visitor.status_code == 200 and len(mailoutbox) == 1


def test_an_expired_link_says_so_and_offers_a_new_one(
    citizen: Party, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with freeze_time(timezone.now()) as clock:
        ask(english(), django_capture_on_commit_callbacks)
        clock.tick(timedelta(minutes=16))

        response = english().get(link_in(mailoutbox[0]))

    assert response.status_code == 410
    assert 'href="/portal/sign-in/"' in main_of(response)
    assert "Sign in and see my data" not in response.content.decode()


class BrokenMail(BaseEmailBackend):
    """A mail backend whose server is down, failing as no OSError would."""

    def send_messages(self, email_messages: Any) -> int:
        raise RuntimeError("the mail provider answered 503")


BROKEN_MAIL = f"{__name__}.BrokenMail"


def queued() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.order_by("enqueued_at"))


def test_matching_and_other_details_queue_the_same_job_and_send_nothing_from_the_request(
    citizen: Party, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    matching = post(english(), django_capture_on_commit_callbacks, DNI, EMAIL)
    other = post(english(), django_capture_on_commit_callbacks, "87654321X", EMAIL)

    first, second = queued()
    assert main_of(matching) == main_of(other) and matching.status_code == other.status_code
    assert first.task_path == second.task_path == send_sign_in_link.module_path
    assert first.args_kwargs.keys() == second.args_kwargs.keys()
    assert [type(arg) for arg in first.args_kwargs["args"]] == [
        type(arg) for arg in second.args_kwargs["args"]
    ]
    assert mailoutbox == []  # the web request sent nothing
    assert not PortalSignInToken.objects.exists()  # nor made a link


def test_the_queued_job_holds_neither_the_dni_nor_the_address_typed(
    citizen: Party, django_capture_on_commit_callbacks: Any
) -> None:
    post(english(), django_capture_on_commit_callbacks, DNI, EMAIL)
    post(english(), django_capture_on_commit_callbacks, "X1234567L", "stranger@example.org")

    stored = str([row.args_kwargs for row in queued()]).lower()
    for typed in (DNI.lower(), EMAIL, "x1234567l", "stranger@example.org"):
        assert typed not in stored


def test_the_worker_sends_the_link_for_a_match_and_nothing_otherwise(
    citizen: Party, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    post(english(), django_capture_on_commit_callbacks, DNI, EMAIL)
    post(english(), django_capture_on_commit_callbacks, DNI, "someone.else@example.org")

    outcomes = run_queued_jobs()

    assert outcomes == ["sent", "no_match"]
    assert [message.to for message in mailoutbox] == [["Lucia.Vega@example.org"]]
    assert PortalSignInToken.objects.filter(party=citizen).count() == 1


def test_a_broken_mail_server_does_not_change_the_answer(
    citizen: Party, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    healthy = post(english(), django_capture_on_commit_callbacks, DNI, EMAIL)
    settings.EMAIL_BACKEND = BROKEN_MAIL

    broken = post(english(), django_capture_on_commit_callbacks, DNI, EMAIL)
    stranger = post(english(), django_capture_on_commit_callbacks, "87654321X", EMAIL)

    assert broken.status_code == stranger.status_code == healthy.status_code == 200
    assert main_of(broken) == main_of(stranger) == main_of(healthy)


def test_when_the_mail_server_fails_the_worker_logs_it_and_tries_again_later(
    citizen: Party,
    settings: Any,
    mailoutbox: list[Any],
    caplog: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.EMAIL_BACKEND = BROKEN_MAIL
    with freeze_time(timezone.now()) as clock:
        post(english(), django_capture_on_commit_callbacks, DNI, EMAIL)

        failed = run_queued_jobs()
        assert "emailing a link failed" in caplog.text
        assert not PortalSignInToken.objects.exists()  # no link nobody received
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        clock.tick(timedelta(seconds=31))
        retried = run_queued_jobs()

    assert failed == ["retrying"] and retried == ["sent"]
    assert len(mailoutbox) == 1
    assert english().post(link_in(mailoutbox[0])).status_code == 302


def test_a_link_that_cannot_be_sent_while_it_would_be_useful_is_logged_as_an_error(
    citizen: Party, settings: Any, caplog: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EMAIL_BACKEND = BROKEN_MAIL
    outcomes = []
    with freeze_time(timezone.now()) as clock:
        post(english(), django_capture_on_commit_callbacks, DNI, EMAIL)
        for pause in RETRY_AFTER:
            outcomes += run_queued_jobs()
            clock.tick(pause + timedelta(seconds=1))
        outcomes += run_queued_jobs()

    assert outcomes == ["retrying"] * len(RETRY_AFTER) + ["gave_up"]
    assert any(
        record.levelname == "ERROR" and "gave up" in record.getMessage()
        for record in caplog.records
    )


def test_sending_using_and_reusing_a_link_are_in_the_audit_log(
    citizen: Party, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    ask(english(), django_capture_on_commit_callbacks)
    link = link_in(mailoutbox[0])

    english().post(link)
    english().post(link)

    entries = list(
        AuditEntry.objects.filter(party_id=citizen.pk, action__startswith="portal.").order_by("id")
    )
    assert [entry.action for entry in entries] == [
        "portal.link_sent",
        "portal.link_used",
        "portal.link_refused",
    ]
    assert entries[-1].detail == {"reason": "used"}
    assert all(entry.actor == f"citizen:{citizen.pk.hex[:8]}" for entry in entries)


def test_an_expired_link_tried_is_in_the_audit_log(
    citizen: Party, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with freeze_time(timezone.now()) as clock:
        ask(english(), django_capture_on_commit_callbacks)
        clock.tick(timedelta(minutes=16))
        english().post(link_in(mailoutbox[0]))

    refused = AuditEntry.objects.get(action="portal.link_refused")
    assert refused.detail == {"reason": "expired"} and refused.party_id == citizen.pk


@pytest.mark.django_db(transaction=True)
def test_the_real_worker_emails_the_link_the_request_queued(citizen: Party, tmp_path: Path) -> None:
    english().post("/portal/sign-in/", {"identifier": DNI, "email": EMAIL})
    assert not PortalSignInToken.objects.exists()

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{db['NAME']}"
    else:
        url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [sys.executable, "-m", "ventanilla", "worker", "--batch"],
        env={
            **os.environ,
            "DATABASE_URL": url,
            "VENTANILLA_VAR_DIR": str(tmp_path),
            "VENTANILLA_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )

    [email] = (tmp_path / "mail").iterdir()
    found = LINK.search(email.read_text(encoding="utf-8").replace("=\n", ""))
    assert found is not None
    assert english().post(found.group(1)).status_code == 302
