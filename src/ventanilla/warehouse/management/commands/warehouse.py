"""``ventanilla warehouse build [--full] [--path FILE]``: copy the operational data into the DuckDB
star schema (a refresh by default), with a progress bar; ``ventanilla warehouse export --format
parquet DIR``: write it as partitioned Parquet for Spark or Trino; ``ventanilla warehouse
opendata DIR [--from DATE] [--to DATE]``: write the anonymous aggregate of service requests as
CSV and JSON, small cells suppressed."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from ventanilla.warehouse.build import WarehouseError, warehouse_build
from ventanilla.warehouse.export import warehouse_export
from ventanilla.warehouse.opendata import open_data_write


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"{text!r} is not a day: write it as 2026-01-31.") from error


class Command(BaseCommand):
    help = (
        "Build the analytical warehouse (a refresh since the last build unless --full) or export "
        "it as partitioned Parquet."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        build = actions.add_parser("build", help="build or refresh the warehouse")
        build.add_argument("--full", action="store_true", help="rebuild every table from scratch")
        build.add_argument("--path", type=Path, default=None, help="the DuckDB file to write")
        build.add_argument("--no-progress", action="store_true", help="no progress bar")
        export = actions.add_parser("export", help="write the warehouse as Parquet")
        export.add_argument("directory", type=Path, help="directory to write the tables under")
        export.add_argument("--format", choices=["parquet"], default="parquet")
        export.add_argument("--path", type=Path, default=None, help="the DuckDB file to read")
        opendata = actions.add_parser(
            "opendata", help="write the anonymous aggregate of service requests (CSV and JSON)"
        )
        opendata.add_argument("directory", type=Path, help="directory to write the files in")
        opendata.add_argument("--path", type=Path, default=None, help="the DuckDB file to read")
        opendata.add_argument(
            "--from", dest="start", type=_day, default=None, help="first day (YYYY-MM-DD)"
        )
        opendata.add_argument("--to", dest="end", type=_day, default=None, help="last day")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "opendata":
                report = open_data_write(
                    directory=options["directory"],
                    path=options["path"],
                    start=options["start"],
                    end=options["end"],
                )
                for file in report.files:
                    self.stdout.write(f"Wrote {file}")
                for table, rows in report.rows.items():
                    self.stdout.write(
                        f"  {table:<12} {rows:>8,} rows, {report.suppressed[table]:,} of them "
                        "suppressed (too few people behind them)"
                    )
                return
            if options["action"] == "export":
                written = warehouse_export(directory=options["directory"], path=options["path"])
                for table, rows in written.items():
                    self.stdout.write(f"{table:<28} {rows:>12,} rows")
                self.stdout.write(f"Parquet written under {options['directory']}.")
                return
            self._build(options)
        except WarehouseError as error:
            raise CommandError(str(error)) from error

    def _build(self, options: dict[str, Any]) -> None:
        bars: dict[str, tqdm[Any]] = {}

        def progress(table: str, done: int, total: int) -> None:
            if options["no_progress"]:
                return
            if table not in bars:
                for bar in bars.values():
                    bar.close()
                bars[table] = tqdm(desc=table, total=total or None, unit="rows", leave=False)
            bars[table].update(done)

        report = warehouse_build(path=options["path"], full=options["full"], progress=progress)
        for bar in bars.values():
            bar.close()
        kind = "Full build" if report.full else "Refresh"
        rate = report.total_read / report.seconds if report.seconds else 0.0
        self.stdout.write(
            f"{kind} of {report.path}: {report.total_read:,} rows read in "
            f"{report.seconds:.1f} s ({rate:,.0f} rows/s)."
        )
        for table, rows in report.rows_held.items():
            removed = report.removed.get(table, 0)
            extra = f", {removed:,} removed" if removed else ""
            self.stdout.write(
                f"  {table:<20} {rows:>12,} rows ({report.rows_read.get(table, 0):,} read{extra})"
            )
