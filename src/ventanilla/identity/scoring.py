"""How likely two records are one person: the active matching model applied to pairs.

A model is the JSON Splink writes when it saves a trained linker (``MatchModel.settings``):
comparisons, each with levels in order (a SQL condition on the ``_l``/``_r`` columns of
``prepare``, and the probabilities m and u of that level among matches and non-matches), and the
prior probability that two records match. Scoring a pair is Fellegi–Sunter as Splink predicts
it: start from the prior's log-odds, add for each comparison the log2 Bayes factor m/u of the
first level whose condition holds (a null level adds nothing; an untrained level, Splink's
default), and turn the sum back into a probability: the same probability Splink predicts.

The model is compiled once per version into a single DuckDB query over a small in-memory table
of pairs, so scoring the few dozen candidates of a keystroke costs about a millisecond instead
of the hundreds Splink's own ``compare_records`` takes to build its pipeline. Term-frequency
adjustments are not applied here: the level's own m/u is used.

With no active model, ``FALLBACK_MODEL`` scores: fixed weights for the fields the console and
the API send, written in the same format, so the same code applies it.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import duckdb
import pyarrow as pa

from ventanilla.identity.features import prepare
from ventanilla.identity.models import MatchModel

FALLBACK_VERSION = 0
logger = logging.getLogger(__name__)


def _level(condition: str, m: float, u: float, label: str) -> dict[str, Any]:
    return {"sql_condition": condition, "m_probability": m, "u_probability": u,
            "label_for_charts": label}  # fmt: skip


def _null(*columns: str) -> dict[str, Any]:
    condition = " OR ".join(f'"{c}_l" IS NULL OR "{c}_r" IS NULL' for c in columns)
    return {"sql_condition": condition, "is_null_level": True, "label_for_charts": "null"}


def _exact(column: str) -> str:
    return f'"{column}_l" = "{column}_r"'


# Used while no model has been trained: the weights of a careful Spanish registry clerk. m is
# how often the level holds for the same person, u for two people drawn at random.
FALLBACK_MODEL: dict[str, Any] = {
    "link_type": "dedupe_only",
    "probability_two_random_records_match": 1e-6,
    "comparisons": [
        {
            "output_column_name": "identifier_number",
            "comparison_levels": [
                _null("identifier_number"),
                _level(_exact("identifier_number"), 0.95, 1e-7, "same number"),
                _level(
                    'damerau_levenshtein("identifier_number_l", "identifier_number_r") <= 1',
                    0.03, 1e-5, "one digit apart",
                ),
                _level("ELSE", 0.02, 0.99999, "different"),
            ],
        },
        {
            "output_column_name": "surnames",
            "comparison_levels": [
                _null("surnames_sorted"),
                _level(_exact("surnames_sorted"), 0.74, 0.0005, "same surnames"),
                _level(
                    '"family_name_1_l" = "family_name_1_r" AND '
                    '("family_name_2_l" IS NULL OR "family_name_2_r" IS NULL)',
                    0.08, 0.001, "same first surname, second one missing",
                ),
                _level(_exact("family_name_1_phonetic"), 0.06, 0.002, "first sounds alike"),
                _level(
                    'jaro_winkler_similarity("surnames_sorted_l", "surnames_sorted_r") >= 0.9',
                    0.08, 0.002, "similar surnames",
                ),
                _level("ELSE", 0.04, 0.9945, "different"),
            ],
        },
        {
            "output_column_name": "given_name",
            "comparison_levels": [
                _null("given_name_called"),
                _level(_exact("given_name_called"), 0.85, 0.01, "same name"),
                _level(_exact("given_name_phonetic"), 0.07, 0.002, "sounds alike"),
                _level(
                    'jaro_winkler_similarity("given_name_called_l", "given_name_called_r") >= 0.88',
                    0.05, 0.01, "similar",
                ),
                _level("ELSE", 0.03, 0.978, "different"),
            ],
        },
        {
            "output_column_name": "birth_date",
            "comparison_levels": [
                _null("birth_date"),
                _level(_exact("birth_date"), 0.90, 0.0003, "same date"),
                _level(
                    '"birth_year_l" = "birth_year_r" AND "birth_day_month_l" = "birth_day_month_r"',
                    0.03, 0.00005, "day and month swapped",
                ),
                _level(
                    'damerau_levenshtein("birth_date_l", "birth_date_r") <= 1',
                    0.03, 0.0004, "one digit apart",
                ),
                _level("ELSE", 0.04, 0.9993, "different"),
            ],
        },
        {
            "output_column_name": "email",
            "comparison_levels": [
                _null("email"),
                _level(_exact("email"), 0.70, 0.0001, "same email"),
                _level("ELSE", 0.30, 0.9999, "different"),
            ],
        },
        {
            "output_column_name": "phone",
            "comparison_levels": [
                _null("phone"),
                _level(_exact("phone"), 0.70, 0.0001, "same phone"),
                _level("ELSE", 0.30, 0.9999, "different"),
            ],
        },
    ],
}  # fmt: skip


def _log2(value: float) -> float:
    return math.log2(value)


# How Splink saves a level that never occurred in training; it weighs it with this m or u.
NOT_OBSERVED = "level not observed in training dataset"


def _default_weights(levels: int) -> list[tuple[float, float]]:
    """The m and u Splink gives a level it has no trained value for, by the level's place
    (index 0 the first level after the null one): 0.95 of matches on the first level, the rest
    spread evenly, and weights from 10 down through 3 … -5 for the last."""
    if levels < 2:
        return [(0.95, 0.95 / 2**10)] * levels
    rest = 0.05 / (levels - 1)
    m_values = [0.95] + [rest] * (levels - 1)
    if levels == 2:
        weights = [10.0, -5.0]
    else:
        step = 8 / (levels - 2)
        weights = [10.0] + [3 - i * step for i in range(levels - 1)]
    return [(m, m / 2**w) for m, w in zip(m_values, weights, strict=True)]


def _probability(value: Any, default: float) -> float:
    if value == NOT_OBSERVED:
        return 1e-6
    return default if value is None else float(value)


def compile_model(settings: Mapping[str, Any]) -> str:
    """One SQL query giving each row of ``pairs`` its match weight (log2 odds), from a model as
    Splink saves it. Levels are tried in order; a null level weighs nothing; a level without a
    trained m or u takes the default Splink itself would use, so scores equal Splink's."""
    prior = float(settings.get("probability_two_random_records_match") or 1e-6)
    terms = [repr(_log2(prior / (1 - prior)))]
    for comparison in settings.get("comparisons", []):
        levels = comparison.get("comparison_levels", [])
        defaults = iter(_default_weights(sum(not level.get("is_null_level") for level in levels)))
        branches = []
        for level in levels:
            condition = str(level.get("sql_condition", "")).strip()
            if level.get("is_null_level"):
                weight = "0.0"
            else:
                default_m, default_u = next(defaults)
                m = _probability(level.get("m_probability"), default_m)
                u = _probability(level.get("u_probability"), default_u)
                weight = repr(_log2(m / u))
            if condition.upper() == "ELSE":
                branches.append(f"ELSE {weight}")
                break
            branches.append(f"WHEN {condition} THEN {weight}")
        if not branches:
            continue
        if not branches[-1].startswith("ELSE"):
            branches.append("ELSE 0.0")
        terms.append("(CASE " + " ".join(branches) + " END)")
    # The conditions are the model's own SQL, as trained and saved by the matching run; they
    # run on a private in-memory DuckDB that holds nothing but the pairs being scored.
    return "SELECT pair, " + " + ".join(terms) + " AS weight FROM pairs ORDER BY pair"  # noqa: S608


