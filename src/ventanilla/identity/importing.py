"""Importing an agency's registry (a CSV or Parquet file) into source records.

Registries are dirty, and a record is evidence even when incomplete: a field that fails
validation is kept as the registry wrote it and named in the record's ``flags`` ({field:
reason}) and in a validation report; only a row with nothing to match on is skipped. The file is
read in batches, never whole, and each batch is written in one transaction, so a million rows
take bounded memory. Records are upserted by (agency, source key): importing the same file again
writes nothing.

A birth date that is not a date cannot be kept in the date column: the column stays empty and
the text as written survives in the flag, after the reason: ``{"birth_date": "not a date:
31/02/1980"}`` (``written_birth_date`` reads it back).
"""

from __future__ import annotations

import codecs
import csv
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from stdnum.es import cif, dni, nie, nif

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require_operator
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_record
from ventanilla.catalog.models import Agency
from ventanilla.catalog.services import agency_ensure
from ventanilla.core.errors import DomainError
from ventanilla.identity.models import SourceRecord

# The source record's fields a registry's columns can be mapped to, in the model's order.
FIELDS = (
    "given_name",
    "family_name_1",
    "family_name_2",
    "birth_date",
    "identifier",
    "address",
    "postal_code",
    "city",
    "email",
    "phone",
)
# A row with none of these filled has nothing to match on, and is skipped.
MATCHABLE = ("given_name", "family_name_1", "family_name_2", "identifier", "email", "phone")
# Rows read and written together, in one transaction: memory stays bounded by this many rows.
BATCH = 5000
_LOOKUP = 900
REPORT_COLUMNS = ("row", "column", "field", "value_kind", "reason")
_PARQUET_MAGIC = b"PAR1"
_SNIFF_BYTES = 64 * 1024

# The reasons a field is flagged or a row skipped: stable English phrases, stored in ``flags``
# and written in the report.
WRONG_CHECK_LETTER = "wrong check letter"
NO_CHECK_LETTER = "no check letter"
NOT_AN_IDENTIFIER = "not a DNI, NIE, NIF or passport number"
NOT_A_DATE = "not a date"
DATE_IN_FUTURE = "a birth date in the future"
DATE_TOO_OLD = "a birth date before 1900"
NOT_AN_EMAIL = "not an email address"
NOT_A_PHONE = "not a phone number"
NOTHING_TO_MATCH = "nothing to match on (no name, identifier, email or phone)"
NO_ID = "no id"
ID_TOO_LONG = "id longer than 60 characters"
REPEATED_ID = "the same id as an earlier row"

_DNI_SHAPE = re.compile(r"^\d{1,8}[A-Z]$")
_NIE_SHAPE = re.compile(r"^[XYZ]\d{7}[A-Z]$")
_NUMBER_ONLY = re.compile(r"^(\d{7,8}|[XYZ]\d{7})$")


class RegistryError(DomainError):
    """The file or the options cannot be imported as given; nothing was written."""

    code = "registry-error"


class ImportStopped(RegistryError):
    """The file could not be read to its end; the batches before the error were written."""


@dataclass(frozen=True)
class Problem:
    """One line of the validation report: never the value itself, only its shape."""

    row: int
    column: str
    field: str
    value_kind: str
    reason: str


@dataclass
class ImportResult:
    agency: str
    agency_created: bool = False
    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    flagged: int = 0
    report: str = ""

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "flagged": self.flagged,
        }


# --- reading -------------------------------------------------------------------------------


@dataclass
class Registry:
    """An open registry file: its columns, how many rows it holds (an estimate for CSV, whose
    quoted values may span lines), and its rows one at a time as {column: text}."""

    path: Path
    columns: list[str]
    total: int
    read: Callable[[Sequence[str]], Iterator[dict[str, str]]]
    encoding: str = ""
    delimiter: str = ""


def open_registry(path: Path, *, delimiter: str | None = None) -> Registry:
    try:
        with path.open("rb") as head:
            magic = head.read(4)
    except OSError as error:
        raise RegistryError(f"{path}: cannot be read ({error.strerror}).") from error
    if magic == _PARQUET_MAGIC:
        return _open_parquet(path)
    return _open_csv(path, delimiter)


