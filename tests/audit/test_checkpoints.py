"""Checkpoints of the audit log: taken by count as entries are written and by time by the worker,
and each copied to the sink outside the database that the operator chose."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from tests.factories import make_party
from ventanilla.access.actors import Actor
from ventanilla.audit.actions import Action
from ventanilla.audit.jobs import checkpoint_audit_log, schedule_checkpoints
from ventanilla.audit.models import AuditCheckpoint, AuditEntry, AuditHead
from ventanilla.audit.services import (
    EntryInput,
    audit_checkpoint,
    audit_held,
    audit_record,
    audit_record_many,
)
from ventanilla.audit.sink import MARK, sink_read, sink_write
from ventanilla.core.bulk import ROWS_PER_NUMBERED_INSERT

pytestmark = pytest.mark.django_db


@pytest.fixture
def sink(tmp_path: Path, settings: Any) -> Path:
    path = tmp_path / "audit-checkpoints.log"
    settings.VENTANILLA_AUDIT_SINK = f"file:{path}"
    return path


def checkpoint_after_an_entry(actor: Actor) -> AuditCheckpoint:
    """A checkpoint by time, taken after one entry: the count of the next ones starts there."""
    make_party(actor)
    by_time = audit_checkpoint()
    assert by_time is not None
    return by_time


def assert_every_entry_verifies() -> None:
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    # Counted, not read off the ids: PostgreSQL's ids do not start again at 1 between tests.
    assert f"{AuditEntry.objects.count()} entries checked" in out.getvalue()


def test_a_checkpoint_is_signed_each_time_the_count_since_the_last_one_is_reached(
    actor: Actor, settings: Any
) -> None:
    settings.VENTANILLA_AUDIT_CHECKPOINT_EVERY = 3
    by_time = checkpoint_after_an_entry(actor)
    for _ in range(4):
        make_party(actor)

    signed = AuditCheckpoint.objects.filter(id__gt=by_time.id).values_list("entry_id", flat=True)

    assert list(signed) == [by_time.entry_id + 3]


def test_a_checkpoint_by_count_is_copied_to_the_sink_when_its_entry_commits(
    actor: Actor, settings: Any, sink: Path, django_capture_on_commit_callbacks: Any
) -> None:
    settings.VENTANILLA_AUDIT_CHECKPOINT_EVERY = 2
    make_party(actor)
    audit_checkpoint()  # the count starts from here
    with django_capture_on_commit_callbacks() as waiting:
        make_party(actor)
        make_party(actor)
    assert not sink.exists()

    for callback in waiting:
        callback()

    (copy,) = sink_read(f"file:{sink}")
    assert copy.entry_id == AuditHead.objects.get(pk=1).last_entry_id


def test_the_file_sink_holds_one_json_line_per_checkpoint(actor: Actor, sink: Path) -> None:
    make_party(actor)
    first = audit_checkpoint()
    make_party(actor)
    second = audit_checkpoint()
    assert first is not None and second is not None
    sink_write(first)
    sink_write(second)

    lines = [json.loads(line) for line in sink.read_text().splitlines()]

    assert [line["entry_id"] for line in lines] == [first.entry_id, second.entry_id]
    assert lines[1] == {
        "event": MARK,
        "entry_id": second.entry_id,
        "entry_hash": second.entry_hash,
        "at": second.at.isoformat(),
        "signature": second.signature,
    }


@pytest.fixture
def syslog_socket(tmp_path: Path) -> Iterator[tuple[socket.socket, Path]]:
    path = tmp_path / "log"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(str(path))
    listener.settimeout(5)
    yield listener, path
    listener.close()


def test_the_syslog_sink_sends_the_checkpoint_as_one_message(
    actor: Actor, syslog_socket: tuple[socket.socket, Path]
) -> None:
    listener, path = syslog_socket
    make_party(actor)
    signed = audit_checkpoint()
    assert signed is not None

    sink_write(signed, sink=f"syslog:{path}")

    message = listener.recv(4096).decode()
    assert "ventanilla-audit: " in message
    assert f'"entry_hash":"{signed.entry_hash}"' in message


def test_syslog_lines_written_to_a_file_are_read_back_as_copies(tmp_path: Path) -> None:
    log = tmp_path / "auth.log"
    log.write_text(
        "Dec  1 00:10:00 host sshd[1]: Accepted publickey for admin\n"
        "Dec  1 00:10:01 host ventanilla-audit: "
        f'{{"at":"2026-12-01T00:10:01+00:00","entry_hash":"{"a" * 64}","entry_id":42,'
        f'"event":"{MARK}","signature":"{"b" * 64}"}}\n'
    )

    (copy,) = sink_read(f"file:{log}")

    assert (copy.entry_id, copy.line) == (42, 2)


def test_the_periodic_checkpoint_signs_only_when_entries_were_added(
    actor: Actor, settings: Any
) -> None:
    settings.VENTANILLA_AUDIT_CHECKPOINT_MINUTES = 10
    make_party(actor)
    checkpoint_audit_log.call()
    checkpoint_audit_log.call()

    signed = AuditCheckpoint.objects.count()

    assert signed == 1


def test_the_periodic_checkpoint_queues_its_next_run(actor: Actor, settings: Any) -> None:
    settings.VENTANILLA_AUDIT_CHECKPOINT_MINUTES = 10

    checkpoint_audit_log.call()

    assert DBTaskResult.objects.filter(task_path=checkpoint_audit_log.module_path).count() == 1


def test_the_worker_keeps_one_periodic_checkpoint_waiting(settings: Any) -> None:
    settings.VENTANILLA_AUDIT_CHECKPOINT_MINUTES = 10

    queued = [schedule_checkpoints(), schedule_checkpoints()]

    assert queued == [True, False]


def test_a_sink_that_cannot_take_a_copy_does_not_fail_the_request_but_is_logged(
    api: Any,
    actor: Actor,
    settings: Any,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.VENTANILLA_AUDIT_CHECKPOINT_EVERY = 1
    settings.VENTANILLA_AUDIT_SINK = f"file:{tmp_path}/no-such-folder/audit.log"
    party = make_party(actor)

    with django_capture_on_commit_callbacks(execute=True):
        response = api.get(f"/api/v1/parties/{party.pk}/360")

    assert response.status_code == 200
    assert "could not be copied" in caplog.text


def test_a_configured_sink_file_that_is_gone_while_checkpoints_exist_fails_verification(
    actor: Actor, sink: Path
) -> None:
    make_party(actor)
    audit_checkpoint()  # signed in the database; its copy never reached the file

    with pytest.raises(CommandError, match="does not exist, though the database holds"):
        call_command("audit", "verify", stdout=StringIO())


def test_a_configured_sink_file_not_yet_written_is_fine_before_any_checkpoint(
    actor: Actor, sink: Path
) -> None:
    make_party(actor)
    out = StringIO()

    call_command("audit", "verify", stdout=out)

    assert "1 entries checked, against 0 checkpoints in the database and 0 copies" in out.getvalue()


def test_entries_written_in_bulk_chain_and_sign_as_one_by_one(actor: Actor, settings: Any) -> None:
    settings.VENTANILLA_AUDIT_CHECKPOINT_EVERY = 3
    by_time = checkpoint_after_an_entry(actor)

    written = audit_record_many(
        actor=actor,
        action=Action.PARTY_CREATE,
        entries=[EntryInput(object_type="party", object_id=n) for n in range(7)],
    )

    assert written == 7
    signed = AuditCheckpoint.objects.filter(id__gt=by_time.id).values_list("entry_id", flat=True)
    assert list(signed) == [by_time.entry_id + 3, by_time.entry_id + 6]
    head = AuditHead.objects.get(pk=1)
    assert head.last_entry_id == by_time.entry_id + 7
    assert_every_entry_verifies()


def test_a_batch_longer_than_one_statement_chains_and_signs_as_one_by_one(
    actor: Actor, settings: Any
) -> None:
    # A batch longer than one INSERT takes goes in several, on PostgreSQL the last moving the
    # head.
    settings.VENTANILLA_AUDIT_CHECKPOINT_EVERY = 1200
    by_time = checkpoint_after_an_entry(actor)
    assert ROWS_PER_NUMBERED_INSERT < 1100

    audit_record_many(
        actor=actor,
        action=Action.PARTY_CREATE,
        entries=[EntryInput(object_type="party", object_id=n) for n in range(2500)],
    )

    written = list(
        AuditEntry.objects.filter(id__gt=by_time.entry_id)
        .order_by("id")
        .values_list("object_id", flat=True)
    )
    assert written == [str(n) for n in range(2500)]
    signed = AuditCheckpoint.objects.filter(id__gt=by_time.id).values_list("entry_id", flat=True)
    assert list(signed) == [by_time.entry_id + 1200, by_time.entry_id + 2400]
    assert AuditHead.objects.get(pk=1).last_entry_id == by_time.entry_id + 2500
    assert_every_entry_verifies()


def test_entries_held_to_the_end_of_a_block_chain_and_sign_as_one_by_one(
    actor: Actor, settings: Any
) -> None:
    settings.VENTANILLA_AUDIT_CHECKPOINT_EVERY = 3
    by_time = checkpoint_after_an_entry(actor)

    with transaction.atomic(), audit_held():
        held = [
            audit_record(actor=actor, action=Action.PARTY_CREATE, object_id=n) for n in range(4)
        ]
        with audit_held():  # nested: the outer block writes
            held.append(audit_record(actor=actor, action=Action.CASE_CREATE, object_id=4))
        assert not AuditEntry.objects.filter(id__gt=by_time.entry_id).exists()

    written = list(AuditEntry.objects.filter(id__gt=by_time.entry_id).order_by("id"))
    assert [(e.action, e.object_id) for e in written] == [
        *((Action.PARTY_CREATE, str(n)) for n in range(4)),
        (Action.CASE_CREATE, "4"),
    ]
    assert [e.id for e in held] == [e.id for e in written]
    assert [e.at for e in written] == sorted(e.at for e in written)
    signed = AuditCheckpoint.objects.filter(id__gt=by_time.id).values_list("entry_id", flat=True)
    assert list(signed) == [by_time.entry_id + 3]
    assert_every_entry_verifies()


def test_entries_held_in_a_block_that_fails_are_not_written(actor: Actor) -> None:
    before = AuditEntry.objects.count()

    with pytest.raises(ZeroDivisionError), transaction.atomic(), audit_held():
        audit_record(actor=actor, action=Action.PARTY_CREATE, object_id="lost")
        1 / 0  # noqa: B018 - the change fails after its entry was recorded

    assert AuditEntry.objects.count() == before
    audit_record(actor=actor, action=Action.PARTY_CREATE, object_id="after")
    assert AuditEntry.objects.count() == before + 1


def test_an_entry_costs_two_statements_on_postgresql_and_three_on_sqlite(
    actor: Actor, settings: Any
) -> None:
    """Every audited change waits on the log's head from these statements to its commit: on
    PostgreSQL the entry's insert and the head's move are one statement. A checkpoint due adds
    its insert (and, on PostgreSQL, a second move of the head)."""
    settings.VENTANILLA_AUDIT_CHECKPOINT_EVERY = 2
    checkpoint_after_an_entry(actor)
    on_postgresql = connection.vendor == "postgresql"
    expected, checkpoint = (2, 2) if on_postgresql else (3, 1)
    for due in (False, True):
        with transaction.atomic(), CaptureQueriesContext(connection) as statements:
            entry = audit_record(actor=actor, action=Action.CASE_CREATE, object_id="x")
        assert len(statements) == expected + (checkpoint if due else 0)
        assert AuditEntry.objects.get(pk=entry.pk).hash == entry.hash
        assert AuditHead.objects.get(pk=1).last_entry_id == entry.pk
    assert AuditCheckpoint.objects.latest("id").entry_id == entry.pk
    assert_every_entry_verifies()
