"""Sign-in safeguards besides the second factor: lock-out after wrong passwords, sessions that
end when idle or too old, signing out, and the password rules when staff change theirs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from freezegun import freeze_time

from tests.conftest import PASSWORD, sign_in

pytestmark = pytest.mark.django_db


def try_password(client: Client, password: str, username: str = "agente") -> Any:
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_five_wrong_passwords_lock_the_sign_in_even_with_the_right_one_after(
    agent_user: Any,
) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")

    with freeze_time():
        for _ in range(5):
            try_password(client, "not-the-password")
        locked = try_password(client, PASSWORD)

    assert locked.status_code == 429
    assert "Sign-in locked" in locked.content.decode()
    assert "Try again after" in locked.content.decode()
    assert client.get("/console/").status_code == 302


def test_the_lock_out_page_speaks_spanish(agent_user: Any) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="es")

    for _ in range(6):
        response = try_password(client, "not-the-password")

    assert response.status_code == 429
    assert "Acceso bloqueado" in response.content.decode()


def test_after_the_cool_off_the_right_password_works_again(agent_user: Any) -> None:
    client = Client()

    with freeze_time() as clock:
        for _ in range(5):
            try_password(client, "not-the-password")
        clock.tick(timedelta(minutes=16))
        response = try_password(client, PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/console/home/"


def test_four_wrong_passwords_do_not_lock(agent_user: Any) -> None:
    client = Client()

    for _ in range(4):
        try_password(client, "not-the-password")

    assert try_password(client, PASSWORD).status_code == 302


def test_the_lock_is_per_user_name_so_a_colleague_still_signs_in(
    agent_user: Any, make_staff: Any
) -> None:
    make_staff("agente2", "ayto", "agent")
    client = Client()

    for _ in range(5):
        try_password(client, "not-the-password")

    assert try_password(client, PASSWORD, username="agente2").status_code == 302


def test_an_operator_unlocks_a_user_with_the_axes_command(agent_user: Any) -> None:
    client = Client()
    for _ in range(5):
        try_password(client, "not-the-password")

    call_command("axes_reset_username", "agente", verbosity=0)

    assert try_password(client, PASSWORD).status_code == 302


def test_a_session_left_idle_ends_and_asks_to_sign_in(agent_user: Any) -> None:
    with freeze_time() as clock:
        client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), agent_user)
        clock.tick(timedelta(minutes=29))
        still_in = client.get("/console/")
        clock.tick(timedelta(minutes=31))
        idle = client.get("/console/")
        login_page = client.get(idle["Location"])

    assert still_in.status_code == 200
    assert idle.status_code == 302
    assert idle["Location"].startswith("/accounts/login/")
    assert "Your session has ended" in login_page.content.decode()


def test_an_active_session_still_ends_after_its_lifetime(agent_user: Any) -> None:
    with freeze_time() as clock:
        client = sign_in(Client(), agent_user)
        for _ in range(8 * 4 + 1):  # busy all day, a page every quarter of an hour
            clock.tick(timedelta(minutes=15))
            last = client.get("/console/")
            if last.status_code != 200:
                break

    assert last.status_code == 302
    assert last["Location"].startswith("/accounts/login/")


def test_signing_out_ends_the_session(agent_user: Any) -> None:
    client = sign_in(Client(), agent_user)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert client.get("/console/").status_code == 302


def test_a_weak_new_password_is_refused_with_the_rule_it_breaks(agent_user: Any) -> None:
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), agent_user)

    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "12345", "new_password2": "12345"},
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "This password is too short" in body
    assert "This password is entirely numeric" in body
    agent_user.refresh_from_db()
    assert agent_user.check_password(PASSWORD)


def test_a_weak_password_is_refused_in_spanish_too(agent_user: Any) -> None:
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="es"), agent_user)

    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "password", "new_password2": "password"},
    )

    assert "Esta contraseña es demasiado común" in response.content.decode()


def test_staff_change_their_password_and_sign_in_with_the_new_one(agent_user: Any) -> None:
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), agent_user)
    new = "otoño-en-la-ribera-42"

    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        follow=True,
    )

    assert "Your password has been changed" in response.content.decode()
    assert client.get("/console/").status_code == 200  # still signed in on this device
    assert try_password(Client(), new).status_code == 302
