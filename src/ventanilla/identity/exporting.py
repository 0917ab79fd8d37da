"""Exporting which golden party each source record belongs to: one CSV row per record, read
from the database in chunks and written as it is read. A bulk read of personal links, so one
audit entry records it."""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from typing import TextIO

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require_operator
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_record
from ventanilla.catalog.models import Agency
from ventanilla.identity.importing import RegistryError, spreadsheet_safe
from ventanilla.identity.models import SourceRecord

EXPORT_COLUMNS = ("agency", "source_key", "party_id", "match_probability", "decided_by")
CHUNK = 5000


def source_links_export(
    *,
    actor: Actor,
    into: TextIO,
    agency_codes: Sequence[str] = (),
    on_progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write the links of the source records of ``agency_codes`` (every agency when empty) to
    ``into`` as CSV, ordered by agency and source key, and return how many rows were written.
    ``decided_by`` is what decided the link (``rule``, ``model vN`` or the reviewer's name),
    empty while the record is not matched. An unknown agency code is refused before anything is
    written; the audit entry is written even when the export stops half-way."""
    require_operator(actor, what="identity export")
    records = SourceRecord.objects.all()
    if agency_codes:
        known = set(Agency.objects.filter(code__in=agency_codes).values_list("code", flat=True))
        unknown = [code for code in agency_codes if code not in known]
        if unknown:
            raise RegistryError(f"No agency with the code(s) {', '.join(unknown)}.")
        records = records.filter(agency__code__in=agency_codes)
    total = records.count()
    rows = records.order_by("agency__code", "source_key").values_list(
        "agency__code", "source_key", "party_id", "match_score", "decided_by"
    )
    writer = csv.writer(into)
    writer.writerow(EXPORT_COLUMNS)
    written = 0
    try:
        for agency, key, party_id, score, decided_by in rows.iterator(chunk_size=CHUNK):
            writer.writerow(
                [
                    agency,
                    spreadsheet_safe(key),
                    str(party_id) if party_id else "",
                    "" if score is None else repr(score),
                    spreadsheet_safe(decided_by) if party_id else "",
                ]
            )
            written += 1
            if on_progress and written % CHUNK == 0:
                on_progress(written, total)
    finally:
        audit_record(
            actor=actor,
            action=Action.IDENTITY_EXPORT,
            object_type="source_record",
            detail={
                "agencies": list(agency_codes) or "all",
                "rows": written,
                "complete": written == total,
            },
        )
    if on_progress:
        on_progress(written, total)
    return written
