"""A database lock held by another writer: a read (which writes its audit entry) answers 503 with
Retry-After — problem+json in the API, a page in the user's language in the console — instead of
a 500 after the wait; a short write conflict is re-run and succeeds.

The lock is taken from a second connection to the same test database: ``BEGIN IMMEDIATE`` on
SQLite, ``LOCK TABLE`` on the audit log's head on PostgreSQL; the wait is cut to 100 ms."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import OperationalError, connection, transaction
from django.test import Client

from tests.conftest import sign_in
from tests.factories import make_party
from ventanilla.access.actors import Actor
from ventanilla.access.services import apikey_create
from ventanilla.audit.models import AuditHead
from ventanilla.catalog.services import service_ensure
from ventanilla.core.contention import retry_on_contention
from ventanilla.interactions.models import Interaction
from ventanilla.interactions.services import interaction_record

pytestmark = pytest.mark.django_db(transaction=True)


class HeldLock:
    """A write lock held by another connection until ``release``."""

    def __init__(self) -> None:
        settings = connection.settings_dict
        if connection.vendor == "sqlite":
            self.raw: Any = sqlite3.connect(
                settings["NAME"], isolation_level=None, check_same_thread=False
            )
            self.raw.execute("BEGIN IMMEDIATE")
        else:
            self.raw = connection.get_new_connection(connection.get_connection_params())
            table = connection.ops.quote_name(AuditHead._meta.db_table)
            self.raw.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        self.released = False

    def release(self) -> None:
        if not self.released:
            self.released = True
            if connection.vendor == "sqlite":
                self.raw.execute("ROLLBACK")
            else:
                self.raw.rollback()
            self.raw.close()


@pytest.fixture
def short_waits() -> Iterator[None]:
    """Wait 100 ms for a lock instead of the 5 s of production, so the tests stay fast."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA busy_timeout=100")
        else:
            cursor.execute("SET lock_timeout = '100ms'")
    yield
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA busy_timeout=5000")
        else:
            cursor.execute("SET lock_timeout = '5s'")


def test_an_api_read_answers_503_with_retry_after_while_a_lock_is_held(
    api: Client, actor: Actor, short_waits: None
) -> None:
    party = make_party(actor)
    api.get(f"/api/v1/parties/{party.pk}")  # the key's last use is recorded before the lock
    lock = HeldLock()
    try:
        response = api.get(f"/api/v1/parties/{party.pk}", HTTP_ACCEPT_LANGUAGE="en")
    finally:
        lock.release()

    assert response.status_code == 503, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == "2"
    assert response.json()["type"] == "urn:ventanilla:problem:busy"


def test_a_console_page_answers_a_503_page_in_the_users_language_while_a_lock_is_held(
    agent_user: Any, actor: Actor, short_waits: None
) -> None:
    party = make_party(actor)
    client = sign_in(Client(raise_request_exception=False), agent_user)
    client.get(f"/console/parties/{party.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    lock = HeldLock()
    try:
        response = client.get(f"/console/parties/{party.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    finally:
        lock.release()

    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert response["Retry-After"] == "2"
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert "Busy for a moment" in page
    assert f'href="/console/parties/{party.pk}/"' in page


def test_a_contact_is_recorded_when_a_short_conflict_ends_during_its_retries(
    actor: Actor, short_waits: None
) -> None:
    party = make_party(actor)
    lock = HeldLock()
    threading.Timer(0.15, lock.release).start()

    interaction = interaction_record(
        actor=actor, party_id=party.pk, channel="desk", summary="Trae el formulario"
    )

    assert Interaction.objects.filter(pk=interaction.pk).exists()


def test_a_conflict_that_lasts_is_not_retried_forever(actor: Actor, short_waits: None) -> None:
    party = make_party(actor)
    lock = HeldLock()
    try:
        with pytest.raises(OperationalError):
            interaction_record(actor=actor, party_id=party.pk, channel="desk", summary="Papeles")
    finally:
        lock.release()

    assert not Interaction.objects.filter(summary="Papeles").exists()


def test_a_conflict_inside_an_open_transaction_is_left_to_its_caller() -> None:
    calls: list[int] = []

    @retry_on_contention
    def write() -> None:
        calls.append(1)
        raise OperationalError("database is locked")

    with pytest.raises(OperationalError), transaction.atomic():
        write()

    assert calls == [1]


def test_a_short_conflict_is_run_again_at_most_three_times() -> None:
    calls: list[int] = []

    @retry_on_contention
    def write() -> None:
        calls.append(1)
        raise OperationalError("database is locked")

    with pytest.raises(OperationalError):
        write()

    assert len(calls) == 3


def test_a_database_fault_that_is_not_a_conflict_is_not_retried() -> None:
    calls: list[int] = []

    @retry_on_contention
    def write() -> None:
        calls.append(1)
        raise OperationalError("no such table: imaginary")

    with pytest.raises(OperationalError):
        write()

    assert calls == [1]


def test_an_open311_post_answers_its_error_list_with_retry_after_while_a_lock_is_held(
    town: Any, short_waits: None
) -> None:
    service_ensure(
        code="farolas", name_es="Farolas", name_en="Street lights", department=town["urbanismo"]
    )
    _key, secret = apikey_create(
        actor=Actor(label="command:operator", sees_everything=True),
        name="app-vecinal",
        agency_code="ayto",
        scopes=["open311:post"],
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=False)
    report = {
        "api_key": secret,
        "service_code": "farolas",
        "email": "ana@example.org",
        "first_name": "Ana",
        "last_name": "Gil",
        "address_string": "Calle Mayor 1",
    }
    client.post("/open311/v2/requests.json", report)  # the key's last use is recorded first
    lock = HeldLock()
    try:
        response = client.post("/open311/v2/requests.json", report)
    finally:
        lock.release()

    assert response.status_code == 503, response.content
    assert response["Content-Type"].startswith("application/json")
    assert response["Retry-After"] == "2"
    assert response.json()[0]["code"] == 503
    assert "busy for a moment" in response.json()[0]["description"]
