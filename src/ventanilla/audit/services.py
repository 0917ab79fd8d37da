"""Writing the audit log: one entry per read or change of personal data, chained by SHA-256,
in the same transaction as the read or change it records."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from contextlib import AbstractContextManager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from ventanilla.audit.actions import Action
from ventanilla.audit.models import AuditCheckpoint, AuditEntry, AuditHead
from ventanilla.audit.sink import sink_write, sink_write_or_log
from ventanilla.core.bulk import ROWS_PER_NUMBERED_INSERT, insert_numbered_now, insert_statement
from ventanilla.core.context import request_id
from ventanilla.core.holding import holding

if TYPE_CHECKING:  # the log names who acted; it needs nothing else of them
    from ventanilla.access.actors import Actor

GENESIS = "0" * 64
# Never copied into the audit log, whatever the record: secrets and their digests.
SECRET_FIELDS = frozenset({"password", "key", "key_hash", "secret", "token_hash"})


def content_of(entry: AuditEntry) -> dict[str, Any]:
    """The fields the hash covers, in a form that reads back identically from the database."""
    return {
        "at": entry.at.astimezone(UTC).isoformat(),
        "actor": entry.actor,
        "user_id": entry.user_id,
        "api_key_id": str(entry.api_key_id) if entry.api_key_id else None,
        "roles": entry.roles,
        "agencies": entry.agencies,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "party_id": str(entry.party_id) if entry.party_id else None,
        "purpose": entry.purpose,
        "request_id": entry.request_id,
        "detail": entry.detail,
    }


def chain_hash(previous_hash: str, entry: AuditEntry) -> str:
    payload = json.dumps(content_of(entry), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{previous_hash}\n{payload}".encode()).hexdigest()


def checkpoint_signature(entry_id: int, entry_hash: str, at: datetime) -> str:
    message = f"{entry_id}:{entry_hash}:{at.astimezone(UTC).isoformat()}"
    return hmac.new(
        settings.VENTANILLA_AUDIT_KEY.encode(), message.encode(), hashlib.sha256
    ).hexdigest()


def entry_seal(entry_hash: str) -> str:
    """The HMAC of an entry's hash; the prefix keeps it from ever equalling a checkpoint's."""
    message = f"entry:{entry_hash}"
    return hmac.new(
        settings.VENTANILLA_AUDIT_KEY.encode(), message.encode(), hashlib.sha256
    ).hexdigest()


def record_values(obj: models.Model) -> dict[str, Any]:
    """What a configuration record (a rule, a template: no personal data) holds, for the entry
    of its change: every column but secrets and their digests."""
    return {
        field.attname: field.value_from_object(obj)
        for field in obj._meta.concrete_fields
        if field.attname not in SECRET_FIELDS and field.name not in SECRET_FIELDS
    }


# Every audited change runs it: a statement written once costs less than one built each time.
_READ_HEAD = (
    "SELECT id, last_entry_id, last_hash, checkpoint_entry_id FROM audit_audithead WHERE id = 1"
)


def _locked_head() -> AuditHead:
    # SQLite has no row locks: its writers queue for the whole database instead.
    sql = _READ_HEAD + (" FOR UPDATE" if connection.features.has_select_for_update else "")
    for _attempt in range(2):
        with connection.cursor() as cursor:
            cursor.execute(sql)
            row = cursor.fetchone()
        if row is not None:
            head = AuditHead(
                id=row[0], last_entry_id=row[1], last_hash=row[2], checkpoint_entry_id=row[3]
            )
            head._state.adding = False
            head._state.db = connection.alias
            return head
        # A freshly flushed database.
        AuditHead.objects.get_or_create(pk=1, defaults={"last_hash": GENESIS})
    raise RuntimeError("the audit log's head cannot be read")


def audit_record(
    *,
    actor: Actor,
    action: Action,
    party_id: UUID | str | None = None,
    object_type: str = "",
    object_id: object = "",
    purpose: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. Joins the caller's transaction, so a change and its record commit or
    roll back together; locking the head keeps the chain a single line under concurrency.
    Inside the caller's transaction it takes no savepoint of its own: a failure here fails the
    whole change, which must not be written without its record anyway. Inside ``audit_held``
    the entry is written (and given its id and hash) when that block ends."""
    entry = _entry(actor, action, party_id, object_type, object_id, purpose, detail)
    held = _held.get()
    if held is not None:
        held.append(entry)
    else:
        _append([entry])
    return entry


