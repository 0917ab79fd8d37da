"""`ventanilla identity import`: an agency's registry, as a real file, into source records."""

from __future__ import annotations

import csv
from datetime import date
from io import StringIO
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.management import CommandError, call_command

from ventanilla.audit.actions import Action
from ventanilla.audit.models import AuditEntry
from ventanilla.catalog.models import Agency
from ventanilla.catalog.services import agency_ensure
from ventanilla.identity import importing
from ventanilla.identity.importing import written_birth_date
from ventanilla.identity.models import SourceRecord

pytestmark = pytest.mark.django_db

HEADER = ["NUM", "NOMBRE", "APELLIDO1", "APELLIDO2", "FNAC", "DNI", "CORREO", "TELEFONO"]
MAP = [
    "--map=given_name=NOMBRE",
    "--map=family_name_1=APELLIDO1",
    "--map=family_name_2=APELLIDO2",
    "--map=birth_date=FNAC",
    "--map=identifier=DNI",
    "--map=email=CORREO",
    "--map=phone=TELEFONO",
]
ANA = ["1", "Ana", "García", "López", "1980-02-03", "12345678Z", "ana@example.es", "600123456"]
LUIS = ["2", "Luis", "Pérez", "", "31/02/1980", "12345678A", "luis@example.es", "+34 612 345 678"]
EMPTY = ["3", "", "", "", "1990-01-01", "", "", ""]


@pytest.fixture
def health() -> Agency:
    return agency_ensure(code="salud", kind="agency", name_es="Servicio de Salud")


def write_csv(
    path: Path, rows: list[list[str]], *, delimiter: str = ";", encoding: str = "utf-8"
) -> Path:
    with path.open("w", encoding=encoding, newline="") as out:
        writer = csv.writer(out, delimiter=delimiter)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def run_import(path: Path, *extra: str, agency: str = "salud") -> str:
    out = StringIO()
    call_command(
        "identity",
        "import",
        str(path),
        f"--agency={agency}",
        "--id-column=NUM",
        *MAP,
        "--no-progress",
        *extra,
        stdout=out,
    )
    return out.getvalue()


def read_report(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as report:
        return list(csv.DictReader(report))


def test_a_csv_registry_becomes_source_records_of_the_agency(
    health: Agency, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "padron.csv", [ANA])

    said = run_import(path)

    record = SourceRecord.objects.get(agency=health, source_key="1")
    assert (record.given_name, record.family_name_1, record.family_name_2) == (
        "Ana",
        "García",
        "López",
    )
    assert record.birth_date == date(1980, 2, 3)
    assert (record.identifier, record.email, record.phone) == (
        "12345678Z",
        "ana@example.es",
        "600123456",
    )
    assert record.flags == {}
    assert "1 added, 0 updated, 0 unchanged, 0 skipped, 0 flagged" in said


def test_a_comma_separated_file_is_read_as_well_as_a_semicolon_one(
    health: Agency, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "padron.csv", [ANA], delimiter=",")

    run_import(path)

    assert SourceRecord.objects.get(source_key="1").family_name_1 == "García"


def test_a_parquet_registry_is_imported_with_its_typed_columns(
    health: Agency, tmp_path: Path
) -> None:
    path = tmp_path / "padron.parquet"
    table = pa.table(
        {
            "NUM": pa.array([1, 2], pa.int64()),
            "NOMBRE": ["Ana", "Luis"],
            "APELLIDO1": ["García", "Pérez"],
            "APELLIDO2": ["López", None],
            "FNAC": pa.array([date(1980, 2, 3), None], pa.date32()),
            "DNI": ["12345678Z", None],
            "CORREO": [None, "luis@example.es"],
            "TELEFONO": pa.array([600123456.0, None], pa.float64()),
        }
    )
    pq.write_table(table, path)

    said = run_import(path)

    ana = SourceRecord.objects.get(agency=health, source_key="1")
    assert ana.birth_date == date(1980, 2, 3)
    assert ana.phone == "600123456"
    luis = SourceRecord.objects.get(agency=health, source_key="2")
    assert (luis.family_name_2, luis.birth_date, luis.email) == ("", None, "luis@example.es")
    assert "2 added" in said


def test_a_latin_1_file_keeps_its_accents(health: Agency, tmp_path: Path) -> None:
    row = ["7", "María", "Núñez", "Ibáñez", "1975-06-30", "", "", ""]
    path = write_csv(tmp_path / "antiguo.csv", [row], encoding="latin-1")

    run_import(path)

    record = SourceRecord.objects.get(source_key="7")
    assert (record.given_name, record.family_name_1, record.family_name_2) == (
        "María",
        "Núñez",
        "Ibáñez",
    )


def test_a_utf_8_file_with_a_byte_order_mark_reads_its_first_column(
    health: Agency, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "excel.csv", [ANA], encoding="utf-8-sig")

    run_import(path)

    assert SourceRecord.objects.filter(source_key="1").exists()


def test_an_unknown_field_is_refused_before_anything_is_written(
    health: Agency, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "padron.csv", [ANA])

    with pytest.raises(CommandError, match="unknown field 'nationality'"):
        run_import(path, "--map=nationality=NOMBRE")

    assert not SourceRecord.objects.exists()
    assert not (tmp_path / "padron.report.csv").exists()


def test_a_column_not_in_the_file_is_refused_and_the_columns_named(
    health: Agency, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "padron.csv", [ANA])

    with pytest.raises(CommandError) as refused:
        run_import(path, "--map=city=MUNICIPIO")

    assert "no column 'MUNICIPIO' in the file" in str(refused.value)
    assert "'NOMBRE'" in str(refused.value)
    assert not SourceRecord.objects.exists()


def test_an_unknown_agency_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "padron.csv", [ANA])

    with pytest.raises(CommandError, match="No agency with the code 'hacienda'"):
        run_import(path, agency="hacienda")

    assert not Agency.objects.filter(code="hacienda").exists()
    assert not SourceRecord.objects.exists()


