"""The production server as an operator runs it: ``ventanilla serve`` (gunicorn) with
VENTANILLA_ENV=production behind a TLS proxy, checked over real HTTP for HSTS, the CSP, frame
denial, the referrer policy and cookies that are Secure and, for the session, HttpOnly."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from django.db import connection

from tests.conftest import PASSWORD
from ventanilla import settings as production_settings
from ventanilla.core.headers import CONTENT_SECURITY_POLICY

pytestmark = pytest.mark.django_db(transaction=True)

BEHIND_TLS = {"X-Forwarded-Proto": "https"}


def database_url() -> str:
    """The URL of the test database, so the server reads the rows this test writes."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def agent_user(make_staff: Any, settings: Any) -> Any:
    """The agent signs in to a server that knows only the production password hashers, so their
    password is stored with those, not with the suite's fast one."""
    settings.PASSWORD_HASHERS = production_settings.PASSWORD_HASHERS
    return make_staff("agente", "ayto", "agent")


@pytest.fixture
def production_server(tmp_path: Path, agent_user: Any) -> Iterator[str]:
    env = {
        **os.environ,
        "VENTANILLA_ENV": "production",
        "VENTANILLA_DEBUG": "false",
        "VENTANILLA_SECRET_KEY": "test-production-secret-" + "x" * 40,
        "VENTANILLA_AUDIT_KEY": "test-production-audit-key",
        "VENTANILLA_ALLOWED_HOSTS": "127.0.0.1",
        "VENTANILLA_VAR_DIR": str(tmp_path),
        "DATABASE_URL": database_url(),
    }
    command = [sys.executable, "-m", "ventanilla"]
    # Production serves hashed, compressed static files from a manifest: collect them first.
    subprocess.run(  # noqa: S603 - our own command, no shell
        [*command, "collectstatic", "--noinput", "-v", "0"], env=env, check=True, timeout=120
    )
    port = free_port()
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(  # noqa: S603 - our own command, no shell
        [*command, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((tmp_path / "server.log").read_text()) from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)
        log.close()


def test_the_production_server_sends_the_security_headers_and_secure_cookies(
    production_server: str,
) -> None:
    login_url = f"{production_server}/accounts/login/"
    page = requests.get(login_url, headers=BEHIND_TLS, timeout=30)

    assert page.status_code == 200
    assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert page.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    csrf = next(cookie for cookie in page.cookies if cookie.name == "csrftoken")
    assert csrf.secure

    signed_in = requests.post(
        login_url,
        data={
            "username": "agente",
            "password": PASSWORD,
            "csrfmiddlewaretoken": csrf.value or "",
        },
        headers={**BEHIND_TLS, "Referer": login_url.replace("http://", "https://")},
        cookies={"csrftoken": csrf.value or ""},
        allow_redirects=False,
        timeout=30,
    )

    assert signed_in.status_code == 302, signed_in.text[:500]
    session = next(cookie for cookie in signed_in.cookies if cookie.name == "sessionid")
    assert session.secure
    assert session.has_nonstandard_attr("HttpOnly")
    assert signed_in.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_the_production_server_refuses_an_unknown_host(production_server: str) -> None:
    response = requests.get(
        f"{production_server}/accounts/login/",
        headers={**BEHIND_TLS, "Host": "evil.example"},
        timeout=30,
    )

    assert response.status_code == 400