_held: ContextVar[list[AuditEntry] | None] = ContextVar("ventanilla_audit_held", default=None)


def audit_held() -> AbstractContextManager[None]:
    """Hold the entries recorded inside and write them when the block ends, in the order they
    were recorded and chained exactly as one by one: one lock of the head, one insert and one
    move of the head for all of them. For a change that records several entries in one
    transaction (a case opened records its contact's entry and its own), used inside that
    transaction: the head is then locked only from the end of the block to the commit. An
    entry's time is the time it is written. Nothing is written if the block fails; nested, the
    outermost block writes."""
    return holding(_held, _append)


@dataclass(frozen=True)
class EntryInput:
    """One entry of ``audit_record_many``: what ``audit_record`` takes besides actor and action."""

    party_id: UUID | str | None = None
    object_type: str = ""
    object_id: object = ""
    purpose: str = ""
    detail: dict[str, Any] | None = None


def audit_record_many(*, actor: Actor, action: Action, entries: Sequence[EntryInput]) -> int:
    """Append one entry per item, in order, chained exactly as ``audit_record`` one by one
    would chain them, written in bulk: for a batch job that changes thousands of records. A
    checkpoint is signed at the same places (every ``VENTANILLA_AUDIT_CHECKPOINT_EVERY``).
    Joins the caller's transaction like ``audit_record``."""
    _append(
        [
            _entry(
                actor,
                action,
                item.party_id,
                item.object_type,
                item.object_id,
                item.purpose,
                item.detail,
            )
            for item in entries
        ]
    )
    return len(entries)


def _append(entries: list[AuditEntry]) -> None:
    """Chain ``entries`` after the locked head, in order, and write them: one statement for
    those between two checkpoints, one for a single entry."""
    every = settings.VENTANILLA_AUDIT_CHECKPOINT_EVERY
    written = 0
    with transaction.atomic(savepoint=False):
        head = _locked_head()
        while written < len(entries):
            due = every - (head.last_entry_id - head.checkpoint_entry_id)
            room = max(due, 1) if head.last_entry_id else every
            previous = head.last_hash
            batch = entries[written : written + room]
            for entry in batch:
                # Stamped once the head is held, so times never go back along the chain.
                entry.at = timezone.now()
                entry.previous_hash = previous
                entry.hash = chain_hash(previous, entry)
                entry.seal = entry_seal(entry.hash)
                previous = entry.hash
            if head.last_entry_id and connection.vendor == "postgresql":
                _insert_and_advance(head, batch)
            else:
                # Entries are numbered in the order inserted; the head follows the last one.
                insert_numbered_now(batch)
                _advance(head, batch[0].id, batch[-1])
            written += len(batch)


_AND_ADVANCE = (
    "WITH new AS ({insert} RETURNING id) "
    "UPDATE audit_audithead SET last_entry_id = (SELECT max(id) FROM new), "
    "last_hash = %s WHERE audit_audithead.id = %s "
    "RETURNING (SELECT array_agg(id ORDER BY id) FROM new)"
)


