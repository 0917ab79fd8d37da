"""Start-up in production refuses to run on missing secrets, with a message that says what to do."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


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


def test_production_refuses_the_audit_key_once_published_in_the_source() -> None:
    result = start(
        VENTANILLA_ENV="production",
        VENTANILLA_SECRET_KEY="a-long-random-secret-" * 3,
        VENTANILLA_ALLOWED_HOSTS="ventanilla.example.org",
        VENTANILLA_AUDIT_KEY=(
            "development-only-audit-key:development-only-secret-key-do-not-use-in-production"
        ),
    )

    assert result.returncode != 0
    assert "VENTANILLA_AUDIT_KEY is a development key" in result.stderr


def test_development_makes_its_own_audit_key_once_and_keeps_it_private(tmp_path: Path) -> None:
    first = start(VENTANILLA_VAR_DIR=str(tmp_path))
    key = (tmp_path / "audit.key").read_text()
    second = start(VENTANILLA_VAR_DIR=str(tmp_path))

    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert len(key.strip()) >= 40
    assert (tmp_path / "audit.key").read_text() == key
    assert (tmp_path / "audit.key").stat().st_mode & 0o077 == 0


def test_production_without_an_audit_sink_warns_at_start_up() -> None:
    result = start(
        VENTANILLA_ENV="production",
        VENTANILLA_SECRET_KEY="a-long-random-secret-" * 3,
        VENTANILLA_ALLOWED_HOSTS="ventanilla.example.org",
        VENTANILLA_AUDIT_KEY="a-key-kept-outside-the-database",
    )

    assert result.returncode == 0, result.stderr
    assert "VENTANILLA_AUDIT_SINK is not set" in result.stderr + result.stdout
