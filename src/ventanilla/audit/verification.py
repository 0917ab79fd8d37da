"""Walking the audit chain to find the first entry that was changed, removed or cut off.

The evidence, from the strongest: the copies of the checkpoints in the sink outside the database
(nobody who only holds the database can change them), the checkpoints' signatures and the
entries' seals (both need the audit key), and the chain of hashes (anyone can recompute it). Each
finding names what it can prove: an entry that was changed, entries removed between two others,
entries cut from the end, or — when the chain and its seals were recomputed with the key — the
stretch between two checkpoints where the rewriting began.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from ventanilla.audit.models import AuditCheckpoint, AuditEntry, AuditHead
from ventanilla.audit.services import GENESIS, chain_hash, checkpoint_signature, entry_seal
from ventanilla.audit.sink import CopiedCheckpoint, sink_read


@dataclass(frozen=True)
class Verdict:
    ok: bool
    entries: int
    problem: str = ""
    entry_id: int | None = None
    checkpoints: int = 0
    copies: int = 0


@dataclass(frozen=True)
class _Signed:
    """A checkpoint from the database or from the sink, and how to name it in a report."""

    entry_id: int
    entry_hash: str
    at: datetime
    signature: str
    where: str

    def signed(self) -> bool:
        expected = checkpoint_signature(self.entry_id, self.entry_hash, self.at)
        return hmac.compare_digest(expected, self.signature)


def _from_database(checkpoints: Iterable[AuditCheckpoint]) -> list[_Signed]:
    return [
        _Signed(c.entry_id, c.entry_hash, c.at, c.signature, f"the checkpoint at #{c.entry_id}")
        for c in checkpoints
    ]


def _from_sink(copies: Iterable[CopiedCheckpoint]) -> list[_Signed]:
    return [
        _Signed(
            c.entry_id,
            c.entry_hash,
            c.at,
            c.signature,
            f"the copy of the checkpoint at #{c.entry_id} (line {c.line} of the sink)",
        )
        for c in copies
    ]


def audit_verify(*, sink: str | None = None, chunk: int = 5000) -> Verdict:
    """Check the chain entry by entry, then against every signed checkpoint, in the database and,
    when ``sink`` names a file sink, outside it; then the head row. Raises SinkError when the
    sink cannot be read. Stops at the first finding, which names the earliest entry it can."""
    in_database = _from_database(AuditCheckpoint.objects.order_by("entry_id"))
    outside = _from_sink(sink_read(sink, missing_ok=not in_database)) if sink else []
    checkpoints, copies = len(in_database), len(outside)
    for checkpoint in [*in_database, *outside]:
        if not checkpoint.signed():
            return Verdict(
                False,
                0,
                f"{checkpoint.where} was changed: its signature is wrong (or "
                "VENTANILLA_AUDIT_KEY is not the key it was signed with)",
                checkpoint.entry_id,
                checkpoints=checkpoints,
                copies=copies,
            )

    wanted = {checkpoint.entry_id for checkpoint in [*in_database, *outside]}
    walk = _walk(wanted, chunk)
    if walk.problem:
        return Verdict(
            False, walk.count, walk.problem, walk.entry_id, checkpoints=checkpoints, copies=copies
        )

    mismatch = _against_checkpoints(walk, sorted([*in_database, *outside], key=_order))
    if mismatch:
        return Verdict(
            False, walk.count, mismatch[0], mismatch[1], checkpoints=checkpoints, copies=copies
        )

    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.last_entry_id, head.last_hash) != (walk.last_id, walk.last_hash):
        if head.last_entry_id > walk.last_id:
            problem = (
                f"the chain ends at entry #{walk.last_id} but its head row names entry "
                f"#{head.last_entry_id}: entries were removed from the end"
            )
        else:
            problem = (
                f"the head row does not match the chain's end at entry #{walk.last_id}: the "
                "chain was rewritten after its newest checkpoint, or the head row was edited"
            )
        return Verdict(
            False, walk.count, problem, walk.last_id or None, checkpoints=checkpoints, copies=copies
        )
    return Verdict(True, walk.count, checkpoints=checkpoints, copies=copies)


def _order(checkpoint: _Signed) -> int:
    return checkpoint.entry_id


@dataclass
class _Walk:
    count: int = 0
    last_id: int = 0
    last_hash: str = GENESIS
    problem: str = ""
    entry_id: int | None = None
    # The hashes at the entries the checkpoints name, for the comparison that follows the walk.
    hashes: dict[int, str] = field(default_factory=dict)


def _walk(wanted: set[int], chunk: int) -> _Walk:
    """Recompute every hash and seal in order, up to the first entry that is not sound."""
    walk = _Walk()
    sealed = False
    previous: AuditEntry | None = None
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=chunk):
        problem = _entry_problem(entry, previous, walk.last_hash, sealed=sealed)
        if problem:
            walk.problem, walk.entry_id = problem
            break
        sealed = sealed or bool(entry.seal)
        if entry.id in wanted:
            walk.hashes[entry.id] = entry.hash
        previous = entry
        walk.last_hash = entry.hash
        walk.last_id = entry.id
        walk.count += 1
    return walk


def _entry_problem(
    entry: AuditEntry, previous: AuditEntry | None, previous_hash: str, *, sealed: bool
) -> tuple[str, int] | None:
    """What is wrong with one entry, given the entry before it (already found sound)."""
    if chain_hash(entry.previous_hash, entry) != entry.hash:
        return f"entry #{entry.id} was changed after it was written", entry.id
    if entry.seal:
        if not hmac.compare_digest(entry_seal(entry.hash), entry.seal):
            # On the first sealed entry a wrong key looks the same as a change.
            key = "" if sealed else " (or VENTANILLA_AUDIT_KEY is not the key it was sealed with)"
            return (
                f"entry #{entry.id} was changed after it was written: its hash was recomputed, "
                f"but its seal no longer matches it{key}",
                entry.id,
            )
    elif sealed:
        return (
            f"entry #{entry.id} was changed after it was written: its seal was removed",
            entry.id,
        )
    if entry.previous_hash == previous_hash:
        return None
    if previous is None:
        return f"entries before entry #{entry.id}, the first one left, were removed", entry.id
    if entry.id == previous.id + 1 and not (previous.seal and entry.seal):
        # Written before entries were sealed: either one may carry the recomputed hash.
        return (
            f"entry #{previous.id} or entry #{entry.id} was changed after it was written (both "
            "predate the seals, so which one cannot be told)",
            previous.id,
        )
    if entry.id == previous.id + 1:
        # Nothing can lie between consecutive ids, and this entry is sound as written: so the
        # entry before it was changed, and sealed again by someone holding the audit key.
        return (
            f"entry #{previous.id} was changed after it was written (its hash and seal were "
            "recomputed with the audit key)",
            previous.id,
        )
    return (
        f"the chain breaks between entries #{previous.id} and #{entry.id}: entries between "
        f"them were removed, or entry #{previous.id} was changed and sealed again with the "
        "audit key",
        entry.id,
    )


def _against_checkpoints(walk: _Walk, checkpoints: list[_Signed]) -> tuple[str, int] | None:
    """The first checkpoint the chain no longer agrees with, named as precisely as it allows."""
    hashes = walk.hashes
    agreed: list[_Signed] = []
    for checkpoint in checkpoints:
        if hashes.get(checkpoint.entry_id) == checkpoint.entry_hash:
            agreed.append(checkpoint)
            continue
        if checkpoint.entry_id > walk.last_id:
            return (
                f"{checkpoint.where} names entry #{checkpoint.entry_id}, but the chain ends at "
                f"entry #{walk.last_id}: entries were removed from the end",
                walk.last_id + 1,
            )
        if checkpoint.entry_id not in hashes:
            return (
                f"{checkpoint.where} names entry #{checkpoint.entry_id}, which is missing: it was "
                "removed and the chain recomputed over the gap",
                checkpoint.entry_id,
            )
        # Only a checkpoint below this one bounds where the rewriting began; one at the same
        # entry that agrees was signed again over the rewritten chain.
        below = max((c.entry_id for c in agreed if c.entry_id < checkpoint.entry_id), default=0)
        resigned = [c for c in agreed if c.entry_id == checkpoint.entry_id]
        return (
            f"{checkpoint.where} no longer matches the chain: an entry from #{below + 1} to "
            f"#{checkpoint.entry_id} was changed, and the hashes and seals after it recomputed "
            "with the audit key"
            + (f"; {resigned[0].where} was signed again to match" if resigned else ""),
            below + 1,
        )
    return None