def _insert_and_advance(head: AuditHead, batch: list[AuditEntry]) -> None:
    """On PostgreSQL, insert ``batch`` and move the locked head to its last entry in one
    statement, as ``_advance`` would; a checkpoint, when one is due, follows. Not for the
    chain's first entry, which also starts the checkpoints' count. A batch longer than one
    INSERT takes goes first in INSERTs of their own, its last rows with the move of the head."""
    if len(batch) > ROWS_PER_NUMBERED_INSERT:
        # Numbered in the order inserted, as one by one.
        insert_numbered_now(batch[:-ROWS_PER_NUMBERED_INSERT])
        batch = batch[-ROWS_PER_NUMBERED_INSERT:]
    insert, params = insert_statement(batch)
    with connection.cursor() as cursor:
        cursor.execute(
            _AND_ADVANCE.format(insert=insert),  # Django's own INSERT
            [*params, batch[-1].hash, head.pk],
        )
        (ids,) = cursor.fetchone()
    for entry, number in zip(batch, ids, strict=True):
        entry.id = number
        entry._state.adding = False
        entry._state.db = connection.alias
    head.last_entry_id = batch[-1].id
    head.last_hash = batch[-1].hash
    if head.last_entry_id - head.checkpoint_entry_id >= settings.VENTANILLA_AUDIT_CHECKPOINT_EVERY:
        checkpoint = _checkpoint(head)
        transaction.on_commit(partial(sink_write_or_log, checkpoint))
        head.save(update_fields=["checkpoint_entry_id"])


def _entry(
    actor: Actor,
    action: Action,
    party_id: UUID | str | None,
    object_type: str,
    object_id: object,
    purpose: str,
    detail: dict[str, Any] | None,
) -> AuditEntry:
    """An entry not yet chained: ``_append`` gives it its time, place and hash."""
    return AuditEntry(
        actor=actor.label[:150],
        user_id=actor.user_id,
        api_key_id=actor.api_key_id,
        roles=",".join(sorted(actor.roles))[:200],
        agencies=",".join(sorted(actor.agency_codes))[:400],
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:64],
        party_id=party_id,
        purpose=purpose[:300],
        request_id=request_id.get(),
        detail=json.loads(json.dumps(detail or {}, default=str)),
    )


# Where the head moves on SQLite (and for the chain's first entry): a statement written once.
_MOVE_HEAD = (
    "UPDATE audit_audithead SET last_entry_id = %s, last_hash = %s, checkpoint_entry_id = %s "
    "WHERE id = 1"
)


def _advance(head: AuditHead, first_id: int, entry: AuditEntry) -> None:
    """Move the locked head to ``entry`` (saved after ``first_id``, the first entry written
    since the head was locked), signing a checkpoint when one is due."""
    if head.last_entry_id == 0:
        # The chain's first entry starts the count: ids need not start at 1 (a PostgreSQL
        # sequence moves on past inserts that were rolled back, a restored log starts later).
        head.checkpoint_entry_id = first_id - 1
    head.last_entry_id = entry.id
    head.last_hash = entry.hash
    if entry.id - head.checkpoint_entry_id >= settings.VENTANILLA_AUDIT_CHECKPOINT_EVERY:
        checkpoint = _checkpoint(head)
        # Copied once the entry it names is committed; never before, never if rolled back.
        transaction.on_commit(partial(sink_write_or_log, checkpoint))
    with connection.cursor() as cursor:
        cursor.execute(_MOVE_HEAD, [head.last_entry_id, head.last_hash, head.checkpoint_entry_id])


def _checkpoint(head: AuditHead) -> AuditCheckpoint:
    """Sign the head (locked by the caller) and remember it; the caller saves the head."""
    at = timezone.now()
    head.checkpoint_entry_id = head.last_entry_id
    return AuditCheckpoint.objects.create(
        at=at,
        entry_id=head.last_entry_id,
        entry_hash=head.last_hash,
        signature=checkpoint_signature(head.last_entry_id, head.last_hash, at),
    )


def audit_checkpoint(*, only_when_new_entries: bool = False) -> AuditCheckpoint | None:
    """Sign the current head of the chain and copy it to the sink once committed (None when the
    log is empty, or with ``only_when_new_entries`` when the newest checkpoint already signs the
    head). Outside a transaction a sink that cannot take the copy raises OSError."""
    with transaction.atomic():
        head = _locked_head()
        if head.last_entry_id == 0:
            return None
        if only_when_new_entries and head.checkpoint_entry_id == head.last_entry_id:
            return None
        checkpoint = _checkpoint(head)
        head.save(update_fields=["checkpoint_entry_id"])
    transaction.on_commit(partial(sink_write, checkpoint))
    return checkpoint
