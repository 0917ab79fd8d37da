"""Walking the audit chain to find the first entry that was changed, removed or cut off."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from ventanilla.audit.models import AuditCheckpoint, AuditEntry, AuditHead
from ventanilla.audit.services import GENESIS, chain_hash, checkpoint_signature


@dataclass(frozen=True)
class Verdict:
    ok: bool
    entries: int
    problem: str = ""
    entry_id: int | None = None


def audit_verify(*, chunk: int = 5000) -> Verdict:
    """Recompute every hash in order; then hold the end of the chain against the head row and
    the signed checkpoints, which is how a deleted tail shows."""
    previous = GENESIS
    count = 0
    last_id = 0
    hashes_at: dict[int, str] = {}
    checkpoints = list(AuditCheckpoint.objects.order_by("entry_id"))
    wanted = {c.entry_id for c in checkpoints}
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=chunk):
        if entry.previous_hash != previous:
            return Verdict(False, count, "an entry before this one was removed", entry.id)
        if chain_hash(previous, entry) != entry.hash:
            return Verdict(False, count, "this entry was changed after it was written", entry.id)
        if entry.id in wanted:
            hashes_at[entry.id] = entry.hash
        previous = entry.hash
        last_id = entry.id
        count += 1
    for checkpoint in checkpoints:
        expected = checkpoint_signature(checkpoint.entry_id, checkpoint.entry_hash, checkpoint.at)
        if not hmac.compare_digest(expected, checkpoint.signature):
            return Verdict(False, count, "a checkpoint's signature is wrong", checkpoint.entry_id)
        if hashes_at.get(checkpoint.entry_id) != checkpoint.entry_hash:
            return Verdict(
                False,
                count,
                "a signed checkpoint names an entry that is missing or different: "
                "entries were removed from the end",
                checkpoint.entry_id,
            )
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.last_entry_id, head.last_hash) != (last_id, previous):
        return Verdict(False, count, "the chain ends before its recorded head", last_id or None)
    return Verdict(True, count)
