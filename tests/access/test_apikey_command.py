"""`ventanilla apikey`: an operator creates a key, sees it listed without its secret, revokes it."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from ventanilla import settings as production_settings
from ventanilla.access.actors import actor_for_user
from ventanilla.access.models import ApiKey
from ventanilla.access.services import apikey_create
from ventanilla.audit.actions import Action
from ventanilla.audit.models import AuditEntry
from ventanilla.core.errors import PermissionDenied

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


def test_giving_a_key_is_recorded_with_who_gave_it_but_never_its_secret(town: Any) -> None:
    out = apikey(
        "create",
        "--name",
        "sede",
        "--agency",
        "ayto",
        "--scopes",
        "parties:read",
        "--operator",
        "ana",
    )

    secret = out.split(": ", 1)[1].split()[0]
    key = ApiKey.objects.get()
    [entry] = AuditEntry.objects.filter(action=Action.API_KEY_CREATE)
    assert (entry.actor, entry.object_id) == ("command:ana", str(key.pk))
    assert entry.detail["agency"] == "ayto"
    assert entry.detail["scopes"] == ["parties:read"]
    assert entry.detail["prefix"] == key.prefix
    assert secret not in str(entry.detail) and key.key_hash not in str(entry.detail)


def test_revoking_a_key_is_recorded(town: Any) -> None:
    apikey("create", "--name", "sede", "--agency", "ayto", "--scopes", "parties:read")
    key = ApiKey.objects.get()

    apikey("revoke", key.prefix)

    [entry] = AuditEntry.objects.filter(action=Action.API_KEY_REVOKE)
    assert (entry.actor, entry.object_id) == ("command:operator", str(key.pk))
    assert entry.detail["already_revoked"] is False


def test_a_member_of_staff_may_not_give_keys(town: Any, make_staff: Any) -> None:
    administrator = actor_for_user(make_staff("admin", "ayto", "administrator"))

    with pytest.raises(PermissionDenied):
        apikey_create(actor=administrator, name="x", agency_code="ayto", scopes=["parties:read"])

    assert not ApiKey.objects.exists()
    [refused] = AuditEntry.objects.filter(action=Action.ACCESS_DENIED)
    assert refused.detail == {"operator": "api_key.create"}