@dataclass(frozen=True)
class Scorer:
    version: int
    sql: str
    link_threshold: float
    review_threshold: float

    @cached_property
    def columns(self) -> frozenset[str]:
        """The ``prepare`` values the model reads: only they go into the table of pairs."""
        return frozenset(
            name for name in _prepared_names() if f"{name}_l" in self.sql or f"{name}_r" in self.sql
        )


def _prepared_names() -> list[str]:
    return list(prepare({}))


_compiled: dict[tuple[int, str], Scorer] = {}
_local = threading.local()


def fallback_scorer() -> Scorer:
    key = (FALLBACK_VERSION, "")
    if key not in _compiled:
        _compiled[key] = Scorer(FALLBACK_VERSION, compile_model(FALLBACK_MODEL), 0.99, 0.5)
    return _compiled[key]


def active_scorer() -> Scorer:
    """The newest active model, compiled (once per version per process); the fallback model
    when none is active. One query to learn which model is active."""
    model = (
        MatchModel.objects.filter(active=True)
        .order_by("-version")
        .only("version", "updated_at", "link_threshold", "review_threshold")
        .first()
    )
    if model is None:
        return fallback_scorer()
    key = (model.version, model.updated_at.isoformat())
    if key not in _compiled:
        settings = MatchModel.objects.values_list("settings", flat=True).get(pk=model.pk)
        _compiled[key] = Scorer(
            model.version, compile_model(settings), model.link_threshold, model.review_threshold
        )
    return _compiled[key]