def _csv_encoding(path: Path) -> tuple[str, int]:
    """UTF-8 (with or without its byte-order mark) when every byte decodes as such, else
    Latin-1; and the number of lines. One pass in chunks: the file is never held whole."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8, lines = True, 0
    with path.open("rb") as source:
        for chunk in iter(lambda: source.read(1 << 20), b""):
            lines += chunk.count(b"\n")
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
        if utf8:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8 = False
    return ("utf-8-sig" if utf8 else "latin-1"), lines


def _open_csv(path: Path, delimiter: str | None) -> Registry:
    encoding, lines = _csv_encoding(path)
    with path.open(encoding=encoding, newline="") as source:
        sample = source.read(_SNIFF_BYTES)
    if not sample.strip():
        raise RegistryError(f"{path}: the file is empty.")
    if delimiter is None:
        # Whole lines only: a line cut in the middle would mislead the sniffer.
        whole = sample[: sample.rfind("\n") + 1] or sample
        try:
            delimiter = csv.Sniffer().sniff(whole, delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
    elif len(delimiter) != 1:
        raise RegistryError(f"The delimiter must be one character, not {delimiter!r}.")
    with path.open(encoding=encoding, newline="") as source:
        header = next(csv.reader(source, delimiter=delimiter), [])
    columns = [name.strip() for name in header]

    def read(wanted: Sequence[str]) -> Iterator[dict[str, str]]:
        positions = [(name, columns.index(name)) for name in wanted]
        with path.open(encoding=encoding, newline="") as source:
            rows = csv.reader(source, delimiter=delimiter)
            try:
                next(rows, None)
                for row in rows:
                    yield {
                        name: row[position] if position < len(row) else ""
                        for name, position in positions
                    }
            except csv.Error as error:  # a value of more than 128 KiB, a broken quote
                raise RegistryError(
                    f"{path.name}, line {rows.line_num}: cannot be read as CSV ({error})."
                ) from error

    return Registry(path, columns, max(lines - 1, 0), read, encoding, delimiter)


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        # A phone or postal code a spreadsheet stored as a number: 600123456.0 -> 600123456.
        return str(int(value))
    return str(value)


def _open_parquet(path: Path) -> Registry:
    import pyarrow.parquet as pq  # only Parquet files need it

    try:
        parquet = pq.ParquetFile(path)
    except Exception as error:  # pyarrow raises several kinds for a broken file
        raise RegistryError(f"{path}: not a readable Parquet file ({error}).") from error
    columns = list(parquet.schema_arrow.names)

    def read(wanted: Sequence[str]) -> Iterator[dict[str, str]]:
        for batch in parquet.iter_batches(batch_size=BATCH, columns=list(dict.fromkeys(wanted))):
            for row in batch.to_pylist():
                yield {name: _as_text(row.get(name)) for name in wanted}

    return Registry(path, columns, parquet.metadata.num_rows, read)


# --- the mapping ---------------------------------------------------------------------------


def parse_mapping(items: Iterable[str]) -> dict[str, str]:
    """``["given_name=NOMBRE", ...]`` as {field: column}, refusing unknown or repeated fields."""
    mapping: dict[str, str] = {}
    for item in items:
        name, equals, column = item.partition("=")
        name, column = name.strip(), column.strip()
        if not equals or not name or not column:
            raise RegistryError(f"--map {item!r}: write it as FIELD=COLUMN.")
        if name not in FIELDS:
            raise RegistryError(
                f"--map {item!r}: unknown field {name!r}; the fields are {', '.join(FIELDS)}."
            )
        if name in mapping:
            raise RegistryError(f"--map: the field {name!r} is mapped twice.")
        mapping[name] = column
    return mapping


def _check_columns(registry: Registry, id_column: str, mapping: dict[str, str]) -> None:
    missing = [c for c in (id_column, *mapping.values()) if c not in registry.columns]
    if missing:
        names = ", ".join(repr(c) for c in dict.fromkeys(missing))
        found = ", ".join(repr(c) for c in registry.columns)
        raise RegistryError(
            f"{registry.path.name}: no column {names} in the file; its columns are {found}."
        )


# --- validation ----------------------------------------------------------------------------


def value_kind(value: str) -> str:
    """The shape of a value without the value: digits as 9, letters as A or a, the rest as
    written, cut at 30 characters ('31/02/1980' -> '99/99/9999')."""
    shape = "".join(
        "9" if ch.isdigit() else ("A" if ch.isupper() else "a") if ch.isalpha() else ch
        for ch in value[:30]
    )
    return shape + ("…" if len(value) > 30 else "") if value else "empty"


def _check_identifier(value: str) -> str | None:
    compact = "".join(ch for ch in value.upper() if ch.isalnum())
    if any(module.is_valid(compact) for module in (dni, nie, nif, cif)):
        return None
    if _DNI_SHAPE.match(compact) and dni.is_valid(compact.zfill(9)):
        return None  # a DNI whose leading zeros were dropped
    if _DNI_SHAPE.match(compact) or _NIE_SHAPE.match(compact):
        return WRONG_CHECK_LETTER
    if _NUMBER_ONLY.match(compact):
        return NO_CHECK_LETTER
    if 5 <= len(compact) <= 20 and len(compact) >= len(value.strip()) - 2:
        return None  # another document, such as a passport
    return NOT_AN_IDENTIFIER


def _parse_birth_date(value: str) -> tuple[date | None, str | None]:
    text = value.strip()
    try:
        born = date.fromisoformat(text[:10] if len(text) > 10 and text[10] in "T " else text)
    except ValueError:
        return None, NOT_A_DATE
    if born > timezone.localdate():
        return None, DATE_IN_FUTURE
    if born.year < 1900:
        return None, DATE_TOO_OLD
    return born, None


def _check_email(value: str) -> str | None:
    try:
        validate_email(value)
    except ValidationError:
        return NOT_AN_EMAIL
    return None


def _check_phone(value: str) -> str | None:
    try:
        number = phonenumbers.parse(value, "ES")
    except phonenumbers.NumberParseException:
        return NOT_A_PHONE
    return None if phonenumbers.is_valid_number(number) else NOT_A_PHONE


_CHECKS: dict[str, Callable[[str], str | None]] = {
    "identifier": _check_identifier,
    "email": _check_email,
    "phone": _check_phone,
}
_MAX_LENGTH: dict[str, int] = {
    name: getattr(SourceRecord._meta.get_field(name), "max_length", None) or 0 for name in FIELDS
}


def written_birth_date(record: SourceRecord) -> str:
    """The birth date as the registry wrote it, when it was not a date ('' otherwise)."""
    reason = record.flags.get("birth_date", "")
    return reason.split(": ", 1)[1] if ": " in reason else ""


@dataclass
class _Row:
    number: int
    key: str
    values: dict[str, Any]
    flags: dict[str, str] = field(default_factory=dict)


def _clean(
    number: int, raw: dict[str, str], id_column: str, mapping: dict[str, str]
) -> tuple[_Row | None, list[Problem]]:
    """One registry row as a source record's values and flags, and what the report says of it;
    None when the row is skipped."""
    key = raw[id_column].strip()
    texts = {name: raw[column].strip() for name, column in mapping.items()}
    if not any(texts.get(name) for name in MATCHABLE):
        return None, [Problem(number, "", "", "", NOTHING_TO_MATCH)]
    if not key:
        return None, [Problem(number, id_column, "", "empty", NO_ID)]
    if len(key) > 60:
        return None, [Problem(number, id_column, "", value_kind(key), ID_TOO_LONG)]
    row = _Row(number, key, {})
    problems: list[Problem] = []
    for name, text in texts.items():
        reason: str | None = None
        if name == "birth_date":
            born, reason = _parse_birth_date(text) if text else (None, None)
            row.values[name] = born
            if reason:
                row.flags[name] = f"{reason}: {text[:100]}"
        else:
            limit = _MAX_LENGTH[name]
            if len(text) > limit:
                reason = f"longer than {limit} characters, cut"
                text = text[:limit]
            elif text and name in _CHECKS:
                reason = _CHECKS[name](text)
            row.values[name] = text
            if reason:
                row.flags[name] = reason
        if reason:
            kind = value_kind(raw[mapping[name]])
            problems.append(Problem(number, mapping[name], name, kind, reason))
    return row, problems


# --- writing -------------------------------------------------------------------------------


def _agency(code: str, create_as: str) -> tuple[Agency, bool]:
    agency = Agency.objects.filter(code=code).first()
    if agency is not None:
        return agency, False
    if not create_as:
        raise RegistryError(
            f"No agency with the code {code!r}. Check the code, or add "
            '--create-agency "Its name" to create it.'
        )
    return agency_ensure(code=code, kind=Agency.Kind.AGENCY, name_es=create_as), True


def _write_batch(
    agency: Agency, rows: dict[str, _Row], mapped: Sequence[str], result: ImportResult
) -> None:
    """Add the rows that are new, update those that changed, leave the rest alone."""
    keys = list(rows)
    existing: dict[str, SourceRecord] = {}
    # In slices: an SQLite built before 3.32 takes at most 999 values in one query.
    for start in range(0, len(keys), _LOOKUP):
        found = SourceRecord.objects.filter(
            agency=agency, source_key__in=keys[start : start + _LOOKUP]
        ).only("id", "source_key", "flags", *mapped)
        existing.update((record.source_key, record) for record in found)
    now = timezone.now()
    added: list[SourceRecord] = []
    changed: list[SourceRecord] = []
    for key, row in rows.items():
        record = existing.get(key)
        if record is None:
            added.append(SourceRecord(agency=agency, source_key=key, flags=row.flags, **row.values))
            continue
        # Fields the file does not map keep their values, and their flags.
        flags = {k: v for k, v in record.flags.items() if k not in mapped} | row.flags
        if flags == record.flags and all(
            getattr(record, name) == value for name, value in row.values.items()
        ):
            result.unchanged += 1
            continue
        for name, value in row.values.items():
            setattr(record, name, value)
        record.flags = flags
        record.updated_at = now
        changed.append(record)
    SourceRecord.objects.bulk_create(added, batch_size=1000)
    if changed:
        SourceRecord.objects.bulk_update(changed, [*mapped, "flags", "updated_at"], batch_size=500)
    result.added += len(added)
    result.updated += len(changed)


def registry_import(
    *,
    actor: Actor,
    path: Path,
    agency_code: str,
    id_column: str,
    mapping: dict[str, str],
    create_agency: str = "",
    delimiter: str | None = None,
    report_path: Path | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import the registry at ``path`` as the source records of the agency ``agency_code``,
    the source key read from ``id_column`` and each field from the column ``mapping`` names.

    Everything that could refuse the file (an unknown field or column, an unknown agency
    without ``create_agency``) is checked before anything is written. The validation report is
    written to ``report_path`` (by default next to the file, ``<name>.report.csv``). One audit
    entry records the import, with its counts, in the transaction of the last batch; an import
    that fails half-way records what it had written before the error goes on.
    ``on_progress(rows read, rows expected)`` follows the batches."""
    require_operator(actor, what="identity import")
    unknown = set(mapping) - set(FIELDS)
    if unknown:
        raise RegistryError(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    registry = open_registry(path, delimiter=delimiter)
    _check_columns(registry, id_column, mapping)
    report_path = report_path or path.with_name(f"{path.stem}.report.csv")
    if not os.access(report_path.parent, os.W_OK):
        raise RegistryError(f"The report cannot be written in {report_path.parent}.")
    agency, created = _agency(agency_code, create_agency)
    result = ImportResult(agency=agency.code, agency_created=created, report=str(report_path))
    mapped = list(mapping)
    detail: dict[str, Any] = {
        "file": path.name,
        "agency": agency.code,
        "agency_created": created,
        "id_column": id_column,
        "mapping": mapping,
        "report": str(report_path),
    }

    def record(**more: Any) -> None:
        audit_record(
            actor=actor,
            action=Action.IDENTITY_IMPORT,
            object_type="agency",
            object_id=agency.code,
            detail={**detail, **result.counts(), **more},
        )

    # A hash of each key seen, not the key: a million of them stay a few tens of megabytes.
    seen: set[int] = set()
    audited = False
    try:
        with report_path.open("w", encoding="utf-8", newline="") as report_file:
            report = csv.writer(report_file)
            report.writerow(REPORT_COLUMNS)
            batch: dict[str, _Row] = {}
            raw_rows = registry.read([id_column, *mapping.values()])
            for number, raw in enumerate(raw_rows, start=1):
                result.rows = number
                row, problems = _clean(number, raw, id_column, mapping)
                if row is not None and hash(row.key) in seen:
                    problems = [Problem(number, id_column, "", value_kind(row.key), REPEATED_ID)]
                    row = None
                report.writerows(_safe_row(problem) for problem in problems)
                if row is None:
                    result.skipped += 1
                    continue
                seen.add(hash(row.key))
                result.flagged += bool(row.flags)
                batch[row.key] = row
                if len(batch) >= BATCH:
                    with transaction.atomic():
                        _write_batch(agency, batch, mapped, result)
                    batch = {}
                    if on_progress:
                        on_progress(number, max(registry.total, number))
            with transaction.atomic():
                _write_batch(agency, batch, mapped, result)
                record()
                audited = True
    except RegistryError as error:
        if not audited and result.added + result.updated:
            record(interrupted=True)
        raise ImportStopped(
            f"{error.message} The rows before it were written ({result.added} added, "
            f"{result.updated} updated); import the file again once it is mended."
        ) from error
    except BaseException:
        # Rows already committed were written by this import: the log says so, then the
        # error goes on (an interrupted import can be run again; it resumes by upserting).
        if not audited and result.added + result.updated:
            record(interrupted=True)
        raise
    if on_progress:
        on_progress(result.rows, result.rows)
    return result


def _safe_row(problem: Problem) -> list[str]:
    return [
        str(problem.row),
        spreadsheet_safe(problem.column),
        problem.field,
        spreadsheet_safe(problem.value_kind),
        problem.reason,
    ]


def spreadsheet_safe(value: str) -> str:
    """A cell that would start a spreadsheet formula, prefixed with ' so it stays text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
