"""The warehouse build: a refresh ends where a full build does, erasure reaches it, and no name,
identifier or contact of a person is in the file or its Parquet export."""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import duckdb
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.warehouse.conftest import OPERATOR
from tests.warehouse.shared import rows, tables
from ventanilla.cases.models import Case
from ventanilla.cases.services import case_transition
from ventanilla.catalog.models import PublicService
from ventanilla.interactions.models import Interaction
from ventanilla.interactions.services import interaction_record
from ventanilla.parties.models import ContactPoint, Identifier, Party
from ventanilla.parties.services import party_update
from ventanilla.privacy.services import party_erase
from ventanilla.warehouse.build import edition, party_key, warehouse_build
from ventanilla.warehouse.export import warehouse_export

pytestmark = pytest.mark.django_db


def _person_without_open_cases() -> Party:
    person = (
        Party.objects.filter(kind="person", status="active", interactions__isnull=False)
        .exclude(cases__is_open=True)
        .order_by("id")
        .first()
    )
    assert person is not None
    return person


def test_the_build_fills_every_fact_and_dimension(warehouse: Path) -> None:
    held = {name: len(content) for name, content in tables(warehouse).items()}

    assert held["fact_interaction"] == Interaction.objects.count()
    assert held["fact_case"] == Case.objects.count()
    assert held["fact_case_step"] > 0
    assert held["fact_appointment"] == 3
    assert held["fact_satisfaction"] >= 3
    assert held["dim_party"] == Party.objects.exclude(status="erased").count()
    for dimension in ("dim_date", "dim_channel", "dim_service", "dim_agency", "dim_district"):
        assert held[dimension] > 0, dimension


def test_a_refresh_after_a_day_of_changes_gives_the_tables_of_a_full_build(
    warehouse: Path, demo_town: dict[str, Any], tmp_path: Path
) -> None:
    people, cases = demo_town["people"], demo_town["cases"]
    interaction_record(
        actor=OPERATOR,
        party_id=people[0].pk,
        channel="phone",
        summary="Pregunta por su multa",
        agency_code=cases[0].department.code,
    )
    case_transition(actor=OPERATOR, case_id=cases[6].pk, action="accept")
    party_update(actor=OPERATOR, party_id=people[1].pk, changes={"preferred_language": "en"})
    # Retention removes old contacts without a case: the refresh must notice rows that went.
    gone = Interaction.objects.filter(case__isnull=True).order_by("occurred_at", "id").first()
    assert gone is not None
    gone.delete()

    refresh = warehouse_build(path=warehouse)
    rebuilt = tmp_path / "rebuilt.duckdb"
    full = warehouse_build(path=rebuilt, full=True)

    assert not refresh.full and full.full
    assert refresh.total_read < full.total_read / 5, refresh.rows_read
    assert refresh.removed["fact_interaction"] == 1
    assert tables(warehouse) == tables(rebuilt)
    [(language,)] = rows(
        warehouse,
        "SELECT language FROM dim_party WHERE party_key = ?",
        party_key(str(people[1].pk)),
    )
    assert language == "en"