def _connection() -> duckdb.DuckDBPyConnection:
    # A DuckDB connection is not shared between threads: each worker thread has its own.
    con = getattr(_local, "connection", None)
    if con is None:
        con = duckdb.connect(":memory:")
        # The pairs of one lookup are a few dozen rows: one thread plans and runs them fastest.
        con.execute("SET threads = 1")
        # Nor is there anything to optimise in one scan of them: planning cost more than running.
        con.execute("PRAGMA disable_optimizer")
        _local.connection = con
    return con


def _columns(prepared: Mapping[str, Any], read: frozenset[str]) -> dict[str, Any]:
    # Absent values are NULL, so that a model's null levels (IS NULL) see them as absent.
    return {
        name: (None if value == "" else value) for name, value in prepared.items() if name in read
    }


def _schema(row: Mapping[str, Any]) -> pa.Schema:
    # Typed columns, so that a column all absent is still text (or a number) to the model's SQL.
    def kind(name: str) -> pa.DataType:
        base = name.rsplit("_", 1)[0]
        if name == "pair" or base == "birth_year":
            return pa.int64()
        if base == "identifier_valid":
            return pa.bool_()
        return pa.string()

    return pa.schema([(name, kind(name)) for name in row])


def probability(weight: float) -> float:
    return 1 / (1 + 2 ** (-weight)) if weight > -1000 else 0.0


def score_pairs(
    new: Mapping[str, Any], others: Sequence[Mapping[str, Any]], *, scorer: Scorer | None = None
) -> list[float]:
    """The match probability of ``new`` with each of ``others`` (records with the source
    record's field names), in order."""
    if not others:
        return []
    scorer = scorer or active_scorer()
    read = scorer.columns
    left = {f"{name}_l": value for name, value in _columns(prepare(new), read).items()}
    rows = []
    for index, other in enumerate(others):
        right = {f"{name}_r": value for name, value in _columns(prepare(other), read).items()}
        rows.append({"pair": index, **left, **right})
    # One connection per thread, reused: opening a cursor per call costs more than the query.
    con = _connection()
    try:
        con.register("pairs", pa.Table.from_pylist(rows, schema=_schema(rows[0])))
        weights = [row[1] for row in con.execute(scorer.sql).fetchall()]
    except duckdb.Error:
        if scorer.version == FALLBACK_VERSION:
            raise
        # A model reading a column ``prepare`` does not make cannot score here: the built-in
        # weights do, and the log says which model failed, so that registering never stops.
        logger.exception("matching model v%s cannot score candidates", scorer.version)
        return score_pairs(new, others, scorer=fallback_scorer())
    finally:
        con.unregister("pairs")
    return [round(probability(float(weight)), 4) for weight in weights]
