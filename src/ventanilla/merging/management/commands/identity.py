"""``ventanilla identity import|match|export|trust``: an agency's registry in, its records linked
to golden parties (training a new model version on the way), the links out, and the order in
which agencies' registers are trusted. Each subcommand is a pair of functions here (its
arguments, its run); the work is in the identity and merging apps' modules. The command lives in
``merging``, above both, so that it may call either."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from tqdm import tqdm

from ventanilla.access.actors import Actor
from ventanilla.core.errors import DomainError, ValidationFailed
from ventanilla.identity.exporting import source_links_export
from ventanilla.identity.importing import FIELDS, ImportStopped, parse_mapping, registry_import
from ventanilla.identity.linkage import BACKENDS
from ventanilla.identity.matching import STAGES, identity_match
from ventanilla.identity.spark_backend import SparkOptions
from ventanilla.merging.selectors import source_trust_order
from ventanilla.merging.services import source_trust_set

_STAGE_NAMES = {
    "load": "reading records and parties",
    "prior": "estimating how often two records match",
    "u": "learning how often non-matches agree (u)",
    "m": "learning how often matches agree (m, EM)",
    "score": "scoring candidate pairs",
    "cluster": "clustering the links",
    "write": "linking records to parties",
}


def _operator(options: dict[str, Any]) -> Actor:
    # Run by whoever operates the installation; the name they give is recorded, as `gdpr` does.
    return Actor(label=f"command:{options['operator']}", sees_everything=True)


def _progress(options: dict[str, Any], unit: str) -> tuple[Callable[[int, int], None], tqdm[Any]]:
    bar = tqdm(unit=unit, disable=options["no_progress"])

    def follow(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    return follow, bar


def add_import_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="the registry: a CSV file (any delimiter) or a Parquet file")
    parser.add_argument("--agency", required=True, help="code of the agency the registry is of")
    parser.add_argument(
        "--id-column", required=True, help="the column holding each record's id in the registry"
    )
    parser.add_argument(
        "--map",
        action="extend",
        nargs="+",
        default=[],
        metavar="FIELD=COLUMN",
        help=f"read FIELD from COLUMN; FIELD is one of {', '.join(FIELDS)}",
    )
    parser.add_argument(
        "--create-agency",
        default="",
        metavar="NAME",
        help="create the agency with this name when no agency has the code",
    )
    parser.add_argument("--delimiter", help="the CSV delimiter (default: guessed from the file)")
    parser.add_argument(
        "--report", help="where to write the validation report (default: FILE.report.csv)"
    )


def run_import(command: BaseCommand, options: dict[str, Any]) -> None:
    path = Path(options["file"])
    follow, bar = _progress(options, "rows")
    try:
        result = registry_import(
            actor=_operator(options),
            path=path,
            agency_code=options["agency"],
            id_column=options["id_column"],
            mapping=parse_mapping(options["map"]),
            create_agency=options["create_agency"],
            delimiter=options["delimiter"],
            report_path=Path(options["report"]) if options["report"] else None,
            on_progress=follow,
        )
    except ImportStopped as error:
        raise CommandError(f"The import stopped: {error.message}") from error
    except DomainError as error:
        raise CommandError(f"Nothing was imported: {error.message}") from error
    finally:
        bar.close()
    if result.agency_created:
        command.stdout.write(f"Agency {result.agency} created.")
    command.stdout.write(
        f"{path.name} into {result.agency}: {result.rows} rows read; {result.added} added, "
        f"{result.updated} updated, {result.unchanged} unchanged, {result.skipped} skipped, "
        f"{result.flagged} flagged. Validation report: {result.report}"
    )


def add_match_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--agencies", nargs="+", default=[], metavar="CODE", help="only these agencies' records"
    )
    parser.add_argument(
        "--backend",
        choices=BACKENDS,
        default="duckdb",
        help="the engine that trains the model and scores the pairs (default: duckdb); spark "
        "needs the spark extra and Java 17",
    )
    parser.add_argument(
        "--spark-master",
        default="",
        metavar="URL",
        help="with --backend spark: the master URL (local[4], spark://host:7077, yarn); "
        "default: the session spark-submit started, else local",
    )
    parser.add_argument(
        "--spark-work-dir",
        default="",
        metavar="DIR",
        help="with --backend spark: where Splink writes its intermediate tables; on a cluster "
        "a path every executor reaches (default: a temporary directory)",
    )


def run_match(command: BaseCommand, options: dict[str, Any]) -> None:
    show = not options["no_progress"]
    bar = tqdm(total=len(STAGES), unit="stage", file=sys.stderr, disable=not show)

    def stage(name: str) -> None:
        bar.set_description(_STAGE_NAMES[name])
        bar.update(1)

    def progress(items: Any) -> Any:
        return tqdm(items, unit="clusters", file=sys.stderr, disable=not show, leave=False)

    try:
        summary = identity_match(
            actor=_operator(options),
            agencies=options["agencies"],
            stage=stage,
            progress=progress,
            backend=options["backend"],
            spark=SparkOptions(master=options["spark_master"], work_dir=options["spark_work_dir"]),
        )
    except ValidationFailed as error:
        raise CommandError(" ".join(str(m) for m in error.errors.values())) from error
    finally:
        bar.close()
    if summary.model_version is None:
        command.stdout.write(
            f"Nothing to match: all {summary.records} records already belong to a party."
        )
        return
    command.stdout.write(
        f"Model v{summary.model_version}: {summary.records} records, "
        f"{summary.already_linked} already linked, {summary.linked_by_rule} linked by rule, "
        f"{summary.linked_by_model} by the model, {summary.new_parties} new parties, "
        f"{summary.reviews} pairs to review."
    )
    if summary.labels:
        command.stdout.write(f"{summary.labels} pairs decided by people counted in training.")
    if summary.unlinked:
        command.stdout.write(f"{summary.unlinked} records have no name to register a party by.")


def add_export_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--output", required=True, help="the CSV file to write")
    parser.add_argument(
        "--agencies", nargs="+", default=[], metavar="CODE", help="only these agencies' records"
    )


def run_export(command: BaseCommand, options: dict[str, Any]) -> None:
    path = Path(options["output"])
    follow, bar = _progress(options, "records")
    try:
        with path.open("w", encoding="utf-8", newline="") as into:
            written = source_links_export(
                actor=_operator(options),
                into=into,
                agency_codes=options["agencies"],
                on_progress=follow,
            )
    except DomainError as error:
        path.unlink(missing_ok=True)
        raise CommandError(f"Nothing was exported: {error.message}") from error
    finally:
        bar.close()
    command.stdout.write(f"{written} source records written to {path}.")


def add_trust_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--order",
        nargs="*",
        metavar="CODE",
        help="set the whole order, most trusted first; agencies left out come after them all "
        "(--order alone empties it)",
    )


def run_trust(command: BaseCommand, options: dict[str, Any]) -> None:
    # The command speaks English, as its other subcommands do: the refusal and the agencies'
    # names too, whatever the installation's default language.
    with translation.override("en"):
        _run_trust(command, options)


def _run_trust(command: BaseCommand, options: dict[str, Any]) -> None:
    if options["order"] is not None:
        try:
            source_trust_set(actor=_operator(options), agency_codes=options["order"])
        except ValidationFailed as error:
            raise CommandError(f"Nothing was changed: {error.message}") from error
    order = source_trust_order()
    if order.ranked:
        command.stdout.write(
            "Trusted, most first, when two registers verified the same day differ:"
        )
        for rank, agency in enumerate(order.ranked, 1):
            command.stdout.write(f"  {rank}. {agency.name} ({agency.code})")
    else:
        command.stdout.write("No agency is ranked: every register is trusted alike.")
    if order.unranked:
        command.stdout.write("Not ranked (they come after all those above):")
        for agency in order.unranked:
            command.stdout.write(f"  - {agency.name} ({agency.code})")


SUBCOMMANDS: dict[str, tuple[str, Callable[..., None], Callable[[BaseCommand, Any], None]]] = {
    "import": (
        "read an agency's registry into source records; importing it again changes nothing",
        add_import_arguments,
        run_import,
    ),
    "match": (
        "link every unlinked source record to exactly one party, training a new model version",
        add_match_arguments,
        run_match,
    ),
    "export": (
        "write one CSV row per source record with the party it belongs to",
        add_export_arguments,
        run_export,
    ),
    "trust": (
        "show the order in which agencies' registers are trusted, or set it with --order",
        add_trust_arguments,
        run_trust,
    ),
}


class Command(BaseCommand):
    help = (
        "Import an agency's registry of people, match records to parties, export which party "
        "each record belongs to, or order the agencies' registers by trust."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for name, (help_text, add, _run) in SUBCOMMANDS.items():
            subparser = sub.add_parser(name, help=help_text)
            add(subparser)
            subparser.add_argument("--no-progress", action="store_true")
            subparser.add_argument(
                "--operator", default="operator", help="who runs it, for the audit log"
            )

    def handle(self, *args: Any, **options: Any) -> None:
        SUBCOMMANDS[options["action"]][2](self, options)
