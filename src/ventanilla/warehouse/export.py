"""The warehouse as Parquet, for an administration that outgrows one machine: one directory per
table, the facts partitioned by year and month of their date (Hive style, ``year=2026/month=3``),
which Spark, Trino and DuckDB read as they are."""

from __future__ import annotations

import shutil
from pathlib import Path

from ventanilla.warehouse.build import connect

# The facts, with the date that partitions each.
PARTITIONED = {
    "fact_interaction": "date_key",
    "fact_case": "date_key",
    "fact_case_step": "date_key",
    "fact_appointment": "date_key",
    "fact_survey_response": "date_key",
    "fact_satisfaction": "date_key",
}
WHOLE = (
    "dim_party",
    "dim_party_segment",
    "dim_segment",
    "dim_date",
    "dim_channel",
    "dim_service",
    "dim_agency",
    "dim_office",
    "dim_life_event",
    "dim_district",
    "bridge_service_life_event",
)


def warehouse_export(*, directory: Path, path: Path | None = None) -> dict[str, int]:
    """Write every table of the warehouse at ``path`` under ``directory`` as Parquet, replacing
    an earlier export's tables. Returns the rows written per table."""
    directory.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    with connect(path) as con:
        for table in (*PARTITIONED, *WHOLE):
            target = directory / table
            if target.exists():
                shutil.rmtree(target)
            [(count,)] = con.execute(f"SELECT COUNT(*) FROM {table}").fetchall()  # noqa: S608
            written[table] = int(count)
            quoted = str(target).replace("'", "''")
            # An empty table would leave no file to read: it is written whole, with its columns.
            if table in PARTITIONED and count:
                day = PARTITIONED[table]
                con.execute(
                    f"COPY (SELECT *, year({day}) AS year, month({day}) AS month "  # noqa: S608
                    f"FROM {table}) TO '{quoted}' "
                    "(FORMAT parquet, PARTITION_BY (year, month), COMPRESSION zstd)"
                )
            else:
                target.mkdir()
                con.execute(
                    f"COPY {table} TO '{quoted}/{table}.parquet' "  # noqa: S608
                    "(FORMAT parquet, COMPRESSION zstd)"
                )
    return written
