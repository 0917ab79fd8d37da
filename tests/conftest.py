"""Shared fixtures: a small administration, staff of each kind, API keys and an HTTP client.

Every test runs on the real database (SQLite by default, PostgreSQL when DATABASE_URL says so).
With VENTANILLA_STRICT=1 (as in CI) a skipped test counts as a failure.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from ventanilla.access.actors import Actor, actor_for_user
from ventanilla.access.services import apikey_create, staff_member_ensure
from ventanilla.catalog.models import Agency, PublicService
from ventanilla.catalog.services import agency_ensure, channels_ensure, service_ensure

STRICT = os.environ.get("VENTANILLA_STRICT") == "1"
PASSWORD = "correct-horse-battery-9"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    outcome = yield
    report = outcome.get_result()
    if STRICT and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped in strict mode (CI): {report.longrepr}"


@pytest.fixture
def town(db: None) -> dict[str, Agency]:
    """Town hall with two departments, and a separate regional health agency."""
    channels_ensure()  # transactional tests flush the channels the migration created
    admin = agency_ensure(code="villanueva", kind="administration", name_es="Villanueva del Río")
    ayto = agency_ensure(
        code="ayto", kind="agency", name_es="Ayuntamiento", name_en="Town hall", parent=admin
    )
    urban = agency_ensure(
        code="urbanismo", kind="department", name_es="Urbanismo", name_en="Planning", parent=ayto
    )
    padron = agency_ensure(
        code="padron", kind="department", name_es="Padrón", name_en="Register", parent=ayto
    )
    health = agency_ensure(
        code="salud", kind="agency", name_es="Servicio de Salud", name_en="Health", parent=admin
    )
    return {"admin": admin, "ayto": ayto, "urbanismo": urban, "padron": padron, "salud": health}


@pytest.fixture
def service(town: dict[str, Agency]) -> PublicService:
    return service_ensure(
        code="licencia-obra-menor",
        name_es="Licencia de obra menor",
        name_en="Minor works permit",
        department=town["urbanismo"],
        deadline_days=10,
        channels=["web", "desk"],
    )


@pytest.fixture
def make_staff(town: dict[str, Agency]) -> Callable[..., Any]:
    def make(username: str = "agente", agency: str = "ayto", role: str = "agent") -> Any:
        return staff_member_ensure(
            username=username, password=PASSWORD, agency_code=agency, role=role
        ).user

    return make


@pytest.fixture
def agent_user(make_staff: Callable[..., Any]) -> Any:
    return make_staff("agente", "ayto", "agent")


@pytest.fixture
def actor(agent_user: Any) -> Actor:
    return actor_for_user(agent_user)


@pytest.fixture
def api_key(town: dict[str, Agency]) -> str:
    _key, secret = apikey_create(
        name="sede-electronica",
        agency_code="ayto",
        scopes=[
            "parties:read",
            "parties:write",
            "interactions:read",
            "interactions:write",
            "cases:read",
            "cases:write",
        ],
    )
    return secret


@pytest.fixture
def api(api_key: str) -> Client:
    """An HTTP client that calls the API with the town hall's key."""
    return Client(HTTP_AUTHORIZATION=f"Bearer {api_key}")
