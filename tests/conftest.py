"""Shared fixtures: a small administration, staff of each kind, API keys and an HTTP client.

Every test runs on the real database (SQLite by default, PostgreSQL when DATABASE_URL says so).
With VENTANILLA_STRICT=1 (as in CI) a skipped test counts as a failure.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.signals import setting_changed
from django.test import Client
from django.test.client import ClientHandler
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from ventanilla.access.actors import Actor, actor_for_user
from ventanilla.access.second_factor import second_factor_required_for
from ventanilla.access.services import apikey_create, staff_member_ensure
from ventanilla.cases.routing import forget_rules
from ventanilla.catalog.models import Agency, PublicService
from ventanilla.catalog.selectors import forget_holidays
from ventanilla.catalog.services import agency_ensure, channels_ensure, service_ensure
from ventanilla.core.sessions import session_started
from ventanilla.notifications.templates import forget_templates, templates_ensure

# Load every view and API schema now: a module first imported inside freezegun's freeze_time
# would see its fake datetime class in annotations, which pydantic cannot build schemas for.
import_module("ventanilla.urls")

STRICT = os.environ.get("VENTANILLA_STRICT") == "1"
PASSWORD = "correct-horse-battery-9"
# Whoever operates the installation, as the `apikey` command acts: keys are given by them.
OPERATOR = Actor(label="command:operator", sees_everything=True)


def pytest_configure(config: pytest.Config) -> None:
    # Argon2 is slow on purpose, and nearly every test makes staff with a password: a fast hash
    # saves minutes. The test of the stored hash asks for the production setting back.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # No test suggests a service with a model someone trained in var/models: each run starts
    # with none, and a test that wants one trains or saves it.
    settings.VENTANILLA_CLASSIFIER_DIR = Path(tempfile.mkdtemp(prefix="ventanilla-models-"))
    # Nor draws a map on boundaries the demo left in var/: a test that wants a map gives one.
    settings.VENTANILLA_DISTRICTS_GEOJSON = settings.VENTANILLA_CLASSIFIER_DIR / "districts.geojson"
    # Nor publishes open data into the installation's folder (the demo command and the nightly
    # build write there).
    settings.VENTANILLA_OPEN_DATA_DIR = settings.VENTANILLA_CLASSIFIER_DIR / "opendata"
    ClientHandler.load_middleware = load_middleware_once  # type: ignore[method-assign]
    setting_changed.connect(forget_middleware)
    if hasattr(config, "workerinput"):
        separate_worker(config.workerinput["workerid"])


def separate_worker(worker: str) -> None:
    """Give one of the processes of a spread run (`pytest -n 2`: gw0, gw1 …) files and a cache
    of its own; pytest-django already gives each its own test database."""
    folder = Path(settings.VENTANILLA_VAR_DIR) / "test-workers" / worker
    shutil.rmtree(folder, ignore_errors=True)  # what an earlier run left
    settings.MEDIA_ROOT = folder / "uploads"
    settings.EMAIL_FILE_PATH = folder / "mail"
    settings.VENTANILLA_SMS_FILE_PATH = folder / "sms"
    if settings.REDIS_URL:
        # One Redis database per worker: cache.clear() empties a whole database, and throttles
        # count per client address, which every worker shares.
        url = urlsplit(settings.CACHES["default"]["LOCATION"])
        database = int(url.path.strip("/") or 0) + int(worker.removeprefix("gw"))
        settings.CACHES["default"]["LOCATION"] = urlunsplit(url._replace(path=f"/{database}"))


# Each test client builds Django's middleware chain again, and WhiteNoise's part of it walks every
# static file (some 40 ms a client, thousands of clients). The chain is built once and kept until
# a setting changes, as a server process keeps it.
_middleware: dict[bool, tuple[Any, ...]] = {}
_load_middleware = ClientHandler.load_middleware


def load_middleware_once(handler: ClientHandler, is_async: bool = False) -> None:
    if is_async not in _middleware:
        _load_middleware(handler, is_async)
        _middleware[is_async] = (
            handler._view_middleware,
            handler._template_response_middleware,
            handler._exception_middleware,
            handler._middleware_chain,
        )
    (
        handler._view_middleware,
        handler._template_response_middleware,
        handler._exception_middleware,
        handler._middleware_chain,
    ) = _middleware[is_async]


def forget_middleware(**kwargs: Any) -> None:
    _middleware.clear()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The longest tests start first: spread over processes, the run would otherwise end with one
    # process still working through one of them while the others wait.
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    outcome = yield
    report = outcome.get_result()
    if STRICT and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped in strict mode (CI): {report.longrepr}"


@pytest.fixture(autouse=True)
def _fresh_holidays() -> Any:
    """Each process caches holidays for minutes; a test must not see another test's. Nor the
    language a request before it left active in this thread (the locale middleware activates
    the request's language and leaves it): each test starts in the default language."""
    translation.activate(settings.LANGUAGE_CODE)
    forget_holidays()
    forget_rules()
    forget_templates()
    yield
    forget_holidays()
    forget_rules()
    forget_templates()


def build_town() -> dict[str, Agency]:
    """Town hall with two departments, and a separate regional health agency."""
    channels_ensure()  # transactional tests flush the channels the migration created
    templates_ensure()  # and the citizens' message templates
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


def build_service(town: dict[str, Agency]) -> PublicService:
    """The minor works permit, a service of the town's planning department."""
    return service_ensure(
        code="licencia-obra-menor",
        name_es="Licencia de obra menor",
        name_en="Minor works permit",
        department=town["urbanismo"],
        deadline_days=10,
        channels=["web", "desk"],
    )


@pytest.fixture
def town(db: None) -> dict[str, Agency]:
    return build_town()


@pytest.fixture
def service(town: dict[str, Agency]) -> PublicService:
    return build_service(town)


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
        actor=OPERATOR,
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


def totp_code(device: TOTPDevice) -> str:
    """The code the member of staff's authenticator app shows now for this device."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def wait_until(page: Any, expression: str, timeout: float = 30.0) -> None:
    """Wait until the JavaScript ``expression`` holds in the page. Playwright's own
    wait_for_function polls with code the pages' Content-Security-Policy refuses to run, so it
    fails whenever the first look is not already true; an evaluation from outside is allowed."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"Never true in the page: {expression}")
        time.sleep(0.05)


def type_second_factor_code(page: Any, device: TOTPDevice) -> None:
    """Type the authenticator's code on the second-factor page, as a person does with the field
    the page puts the cursor in. Waits for that focus first: keys typed before it are lost."""
    from playwright.sync_api import expect

    expect(page.locator("#id_code")).to_be_focused()
    page.keyboard.type(totp_code(device))


def sign_in(client: Client, user: Any) -> Client:
    """Sign a member of staff in, as they are after the sign-in pages: a session and, when their
    roles need one, the second factor given with their (confirmed) authenticator app.

    The password and code pages themselves are tested in tests/web/accounts/;
    here the session is set up as django_otp.login leaves it. ``user`` may be a user name.
    """
    if isinstance(user, str):
        user = get_user_model().objects.get(username=user)
    client.force_login(user)
    session = client.session
    session_started(session)  # as the sign-in page does
    actor = actor_for_user(user)
    if second_factor_required_for(roles=actor.roles, is_superuser=actor.sees_everything):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="Ventanilla", confirmed=True)
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def portal_client(party: Any, language: str = "en") -> Client:
    """A browser holding a citizen's portal session, as the emailed sign-in link leaves it."""
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    session = client.session
    session["portal_party"] = str(party.pk)
    session["portal_seen"] = time.time()
    session.save()
    return client
