"""`ventanilla identity export`: one CSV row per source record with the party it belongs to."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ventanilla.audit.actions import Action
from ventanilla.audit.models import AuditEntry
from ventanilla.catalog.services import agency_ensure
from ventanilla.identity.models import SourceRecord
from ventanilla.parties.models import Party

pytestmark = pytest.mark.django_db


@pytest.fixture
def records() -> Party:
    health = agency_ensure(code="salud", kind="agency", name_es="Salud")
    social = agency_ensure(code="seguridad-social", kind="agency", name_es="Seguridad Social")
    ana = Party.objects.create(given_name="Ana", family_name_1="García", sort_name="garcia ana")
    SourceRecord.objects.create(
        agency=health, source_key="AN1", party=ana, match_score=0.9981, decided_by="model v3"
    )
    SourceRecord.objects.create(
        agency=social, source_key="41001", party=ana, match_score=None, decided_by="rule"
    )
    SourceRecord.objects.create(agency=health, source_key="AN2")
    return ana


def export(path: Path, *extra: str) -> list[dict[str, str]]:
    call_command("identity", "export", f"--output={path}", "--no-progress", *extra)
    with path.open(encoding="utf-8", newline="") as exported:
        return list(csv.DictReader(exported))


def test_the_export_has_one_row_per_record_with_its_party_and_who_decided(
    records: Party, tmp_path: Path
) -> None:
    rows = export(tmp_path / "links.csv")

    assert rows == [
        {
            "agency": "salud",
            "source_key": "AN1",
            "party_id": str(records.pk),
            "match_probability": "0.9981",
            "decided_by": "model v3",
        },
        {
            "agency": "salud",
            "source_key": "AN2",
            "party_id": "",
            "match_probability": "",
            "decided_by": "",
        },
        {
            "agency": "seguridad-social",
            "source_key": "41001",
            "party_id": str(records.pk),
            "match_probability": "",
            "decided_by": "rule",
        },
    ]


def test_the_export_can_be_limited_to_some_agencies(records: Party, tmp_path: Path) -> None:
    rows = export(tmp_path / "links.csv", "--agencies", "seguridad-social")

    assert [row["source_key"] for row in rows] == ["41001"]


def test_an_unknown_agency_is_refused_and_no_file_is_left(records: Party, tmp_path: Path) -> None:
    path = tmp_path / "links.csv"

    with pytest.raises(CommandError, match="No agency with the code"):
        export(path, "--agencies", "hacienda")

    assert not path.exists()


def test_the_export_is_audited_with_how_many_rows_it_wrote(records: Party, tmp_path: Path) -> None:
    export(tmp_path / "links.csv", "--agencies", "salud")

    [entry] = AuditEntry.objects.filter(action=Action.IDENTITY_EXPORT)
    assert entry.detail == {"agencies": ["salud"], "rows": 2, "complete": True}
