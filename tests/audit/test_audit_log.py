"""The audit log: every look at and change of personal data leaves a chained entry, and any
edit or cut behind the application's back is found by `ventanilla audit verify`."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test import Client

from tests.conftest import OPERATOR
from tests.factories import make_party
from ventanilla.access.actors import Actor
from ventanilla.access.services import apikey_create
from ventanilla.audit.models import AuditCheckpoint, AuditEntry
from ventanilla.audit.services import audit_checkpoint

pytestmark = pytest.mark.django_db


def verify() -> str:
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def behind_the_applications_back(sql: str, params: list[Any]) -> None:
    """Change the table as an intruder with database access would, past the guard trigger."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
            cursor.execute(sql, params)
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_auditentry_append_only")
            cursor.execute(sql, params)


def test_reading_a_360_view_over_the_api_leaves_an_entry_naming_who_and_what(
    api: Client, actor: Actor
) -> None:
    party = make_party(actor)

    response = api.get(f"/api/v1/parties/{party.pk}/360", HTTP_X_REQUEST_ID="req-42")

    entry = AuditEntry.objects.filter(party_id=party.pk).latest("id")
    assert response.status_code == 200
    assert entry.action == "party.view_360"
    assert entry.actor == "api:sede-electronica"
    assert entry.agencies == "ayto"
    assert entry.request_id == "req-42"
    assert response["X-Request-ID"] == "req-42"


def test_a_change_and_its_entry_are_written_together(actor: Actor) -> None:
    party = make_party(actor)

    entries = AuditEntry.objects.filter(party_id=party.pk).values_list("action", flat=True)

    assert list(entries) == ["party.create"]


def test_a_refused_read_is_recorded_too(town: Any) -> None:
    _, secret = apikey_create(
        actor=OPERATOR, name="solo-casos", agency_code="ayto", scopes=["cases:read"]
    )

    response = Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get("/api/v1/parties", {"q": "x"})

    assert response.status_code == 403
    denied = AuditEntry.objects.get(action="access.denied")
    assert denied.detail == {"scope": "parties:read"}


def test_an_intact_log_verifies(actor: Actor) -> None:
    for _ in range(3):
        make_party(actor)

    assert "intact: 3 entries checked" in verify()


def test_verify_names_the_entry_that_was_edited(actor: Actor) -> None:
    parties = [make_party(actor) for _ in range(4)]
    target = AuditEntry.objects.get(party_id=parties[2].pk)
    behind_the_applications_back(
        "UPDATE audit_auditentry SET actor = %s WHERE id = %s", ["someone-else", target.id]
    )

    with pytest.raises(CommandError, match=f"broken: entry #{target.id} was changed"):
        verify()


def test_verify_notices_an_entry_removed_from_the_middle(actor: Actor) -> None:
    parties = [make_party(actor) for _ in range(4)]
    removed = AuditEntry.objects.get(party_id=parties[1].pk)
    following = AuditEntry.objects.get(party_id=parties[2].pk)
    behind_the_applications_back("DELETE FROM audit_auditentry WHERE id = %s", [removed.id])

    with pytest.raises(
        CommandError, match=f"#{following.id - 2} and #{following.id}: entries between them were"
    ):
        verify()


def test_verify_notices_a_tail_cut_off_after_a_signed_checkpoint(actor: Actor) -> None:
    for _ in range(3):
        make_party(actor)
    checkpoint = audit_checkpoint()
    assert checkpoint is not None
    behind_the_applications_back(
        "DELETE FROM audit_auditentry WHERE id >= %s", [checkpoint.entry_id - 1]
    )
    # The intruder also rewinds the head row, which is not signed; the checkpoint is.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_audithead SET last_entry_id = %s, last_hash = "
            "(SELECT hash FROM audit_auditentry WHERE id = %s)",
            [checkpoint.entry_id - 2, checkpoint.entry_id - 2],
        )

    with pytest.raises(CommandError, match="removed from the end"):
        verify()


def test_a_forged_checkpoint_is_caught(actor: Actor) -> None:
    make_party(actor)
    checkpoint = audit_checkpoint()
    assert checkpoint is not None
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditcheckpoint DISABLE TRIGGER USER")
        cursor.execute("UPDATE audit_auditcheckpoint SET signature = %s", ["0" * 64])
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditcheckpoint ENABLE TRIGGER USER")

    with pytest.raises(CommandError, match="signature is wrong"):
        verify()


def test_the_database_refuses_to_change_an_entry(actor: Actor) -> None:
    make_party(actor)

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.update(actor="someone-else")


def test_the_database_refuses_to_delete_an_entry_on_postgresql(actor: Actor) -> None:
    make_party(actor)
    if connection.vendor != "postgresql":
        # SQLite keeps deletes possible (its test flush needs them); verify catches them.
        assert AuditEntry.objects.exists()
        return

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.all().delete()


def test_checkpoints_are_signed_every_n_entries(actor: Actor, settings: Any) -> None:
    settings.VENTANILLA_AUDIT_CHECKPOINT_EVERY = 2
    for _ in range(5):
        make_party(actor)

    signed = list(AuditCheckpoint.objects.order_by("id").values_list("entry_id", flat=True))

    assert len(signed) >= 2
    assert all(later - earlier == 2 for earlier, later in zip(signed, signed[1:], strict=False))
    assert "intact" in verify()


def test_entries_read_back_hash_the_same_on_this_database(actor: Actor) -> None:
    party = make_party(actor, given_name="Zoë", family_name_1="Ñandú")
    from ventanilla.audit.actions import Action
    from ventanilla.audit.services import audit_record

    audit_record(
        actor=actor,
        action=Action.PARTY_READ,
        party_id=party.pk,
        detail={"nested": {"b": [1, "dos"], "a": None}, "text": json.dumps({"x": "ü"})},
    )

    assert "intact" in verify()