def test_a_refresh_works_out_again_the_repeat_contacts_of_the_people_it_touched(
    warehouse: Path, tmp_path: Path
) -> None:
    # Someone asks twice about one service in a day: the second time is a repeat contact.
    person = _person_without_open_cases()
    service = PublicService.objects.filter(active=True).order_by("code").first()
    assert service is not None
    asked = [
        interaction_record(
            actor=OPERATOR,
            party_id=person.pk,
            channel=channel,
            summary="Pregunta por el recibo del agua",
            agency_code=service.competent_agency.code,
            service_code=service.code,
            occurred_at=timezone.now() - timedelta(hours=hours),
        )
        for channel, hours in (("phone", 20), ("web", 2))
    ]
    # Retention removes the contact before someone else's repeat contact.
    repeated = [
        Interaction.objects.get(pk=uuid.UUID(found))
        for (found,) in rows(
            warehouse,
            "SELECT interaction_id FROM fact_repeat_contact WHERE repeat ORDER BY interaction_id",
        )
    ]
    before = [
        Interaction.objects.filter(
            party=contact.party,
            service=contact.service,
            direction="inbound",
            occurred_at__lte=contact.occurred_at,
        )
        .exclude(pk=contact.pk)
        .order_by("-occurred_at")
        .first()
        for contact in repeated
    ]
    gone = next(contact for contact in before if contact is not None and contact.case_id is None)
    gone_id = gone.pk.hex
    gone.delete()

    warehouse_build(path=warehouse)
    rebuilt = tmp_path / "rebuilt.duckdb"
    warehouse_build(path=rebuilt, full=True)

    assert tables(warehouse)["fact_repeat_contact"] == tables(rebuilt)["fact_repeat_contact"]
    flags = dict(
        rows(
            warehouse,
            "SELECT interaction_id, repeat FROM fact_repeat_contact WHERE party_key = ?",
            party_key(str(person.pk)),
        )
    )
    assert [flags[asked[0].pk.hex], flags[asked[1].pk.hex]] == [False, True]
    assert gone_id not in dict(rows(warehouse, "SELECT interaction_id, 1 FROM fact_repeat_contact"))


def test_an_erased_party_is_gone_after_the_next_build_but_their_contacts_still_count(
    warehouse: Path,
) -> None:
    person = _person_without_open_cases()
    key = party_key(str(person.pk))
    contacts = rows(warehouse, "SELECT COUNT(*) FROM fact_interaction")[0][0]
    assert rows(warehouse, "SELECT COUNT(*) FROM fact_interaction WHERE party_key = ?", key)[0][0]

    stored = key.to_bytes(8, "little", signed=True)
    assert stored in warehouse.read_bytes()

    party_erase(actor=OPERATOR, party_id=person.pk, reason="Derecho de supresión")
    warehouse_build(path=warehouse)

    with duckdb.connect(str(warehouse), read_only=True) as con:
        columns = con.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE column_name = 'party_key'"
        ).fetchall()
        for table, column in columns:
            found = con.execute(
                f"SELECT COUNT(*) FROM {table} WHERE {column} = ?",  # noqa: S608
                [key],
            ).fetchone()
            assert found == (0,), table
    assert rows(warehouse, "SELECT COUNT(*) FROM fact_interaction")[0][0] == contacts
    # Nor anywhere in the file, as the file stores the number.
    assert stored not in warehouse.read_bytes()


def _needles() -> list[str]:
    dnis = list(Identifier.objects.values_list("value", flat=True))
    emails = list(ContactPoint.objects.filter(kind="email").values_list("value", flat=True))
    surnames = {
        name
        for name in Party.objects.filter(kind="person").values_list("family_name_1", flat=True)
        # Three or four letters turn up by chance in compressed bytes; longer ones do not.
        if len(name) >= 5
    }
    assert dnis and emails and surnames
    return dnis + emails + sorted(surnames)


def test_no_dni_email_or_surname_is_in_the_file_or_the_parquet_export(
    warehouse: Path, tmp_path: Path
) -> None:
    export = tmp_path / "parquet"
    warehouse_export(directory=export, path=warehouse)
    needles = _needles()
    files = [warehouse, *export.rglob("*.parquet")]
    assert len(files) > 10

    for file in files:
        content = file.read_bytes()
        found = [n for n in needles if n.encode() in content or n.upper().encode() in content]
        assert found == [], file
    # Compressed strings would hide from a byte search: every text value is looked at too.
    with duckdb.connect(str(warehouse), read_only=True) as con:
        columns = con.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE data_type = 'VARCHAR' AND table_name NOT LIKE 'warehouse_%'"
        ).fetchall()
        values = {
            str(value)
            for table, column in columns
            for (value,) in con.execute(f"SELECT DISTINCT {column} FROM {table}").fetchall()  # noqa: S608
            if value is not None
        }
    words = {word for value in values for word in re.split(r"[\s@]+", value.lower())}
    assert [n for n in needles if n.lower() in words or n.lower() in values] == []


