"""The matching model on Spark: a Splink ``SparkAPI`` on a session that has Splink's similarity
functions, and the saved model's SQL conditions rewritten from DuckDB's dialect into Spark's.

The model is always saved as DuckDB writes it, so a version trained on either engine can be
applied on the other. pyspark is imported here only, when a Spark run is asked for: the
application runs without it.
"""

from __future__ import annotations

import copy
import logging
import os
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import sqlglot
from sqlglot import exp

APP_NAME = "ventanilla identity match"

# The similarity functions the model's conditions call, under DuckDB's names. Splink's jar for
# Spark has a Jaro-Winkler of its own that differs from DuckDB's by up to a few hundredths (the
# pair "BLANCO BLANCO" / "BLANCO MOLINA" is 0.920 in DuckDB, 0.911 in the jar: the same model
# would link on one engine and not on the other), so both are defined here from jellyfish,
# which gives DuckDB's values exactly.
FUNCTIONS = ("jaro_winkler_similarity", "damerau_levenshtein")


class SparkUnavailable(Exception):
    """pyspark is not installed."""


@dataclass(frozen=True)
class SparkOptions:
    """Where a Spark run goes. ``master`` is a master URL (``local[4]``, ``spark://host:7077``,
    ``yarn``); empty, the session already running (under ``spark-submit``) is used, or a local
    one. ``work_dir`` holds the intermediate tables Splink writes between steps: on a cluster,
    a path every executor reaches (HDFS, S3, a shared volume); empty, a temporary directory."""

    master: str = ""
    work_dir: str = ""
    conf: Mapping[str, str] = field(default_factory=dict)
    # How Splink cuts a long query plan between steps: Parquet files in ``work_dir`` unless
    # said otherwise ("persist" keeps them in memory, for a small run).
    break_lineage: str = ""


def _rename(node: exp.Expression) -> exp.Expression:
    # sqlglot knows DuckDB's Jaro-Winkler and would write it under a name Spark lacks.
    if isinstance(node, exp.JarowinklerSimilarity):
        return exp.Anonymous(this=FUNCTIONS[0], expressions=[node.this, node.expression])
    return node


def spark_condition(condition: str) -> str:
    """A comparison level's SQL condition, written for DuckDB, as Spark SQL."""
    if condition.strip().upper() == "ELSE":
        return condition
    tree = sqlglot.parse_one(condition, read="duckdb").transform(_rename)
    return tree.sql(dialect="spark")


def for_spark(model: Mapping[str, Any]) -> dict[str, Any]:
    """The model (untrained settings or a saved version) with its comparisons in Spark SQL.
    Blocking rules keep their own ``sql_dialect``: Splink translates those itself."""
    spark_model = copy.deepcopy(dict(model))
    spark_model["sql_dialect"] = "spark"
    for comparison in spark_model["comparisons"]:
        for level in comparison["comparison_levels"]:
            level["sql_condition"] = spark_condition(level["sql_condition"])
    return spark_model


def as_saved(trained: Mapping[str, Any], written: Mapping[str, Any]) -> dict[str, Any]:
    """The model Spark trained, its conditions put back as they were written (DuckDB's).
    Comparisons are matched by name: a trained model may lack one the settings had."""
    saved = copy.deepcopy(dict(trained))
    saved["sql_dialect"] = written.get("sql_dialect", "duckdb")
    saved["blocking_rules_to_generate_predictions"] = copy.deepcopy(
        written["blocking_rules_to_generate_predictions"]
    )
    originals = {c["output_column_name"]: c for c in written["comparisons"]}
    for comparison in saved["comparisons"]:
        original = originals[comparison["output_column_name"]]
        levels = zip(comparison["comparison_levels"], original["comparison_levels"], strict=True)
        for level, original_level in levels:
            level["sql_condition"] = original_level["sql_condition"]
    return saved


def _spark_type(data_type: pa.DataType) -> Any:
    from pyspark.sql import types

    if pa.types.is_boolean(data_type):
        return types.BooleanType()
    if pa.types.is_integer(data_type):
        return types.LongType()
    if pa.types.is_floating(data_type):
        return types.DoubleType()
    return types.StringType()


def spark_frame(session: Any, table: pa.Table) -> Any:
    """The Arrow table as a Spark DataFrame of the same column types (Spark 3 reads no Arrow
    table directly, and through pandas an integer column with NULLs would become a double)."""
    from pyspark.sql import types

    schema = types.StructType(
        [types.StructField(f.name, _spark_type(f.type), nullable=True) for f in table.schema]
    )
    return session.createDataFrame(table.to_pylist(), schema=schema)


def register_functions(session: Any) -> None:
    """DuckDB's similarity functions on the session, as vectorised Python functions: NULL
    when either side is NULL, as in DuckDB. They are defined in here so that Spark ships them
    to its workers by value (the workers need jellyfish, pandas and pyarrow, not Ventanilla)."""
    import jellyfish
    import pandas as pd  # type: ignore[import-untyped]
    from pyspark.sql.pandas.functions import pandas_udf

    def over(function: Any, dtype: str) -> Any:
        def apply(left: pd.Series, right: pd.Series) -> pd.Series:
            values = [
                function(a, b) if isinstance(a, str) and isinstance(b, str) else None
                for a, b in zip(left, right, strict=True)
            ]
            return pd.Series(values, dtype=dtype)

        # pyspark reads the kind of function from its hints, which must be the types
        # themselves, not the names this module's annotations leave.
        apply.__annotations__ = {"left": pd.Series, "right": pd.Series, "return": pd.Series}
        return apply

    session.udf.register(
        FUNCTIONS[0],
        pandas_udf(over(jellyfish.jaro_winkler_similarity, "Float64"), "double"),  # type: ignore[call-overload]
    )
    session.udf.register(
        FUNCTIONS[1],
        pandas_udf(over(jellyfish.damerau_levenshtein_distance, "Int64"), "long"),  # type: ignore[call-overload]
    )


@contextmanager
def spark_api(options: SparkOptions) -> Iterator[Any]:
    """A Splink ``SparkAPI`` on the running session, or on one made for this run (and stopped
    after it), with a checkpoint directory for Splink's intermediate tables."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as error:
        raise SparkUnavailable from error
    from splink.backends.spark import SparkAPI

    # py4j logs its connections closing at interpreter exit, after logging has shut down.
    logging.getLogger("py4j").setLevel(logging.WARNING)

    session = SparkSession.getActiveSession()
    made = session is None
    work = None if options.work_dir else tempfile.TemporaryDirectory(prefix="ventanilla-spark-")
    folder = options.work_dir or (work.name if work else "")
    if session is None:
        # Spark's Python workers run this interpreter (with jellyfish), not the first python3
        # on the PATH, unless the operator chose one.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        builder = (
            SparkSession.builder.appName(APP_NAME)
            .config("spark.ui.enabled", "false")
            # Spark's own tables go with the intermediate ones, not into a spark-warehouse
            # folder wherever the command was started.
            .config("spark.sql.warehouse.dir", os.path.join(folder, "warehouse"))
        )
        if options.master:
            builder = builder.master(options.master)
        for key, value in options.conf.items():
            builder = builder.config(key, value)
        session = builder.getOrCreate()
    try:
        if session.sparkContext.getCheckpointDir() is None:
            session.sparkContext.setCheckpointDir(folder)
        register_functions(session)
        yield SparkAPI(
            spark_session=session,
            register_udfs_automatically=False,
            break_lineage_method=options.break_lineage or None,
        )  # type: ignore[no-untyped-call]
    finally:
        if made:
            session.stop()
        if work is not None:
            work.cleanup()