def test_create_agency_makes_the_agency_and_imports_into_it(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "padron.csv", [ANA])

    said = run_import(path, "--create-agency=Agencia Tributaria", agency="hacienda")

    agency = Agency.objects.get(code="hacienda")
    assert agency.name_es == "Agencia Tributaria"
    assert SourceRecord.objects.filter(agency=agency, source_key="1").exists()
    assert "Agency hacienda created." in said


def test_fields_that_fail_validation_are_kept_flagged_and_reported(
    health: Agency, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "padron.csv", [ANA, LUIS])

    said = run_import(path)

    luis = SourceRecord.objects.get(source_key="2")
    assert luis.identifier == "12345678A"
    assert luis.birth_date is None
    assert luis.flags == {
        "identifier": "wrong check letter",
        "birth_date": "not a date: 31/02/1980",
    }
    assert written_birth_date(luis) == "31/02/1980"
    assert "2 added" in said and "1 flagged" in said
    report = read_report(tmp_path / "padron.report.csv")
    assert report == [
        {
            "row": "2",
            "column": "FNAC",
            "field": "birth_date",
            "value_kind": "99/99/9999",
            "reason": "not a date",
        },
        {
            "row": "2",
            "column": "DNI",
            "field": "identifier",
            "value_kind": "99999999A",
            "reason": "wrong check letter",
        },
    ]


def test_the_report_never_holds_the_personal_value(health: Agency, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "padron.csv", [LUIS])
    report = tmp_path / "elsewhere.csv"

    run_import(path, f"--report={report}")

    text = report.read_text(encoding="utf-8")
    assert "12345678A" not in text and "31/02/1980" not in text


def test_an_impossible_email_and_phone_are_flagged(health: Agency, tmp_path: Path) -> None:
    row = ["9", "Eva", "Ruiz", "", "", "", "eva@", "12"]
    path = write_csv(tmp_path / "padron.csv", [row])

    run_import(path)

    record = SourceRecord.objects.get(source_key="9")
    assert (record.email, record.phone) == ("eva@", "12")
    assert record.flags == {"email": "not an email address", "phone": "not a phone number"}


def test_a_row_with_nothing_to_match_on_is_skipped_and_reported(
    health: Agency, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "padron.csv", [ANA, EMPTY])

    said = run_import(path)

    assert list(SourceRecord.objects.values_list("source_key", flat=True)) == ["1"]
    assert "1 skipped" in said
    [skipped] = read_report(tmp_path / "padron.report.csv")
    assert skipped["row"] == "2"
    assert skipped["reason"].startswith("nothing to match on")


def test_importing_the_same_file_again_writes_nothing(health: Agency, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "padron.csv", [ANA, LUIS, EMPTY])
    run_import(path)
    before = dict(SourceRecord.objects.values_list("source_key", "updated_at"))

    said = run_import(path)

    assert "0 added, 0 updated, 2 unchanged, 1 skipped, 1 flagged" in said
    assert dict(SourceRecord.objects.values_list("source_key", "updated_at")) == before


