"""The golden record: for each attribute of a person, which value wins among the registers
linked to the party (its ``SourceRecord``s), and where it came from.

The rule: the value verified most recently wins (a register's values count as verified on the day
it last brought them, ``updated_at``); between registers verified the same day, the one the
administration trusts more (``SourceTrust``, lower rank first; agencies not ranked come last);
then the agency's code, so the answer never depends on the order rows come back in. A value the
register flagged as failing validation, or left empty, never competes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone

from ventanilla.identity.models import SourceRecord
from ventanilla.merging.models import SourceTrust
from ventanilla.parties.models import Party

UNRANKED = 10_000

# Each attribute of the golden record, and the fields of a register that make it up.
ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "name": ("given_name", "family_name_1", "family_name_2"),
    "birth_date": ("birth_date",),
    "address": ("address", "postal_code", "city"),
    "email": ("email",),
    "phone": ("phone",),
}


@dataclass(frozen=True)
class Golden:
    """One attribute's winning value, with the register it came from and when it was verified."""

    attribute: str
    value: dict[str, Any]
    agency_name: str
    verified_on: date


def _competes(record: SourceRecord, fields: tuple[str, ...]) -> bool:
    if any(name in record.flags for name in fields):
        return False
    if fields[0] == "given_name":
        return bool(record.given_name and record.family_name_1)
    return bool(getattr(record, fields[0]))


def golden_record(party: Party) -> dict[str, Golden]:
    """The winning value of each attribute the party's registers hold, in two queries."""
    records = list(party.source_records.select_related("agency"))
    if not records:
        return {}
    ranks = dict(
        SourceTrust.objects.filter(agency__in={r.agency_id for r in records}).values_list(
            "agency_id", "rank"
        )
    )
    golden: dict[str, Golden] = {}
    for attribute, fields in ATTRIBUTES.items():
        candidates = [record for record in records if _competes(record, fields)]
        if not candidates:
            continue
        best = min(
            candidates,
            key=lambda r: (
                -timezone.localdate(r.updated_at).toordinal(),
                ranks.get(r.agency_id, UNRANKED),
                r.agency.code,
                r.source_key,
            ),
        )
        golden[attribute] = Golden(
            attribute=attribute,
            value={name: getattr(best, name) for name in fields},
            agency_name=best.agency.name,
            verified_on=timezone.localdate(best.updated_at),
        )
    return golden
