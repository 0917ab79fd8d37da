"""Start-up in production refuses to run on missing secrets, with a message that says what to do."""

from __future__ import annotations

import os
import subprocess
import sys


def start(**environment: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VENTANILLA_")}
    env.update(environment)
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "ventanilla", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_without_a_secret_key_stops_with_a_clear_message() -> None:
    result = start(VENTANILLA_ENV="production", VENTANILLA_ALLOWED_HOSTS="example.org")

    assert result.returncode != 0
    assert "VENTANILLA_SECRET_KEY is not set" in result.stderr


def test_production_without_allowed_hosts_stops_with_a_clear_message() -> None:
    result = start(
        VENTANILLA_ENV="production", VENTANILLA_SECRET_KEY="x" * 50, VENTANILLA_AUDIT_KEY="k" * 40
    )

    assert result.returncode != 0
    assert "VENTANILLA_ALLOWED_HOSTS is not set" in result.stderr


def test_production_with_its_settings_passes_the_system_checks() -> None:
    result = start(
        VENTANILLA_ENV="production",
        VENTANILLA_SECRET_KEY="a-long-random-secret-" * 3,
        VENTANILLA_ALLOWED_HOSTS="ventanilla.example.org",
        VENTANILLA_AUDIT_KEY="a-key-kept-outside-the-database",
    )

    assert result.returncode == 0, result.stderr


def test_production_without_an_audit_key_stops_with_a_clear_message() -> None:
    result = start(
        VENTANILLA_ENV="production",
        VENTANILLA_SECRET_KEY="x" * 50,
        VENTANILLA_ALLOWED_HOSTS="example.org",
    )

    assert result.returncode != 0
    assert "VENTANILLA_AUDIT_KEY is not set" in result.stderr


def test_production_refuses_to_switch_the_staff_second_factor_off() -> None:
    result = start(
        VENTANILLA_ENV="production",
        VENTANILLA_SECRET_KEY="a-long-random-secret-" * 3,
        VENTANILLA_ALLOWED_HOSTS="ventanilla.example.org",
        VENTANILLA_AUDIT_KEY="a-key-kept-outside-the-database",
        VENTANILLA_STAFF_SECOND_FACTOR="off",
    )

    assert result.returncode != 0
    assert "VENTANILLA_STAFF_SECOND_FACTOR=off is only allowed" in result.stderr