def test_a_row_changed_in_the_registry_is_updated(health: Agency, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "padron.csv", [ANA, LUIS])
    run_import(path)
    fixed = ["2", "Luis", "Pérez", "Gil", "1980-02-28", "12345678Z", "luis@example.es", ""]
    write_csv(path, [ANA, fixed])

    said = run_import(path)

    assert "0 added, 1 updated, 1 unchanged" in said
    luis = SourceRecord.objects.get(source_key="2")
    assert (luis.family_name_2, luis.birth_date, luis.flags) == ("Gil", date(1980, 2, 28), {})


def test_an_id_repeated_in_the_file_is_skipped_so_a_second_import_is_alike(
    health: Agency, tmp_path: Path
) -> None:
    other = ["1", "Otra", "Persona", "", "", "", "otra@example.es", ""]
    path = write_csv(tmp_path / "padron.csv", [ANA, other])

    run_import(path)
    said = run_import(path)

    assert SourceRecord.objects.get(source_key="1").given_name == "Ana"
    assert "0 updated, 1 unchanged, 1 skipped" in said


def test_each_import_is_one_audit_entry_with_its_counts(health: Agency, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "padron.csv", [ANA, LUIS, EMPTY])

    run_import(path, "--operator=mgarcia")

    [entry] = AuditEntry.objects.filter(action=Action.IDENTITY_IMPORT)
    assert entry.actor == "command:mgarcia"
    assert entry.object_id == "salud"
    assert entry.detail["file"] == "padron.csv"
    assert (entry.detail["added"], entry.detail["skipped"], entry.detail["flagged"]) == (2, 1, 1)


def test_a_file_that_breaks_half_way_stops_the_import_naming_the_line(
    health: Agency, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "padron.csv", [ANA])
    with path.open("a", encoding="utf-8") as out:
        out.write("2;" + "x" * 200_000 + ";Pérez;;;;;\n")

    with pytest.raises(CommandError, match=r"The import stopped: padron\.csv, line 3"):
        run_import(path)


def test_a_value_longer_than_its_field_is_cut_and_flagged(health: Agency, tmp_path: Path) -> None:
    row = ["5", "Ana", "García", "", "", "", "", "600123456" + "0" * 30]
    path = write_csv(tmp_path / "padron.csv", [row])

    run_import(path)

    record = SourceRecord.objects.get(source_key="5")
    assert len(record.phone) == 30
    assert record.flags == {"phone": "longer than 30 characters, cut"}


def test_a_dni_without_its_letter_and_a_passport_are_told_apart(
    health: Agency, tmp_path: Path
) -> None:
    no_letter = ["5", "Ana", "García", "", "", "12345678", "", ""]
    passport = ["6", "John", "Smith", "", "", "PA1234567", "", ""]
    nie = ["7", "Olga", "Ivanova", "", "", "X1234567L", "", ""]
    path = write_csv(tmp_path / "padron.csv", [no_letter, passport, nie])

    run_import(path)

    flags = dict(SourceRecord.objects.values_list("source_key", "flags"))
    assert flags == {"5": {"identifier": "no check letter"}, "6": {}, "7": {}}


def test_several_fields_can_follow_one_map_option(health: Agency, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "padron.csv", [ANA])

    call_command(
        "identity",
        "import",
        str(path),
        "--agency=salud",
        "--id-column=NUM",
        "--no-progress",
        "--map",
        "given_name=NOMBRE",
        "identifier=DNI",
    )

    record = SourceRecord.objects.get(source_key="1")
    assert (record.given_name, record.identifier, record.family_name_1) == ("Ana", "12345678Z", "")


def test_a_registry_of_many_batches_is_imported_once_and_again_unchanged(
    health: Agency, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importing, "BATCH", 1200)
    people = [[f"K{n}", "Ana", f"Apellido{n}", "", "", "", "", ""] for n in range(2000)]
    path = write_csv(tmp_path / "grande.csv", [*people, people[3]])

    first = run_import(path)
    again = run_import(path)

    assert "2000 added, 0 updated, 0 unchanged, 1 skipped" in first
    assert "0 added, 0 updated, 2000 unchanged, 1 skipped" in again
    assert SourceRecord.objects.filter(agency=health).count() == 2000
