"""Tampering with the audit log behind the application's back, as someone with the database (and,
in some tests, the audit key) would: `ventanilla audit verify` names the first changed entry, or
the stretch it lies in, and what only the copies of the checkpoints outside the database reveal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tests.factories import make_party
from ventanilla.access.actors import Actor
from ventanilla.audit.models import AuditCheckpoint, AuditEntry, AuditHead
from ventanilla.audit.services import (
    GENESIS,
    audit_checkpoint,
    chain_hash,
    checkpoint_signature,
    entry_seal,
)

pytestmark = pytest.mark.django_db


def verify(*options: str) -> str:
    out = StringIO()
    call_command("audit", "verify", *options, stdout=out)
    return out.getvalue()


@contextmanager
def guards_off() -> Iterator[None]:
    """Past the append-only triggers, as an intruder who owns the tables could."""
    tables = ("audit_auditentry", "audit_auditcheckpoint")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in tables:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_auditentry_append_only")
    yield
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def rewrite_from(
    first_id: int, change: Callable[[AuditEntry], None], *, with_the_key: bool
) -> None:
    """Change one entry and recompute the chain after it, and the head, so the hashes agree."""
    earlier = AuditEntry.objects.filter(id__lt=first_id).order_by("-id").first()
    previous = earlier.hash if earlier else GENESIS
    with guards_off():
        for entry in AuditEntry.objects.filter(id__gte=first_id).order_by("id"):
            if entry.id == first_id:
                change(entry)
            entry.previous_hash = previous
            entry.hash = chain_hash(previous, entry)
            if with_the_key:
                entry.seal = entry_seal(entry.hash)
            entry.save()
            previous = entry.hash
            last_id = entry.id
    AuditHead.objects.filter(pk=1).update(last_entry_id=last_id, last_hash=previous)


def cut_after(last_kept: int) -> None:
    """Remove the newest entries and their checkpoints, and rewind the head to what is left."""
    with guards_off():
        AuditEntry.objects.filter(id__gt=last_kept).delete()
        AuditCheckpoint.objects.filter(entry_id__gt=last_kept).delete()
    kept = AuditEntry.objects.get(id=last_kept)
    AuditHead.objects.filter(pk=1).update(last_entry_id=kept.id, last_hash=kept.hash)


def entries(actor: Actor, how_many: int) -> list[int]:
    for _ in range(how_many):
        make_party(actor)
    return list(AuditEntry.objects.order_by("id").values_list("id", flat=True))


def forge_actor(entry: AuditEntry) -> None:
    entry.actor = "someone-else"


@pytest.fixture
def sink(tmp_path: Path, settings: Any) -> Path:
    path = tmp_path / "audit-checkpoints.log"
    settings.VENTANILLA_AUDIT_SINK = f"file:{path}"
    return path


@pytest.fixture
def checkpoint(django_capture_on_commit_callbacks: Any) -> Callable[[], AuditCheckpoint]:
    """Sign the head, and copy it to the sink as a commit would (the test never commits)."""

    def sign() -> AuditCheckpoint:
        with django_capture_on_commit_callbacks(execute=True):
            signed = audit_checkpoint()
        assert signed is not None
        return signed

    return sign


def test_an_entry_edited_before_a_checkpoint_with_the_chain_recomputed_is_named(
    actor: Actor,
) -> None:
    ids = entries(actor, 6)
    audit_checkpoint()
    rewrite_from(ids[2], forge_actor, with_the_key=False)

    with pytest.raises(CommandError) as raised:
        verify()

    assert f"entry #{ids[2]} was changed after it was written" in str(raised.value)
    assert "removed" not in str(raised.value)


def test_an_entry_edited_with_the_key_before_a_checkpoint_is_placed_between_checkpoints(
    actor: Actor,
) -> None:
    ids = entries(actor, 3)
    audit_checkpoint()
    ids = entries(actor, 3)
    audit_checkpoint()
    rewrite_from(ids[4], forge_actor, with_the_key=True)

    with pytest.raises(CommandError, match=f"an entry from #{ids[3]} to #{ids[5]} was changed"):
        verify()


def test_an_entry_edited_and_sealed_again_with_the_key_alone_is_named(actor: Actor) -> None:
    ids = entries(actor, 4)
    target = AuditEntry.objects.get(id=ids[1])
    forge_actor(target)
    target.hash = chain_hash(target.previous_hash, target)
    target.seal = entry_seal(target.hash)
    with guards_off():
        target.save()

    with pytest.raises(CommandError, match=f"entry #{ids[1]} was changed .* with the audit key"):
        verify()


def test_an_entry_whose_seal_was_removed_is_named(actor: Actor) -> None:
    ids = entries(actor, 4)
    with guards_off():
        AuditEntry.objects.filter(id=ids[1]).update(seal=None)

    with pytest.raises(CommandError, match=f"entry #{ids[1]} was changed .* seal was removed"):
        verify()


def test_an_edit_with_a_recomputed_chain_after_the_newest_database_checkpoint_is_seen_by_the_sink(
    actor: Actor, sink: Path, checkpoint: Callable[[], AuditCheckpoint]
) -> None:
    entries(actor, 3)
    checkpoint()
    ids = entries(actor, 2)
    latest = checkpoint()
    # The intruder, holding the audit key, rewrites the tail and drops the checkpoint that
    # named it: in the database the edit now lies after the newest checkpoint.
    rewrite_from(ids[3], forge_actor, with_the_key=True)
    with guards_off():
        AuditCheckpoint.objects.filter(pk=latest.pk).delete()

    with pytest.raises(CommandError) as raised:
        verify()

    assert (
        f"(line 2 of the sink) no longer matches the chain: an entry from #{ids[3]} to "
        f"#{ids[4]} was changed"
    ) in str(raised.value)


def test_a_tail_cut_with_the_head_rewound_is_caught_by_the_sink(
    actor: Actor, sink: Path, checkpoint: Callable[[], AuditCheckpoint]
) -> None:
    ids = entries(actor, 5)
    checkpoint()
    cut_after(ids[2])

    with pytest.raises(CommandError) as raised:
        verify()

    assert f"names entry #{ids[4]}, but the chain ends at entry #{ids[2]}" in str(raised.value)
    assert "entries were removed from the end" in str(raised.value)


def test_a_checkpoint_row_signed_again_over_a_rewritten_chain_is_caught_by_the_sink(
    actor: Actor, sink: Path, checkpoint: Callable[[], AuditCheckpoint]
) -> None:
    ids = entries(actor, 4)
    signed = checkpoint()
    rewrite_from(ids[1], forge_actor, with_the_key=True)
    head = AuditHead.objects.get(pk=1)
    with guards_off():
        AuditCheckpoint.objects.filter(pk=signed.pk).update(
            entry_hash=head.last_hash,
            signature=checkpoint_signature(signed.entry_id, head.last_hash, signed.at),
        )

    with pytest.raises(CommandError, match=f"the checkpoint at #{ids[3]} was signed again"):
        verify()


def test_a_checkpoint_row_edited_without_the_key_is_caught(actor: Actor) -> None:
    entries(actor, 3)
    signed = audit_checkpoint()
    assert signed is not None
    with guards_off():
        AuditCheckpoint.objects.filter(pk=signed.pk).update(entry_hash="f" * 64)

    with pytest.raises(CommandError, match=f"checkpoint at #{signed.entry_id} was changed"):
        verify()


def test_an_intact_log_verifies_against_its_copies_outside_the_database(
    actor: Actor, sink: Path, checkpoint: Callable[[], AuditCheckpoint]
) -> None:
    entries(actor, 3)
    checkpoint()
    entries(actor, 2)
    checkpoint()

    report = verify()

    assert (
        f"5 entries checked, against 2 checkpoints in the database and 2 copies in file:{sink}"
        in (report)
    )
