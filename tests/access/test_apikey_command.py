"""`ventanilla apikey`: an operator creates a key, sees it listed without its secret, revokes it."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from ventanilla import settings as production_settings
from ventanilla.access.models import ApiKey

pytestmark = pytest.mark.django_db


def apikey(*args: str) -> str:
    out = StringIO()
    call_command("apikey", *args, stdout=out)
    return out.getvalue()


def test_a_created_key_is_printed_once_and_stored_only_as_a_digest(town: Any) -> None:
    out = apikey("create", "--name", "sede", "--agency", "ayto", "--scopes", "parties:read")

    secret = out.split(": ", 1)[1].split()[0]
    key = ApiKey.objects.get()
    assert secret.startswith("vk_") and len(secret) > 40
    assert secret not in (key.key_hash, key.prefix)
    assert secret not in apikey("list")
    assert key.prefix in apikey("list")


def test_a_key_works_until_it_is_revoked(town: Any) -> None:
    out = apikey("create", "--name", "sede", "--agency", "ayto", "--scopes", "parties:read")
    secret = out.split(": ", 1)[1].split()[0]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get("/api/v1/parties", {"q": "garcia"}).status_code == 200

    apikey("revoke", ApiKey.objects.get().prefix)

    assert client.get("/api/v1/parties", {"q": "garcia"}).status_code == 401


def test_an_unknown_scope_is_refused_and_no_key_is_made(town: Any) -> None:
    with pytest.raises(CommandError, match="Unknown scopes: parties:delete"):
        apikey("create", "--name", "x", "--agency", "ayto", "--scopes", "parties:delete")

    assert not ApiKey.objects.exists()


def test_an_unknown_agency_is_refused(town: Any) -> None:
    with pytest.raises(CommandError, match="No agency with code 'nowhere'"):
        apikey("create", "--name", "x", "--agency", "nowhere", "--scopes", "parties:read")


def test_staff_passwords_are_stored_as_argon2_hashes(make_staff: Any, settings: Any) -> None:
    settings.PASSWORD_HASHERS = production_settings.PASSWORD_HASHERS  # the suite uses a fast one

    assert make_staff().password.startswith("argon2$")