def test_the_parquet_export_is_partitioned_by_month_and_reads_back(
    warehouse: Path, tmp_path: Path
) -> None:
    export = tmp_path / "parquet"
    written = warehouse_export(directory=export, path=warehouse)

    months = list((export / "fact_interaction").glob("year=*/month=*"))
    assert len(months) > 12
    with duckdb.connect() as con:
        for table, count in written.items():
            pattern = str(export / table / "**" / "*.parquet")
            [(read,)] = con.execute(
                "SELECT COUNT(*) FROM read_parquet(?, hive_partitioning = true)", [pattern]
            ).fetchall()
            assert read == count, table
        by_channel = con.execute(
            "SELECT channel_code, COUNT(*) FROM read_parquet(?, hive_partitioning = true) "
            "WHERE year = 2025 GROUP BY ALL",
            [str(export / "fact_interaction" / "**" / "*.parquet")],
        ).fetchall()
    assert (
        sum(n for _, n in by_channel)
        == rows(warehouse, "SELECT COUNT(*) FROM fact_interaction WHERE year(date_key) = 2025")[0][
            0
        ]
    )


def test_the_command_builds_then_refreshes_and_says_so(
    demo_town: dict[str, Any], db: None, tmp_path: Path
) -> None:
    path = tmp_path / "w.duckdb"
    out = StringIO()
    call_command("warehouse", "build", "--path", str(path), "--no-progress", stdout=out)
    call_command("warehouse", "build", "--path", str(path), "--no-progress", stdout=out)

    first, second = (line for line in out.getvalue().splitlines() if " rows read in " in line)
    assert first.startswith("Full build") and second.startswith("Refresh")


def test_exporting_without_a_warehouse_says_to_build_one(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="warehouse build"):
        call_command(
            "warehouse", "export", str(tmp_path / "out"), "--path", str(tmp_path / "none.duckdb")
        )


def test_a_new_key_makes_the_next_build_a_full_one(warehouse: Path, settings: Any) -> None:
    settings.VENTANILLA_WAREHOUSE_KEY = "another-key-of-at-least-twenty-chars"

    report = warehouse_build(path=warehouse)

    assert report.full
    person = Party.objects.filter(kind="person").order_by("id").first()
    assert person is not None
    assert rows(
        warehouse, "SELECT COUNT(*) FROM dim_party WHERE party_key = ?", party_key(str(person.pk))
    ) == [(1,)]


def test_a_warehouse_of_text_party_keys_is_built_again_whole_with_number_keys(
    warehouse: Path, settings: Any
) -> None:
    # A warehouse as the releases that kept party keys as text left it.
    key = settings.VENTANILLA_WAREHOUSE_KEY.encode()
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "UPDATE warehouse_meta SET value = ? WHERE name = 'key_check'",
            [hmac.digest(key, b"ventanilla-warehouse", hashlib.sha256)[:8].hex()],
        )
        con.execute("ALTER TABLE dim_party ALTER party_key TYPE VARCHAR")

    report = warehouse_build(path=warehouse)

    assert report.full
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute(
            "SELECT DISTINCT data_type FROM information_schema.columns "
            "WHERE column_name = 'party_key'"
        ).fetchall() == [("BIGINT",)]


def test_every_build_is_a_new_edition_so_figures_kept_from_the_last_are_not_reused(
    warehouse: Path,
) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        first = edition(con)

    warehouse_build(path=warehouse)

    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert first is not None and edition(con) not in {None, first}


def test_without_a_warehouse_key_the_build_refuses_and_says_how_to_make_one(
    settings: Any, tmp_path: Path
) -> None:
    settings.VENTANILLA_WAREHOUSE_KEY = ""

    with pytest.raises(CommandError, match="VENTANILLA_WAREHOUSE_KEY"):
        call_command("warehouse", "build", "--path", str(tmp_path / "w.duckdb"), "--no-progress")
    assert not (tmp_path / "w.duckdb").exists()
