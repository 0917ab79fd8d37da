"""The matching model itself, apart from the database: Splink's settings for Spanish identity
data, its training (u by random sampling, m by EM, the prior from deterministic rules), the
scoring of candidate pairs, and the clustering of the links under the rules that no model may
override.

Rows are ``prepare()``'s values under its own names (an absent value as NULL) with a
``unique_id`` and an ``origin`` ("record" or "party"). The configuration is chosen once and is
the same for every data set: the seed's town, an agency's registry or FEBRL.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import duckdb
import pyarrow as pa

from ventanilla.identity.spark_backend import (
    SparkOptions,
    as_saved,
    for_spark,
    spark_api,
    spark_frame,
)

# The engines that score pairs: DuckDB in the process, or Spark (pyspark, installed with the
# ``spark`` extra) from a laptop to a cluster. The saved model is the same on both.
Backend = Literal["duckdb", "spark"]
BACKENDS: tuple[Backend, ...] = ("duckdb", "spark")

# Match probabilities at or above LINK are linked without a person; from REVIEW up to LINK a
# person decides. 0.99 keeps the automatic links' precision above what a clerk achieves by hand
# (one wrong link in a hundred at the very edge of the band, far fewer above it); 0.5 is where
# the model thinks a link more likely than not, below which a reviewer's time is mostly wasted.
LINK_THRESHOLD = 0.99
REVIEW_THRESHOLD = 0.5

# Random sampling for u is seeded, so a run on the same data trains the same model.
SEED = 2026
U_MAX_PAIRS = 2e6

# Prediction rows are read from the engine this many at a time.
_FETCH = 100_000

# The columns of ``prepare()`` a model reads, with their DuckDB types.
COLUMNS: dict[str, pa.DataType] = {
    "given_name": pa.string(),
    "given_name_first": pa.string(),
    "given_name_called": pa.string(),
    "family_name_1": pa.string(),
    "family_name_2": pa.string(),
    "surnames_sorted": pa.string(),
    "family_name_1_phonetic": pa.string(),
    "given_name_phonetic": pa.string(),
    "identifier_number": pa.string(),
    "identifier_valid": pa.bool_(),
    "birth_date": pa.string(),
    "birth_year": pa.int64(),
    "birth_day_month": pa.string(),
    "email": pa.string(),
    "email_user": pa.string(),
    "phone": pa.string(),
    "postal_code": pa.string(),
    "city": pa.string(),
    "address": pa.string(),
}


def _q(column: str, side: str) -> str:
    return f'"{column}_{side}"'


def _null(*columns: str) -> dict[str, Any]:
    condition = " OR ".join(f"{_q(c, 'l')} IS NULL OR {_q(c, 'r')} IS NULL" for c in columns)
    return {"sql_condition": condition, "label_for_charts": "missing", "is_null_level": True}


def _level(condition: str, label: str, m: float, u: float, tf: str = "") -> dict[str, Any]:
    # m and u given here are where training starts, and what stays when a level is never seen
    # in the training pairs (a small registry): a careful clerk's estimates.
    level: dict[str, Any] = {
        "sql_condition": condition,
        "label_for_charts": label,
        "m_probability": m,
        "u_probability": u,
    }
    if tf:
        level["tf_adjustment_column"] = tf
        level["tf_adjustment_weight"] = 1.0
    return level


def _same(column: str) -> str:
    return f"{_q(column, 'l')} = {_q(column, 'r')}"


def _jw(column: str, at_least: float) -> str:
    return f"jaro_winkler_similarity({_q(column, 'l')}, {_q(column, 'r')}) >= {at_least}"


def _dl(column: str, at_most: int) -> str:
    return f"damerau_levenshtein({_q(column, 'l')}, {_q(column, 'r')}) <= {at_most}"


def _comparison(name: str, description: str, *levels: dict[str, Any]) -> dict[str, Any]:
    return {
        "output_column_name": name,
        "comparison_description": description,
        "comparison_levels": list(levels),
    }


_ONE_SURNAME_MISSING = (
    '(("family_name_2_l" IS NULL AND "family_name_1_l" IN ("family_name_1_r", "family_name_2_r"))'
    ' OR ("family_name_2_r" IS NULL AND "family_name_1_r" IN ("family_name_1_l", '
    '"family_name_2_l")))'
)
_NAMES_CROSSED = (
    '"given_name_called_l" = "family_name_1_r" AND "family_name_1_l" = "given_name_called_r"'
)
_BIRTH_SWAPPED = '"birth_year_l" = "birth_year_r" AND "birth_day_month_l" = "birth_day_month_r"'
_BIRTH_YEAR_OFF = (
    'abs("birth_year_l" - "birth_year_r") = 1 AND '
    'substr("birth_date_l", 6) = substr("birth_date_r", 6)'
)
_BOTH_VALID = '"identifier_valid_l" AND "identifier_valid_r"'


def _comparisons() -> list[dict[str, Any]]:
    return [
        _comparison(
            "given_name",
            "Given name: the one a person is called by, compound names, typos",
            _null("given_name_called"),
            _level(_same("given_name"), "same name", 0.80, 0.01),
            _level(
                f"{_same('given_name_called')} OR {_same('given_name_first')}",
                "same name called by",
                0.06,
                0.002,
            ),
            _level(_NAMES_CROSSED, "given name and surname crossed", 0.005, 0.00001),
            _level(_same("given_name_phonetic"), "sounds alike", 0.03, 0.002),
            _level(_jw("given_name_called", 0.92), "one typo", 0.05, 0.003),
            _level(_jw("given_name_called", 0.8), "similar", 0.02, 0.03),
            _level("ELSE", "different", 0.035, 0.95),
        ),
        _comparison(
            "surnames",
            "Surnames: either order, a missing second surname, typos",
            _null("surnames_sorted"),
            # Either order: the sorted pair is the same. Its weight is adjusted by how common
            # the pair is (a García García is weaker evidence than an Azcárate Olaizola).
            _level(_same("surnames_sorted"), "same surnames", 0.84, 0.0005, tf="surnames_sorted"),
            _level(_ONE_SURNAME_MISSING, "one surname missing", 0.04, 0.0005),
            _level(
                f"{_jw('surnames_sorted', 0.92)} OR {_dl('surnames_sorted', 1)}",
                "one typo",
                0.06,
                0.0005,
            ),
            _level(_same("family_name_1_phonetic"), "first surname sounds alike", 0.02, 0.003),
            _level(_jw("surnames_sorted", 0.8), "similar", 0.01, 0.02),
            _level("ELSE", "different", 0.03, 0.975),
        ),
        _comparison(
            "identifier",
            "DNI or NIE number: the same, one digit off or transposed, or different",
            _null("identifier_number"),
            _level(
                f"{_same('identifier_number')} AND {_BOTH_VALID}",
                "same valid identifier",
                0.85,
                0.000001,
            ),
            _level(_same("identifier_number"), "same number", 0.08, 0.000001),
            _level(_dl("identifier_number", 1), "one digit off", 0.04, 0.00002),
            _level("ELSE", "different", 0.03, 0.99998),
        ),
        _comparison(
            "birth_date",
            "Birth date: the same, day and month swapped, one digit or a year off",
            _null("birth_date"),
            _level(_same("birth_date"), "same date", 0.88, 0.0003),
            _level(_BIRTH_SWAPPED, "day and month swapped", 0.02, 0.00002),
            _level(_dl("birth_date", 1), "one digit off", 0.04, 0.003),
            _level(_BIRTH_YEAR_OFF, "a year off", 0.02, 0.0003),
            _level("ELSE", "different", 0.04, 0.996),
        ),
        _comparison(
            "email",
            "Email: the same address, or the same user at another provider",
            _null("email"),
            _level(_same("email"), "same email", 0.75, 0.0001),
            _level(_same("email_user"), "same user", 0.05, 0.0001),
            _level("ELSE", "different", 0.20, 0.9998),
        ),
        _comparison(
            "phone",
            "Phone number",
            _null("phone"),
            _level(_same("phone"), "same phone", 0.75, 0.0001),
            _level("ELSE", "different", 0.25, 0.9999),
        ),
        _comparison(
            "address",
            "Address and postal code: the same address, a similar one, the same postal code",
            {
                "sql_condition": '("postal_code_l" IS NULL OR "postal_code_r" IS NULL) AND '
                '("address_l" IS NULL OR "address_r" IS NULL)',
                "label_for_charts": "missing",
                "is_null_level": True,
            },
            _level(_same("address"), "same address", 0.60, 0.0005),
            _level(_jw("address", 0.9), "similar address", 0.10, 0.002),
            _level(_same("postal_code"), "same postal code", 0.15, 0.2),
            _level("ELSE", "different", 0.15, 0.8),
        ),
    ]


# A rule that pairs party rows with party rows would find duplicate parties, which is merging's
# business, not matching's: every blocking rule pairs at least one source record.
_ONE_RECORD = "(l.origin = 'record' OR r.origin = 'record')"


def _rule(*columns: str) -> str:
    keys = " AND ".join(f"l.{c} = r.{c}" for c in columns)
    return f"{keys} AND {_ONE_RECORD}"


BLOCKING_RULES = (
    _rule("identifier_number"),
    _rule("surnames_sorted", "birth_year"),
    # Names that sound alike meet within a birth year or a postal code, or on their own when
    # one side has no birth date: alone they paired every María García with every other in a
    # large register, 110 million pairs at a million records (95% of all scored).
    _rule("family_name_1_phonetic", "given_name_phonetic", "birth_year"),
    _rule("family_name_1_phonetic", "given_name_phonetic", "postal_code"),
    _rule("family_name_1_phonetic", "given_name_phonetic")
    + " AND (l.birth_year IS NULL OR r.birth_year IS NULL)",
    _rule("given_name_phonetic", "birth_date"),
    _rule("email"),
    _rule("phone"),
    _rule("postal_code", "birth_date"),
)

# The pairs EM learns m from: between them, every comparison is estimated at least once.
TRAINING_RULES = (
    ("identifier_number",),
    ("surnames_sorted", "birth_date"),
)

# Pairs these rules find are taken as certain for estimating the prior, with this recall.
DETERMINISTIC_RULES = (
    ("identifier_number", "birth_date"),
    ("surnames_sorted", "given_name", "birth_date"),
    ("email", "given_name", "birth_date"),
)
DETERMINISTIC_RECALL = 0.8

# Pairs reviewers decided are one person count in training once there are this many: m is then
# also estimated from them, and averaged with EM's estimates. Fewer, mostly from the uncertain
# band, would pull the model towards the hard cases more than they tell.
LABELS_FOR_M = 50


def settings() -> dict[str, Any]:
    """The untrained model: Splink's settings for Spanish identity data."""
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": 0.0001,
        "blocking_rules_to_generate_predictions": [
            {"blocking_rule": rule, "sql_dialect": "duckdb"} for rule in BLOCKING_RULES
        ],
        "comparisons": _comparisons(),
        "additional_columns_to_retain": ["origin"],
        "retain_intermediate_calculation_columns": True,
        "retain_matching_columns": True,
        "max_iterations": 25,
        "em_convergence": 0.0001,
    }


@dataclass(frozen=True)
class _Scheme:
    """How one engine's prediction rows read: each comparison's name with its levels' labels
    by gamma, and where its gamma and weights sit in a row."""

    labels: tuple[tuple[str, dict[int, str]], ...]
    positions: tuple[tuple[int | None, int | None, int | None], ...]

    def detail(self, values: Sequence[Any]) -> list[dict[str, Any]]:
        detail = []
        for (name, by_gamma), (at_gamma, at_weight, at_tf) in zip(
            self.labels, self.positions, strict=True
        ):
            gamma = values[at_gamma] if at_gamma is not None else None
            weight = sum(float(values[at] or 0.0) for at in (at_weight, at_tf) if at is not None)
            detail.append(
                {
                    "comparison": name,
                    "level": by_gamma.get(int(gamma), "missing") if gamma is not None else "",
                    "bayes_factor": 2.0**weight,
                    "weight": weight,
                }
            )
        return detail


@dataclass(frozen=True, slots=True)
class Pair:
    """Two rows the model scored at or above the review threshold, with the weight of each
    comparison: [{comparison, level, bayes_factor, weight}].

    A large match scores millions of pairs and looks at the weights of the few a person will
    review, so they are kept as the engine gave them and spelt out only when asked for."""

    left: str
    right: str
    probability: float
    values: tuple[Any, ...] = ()
    scheme: _Scheme | None = None

    @property
    def comparisons(self) -> list[dict[str, Any]]:
        return self.scheme.detail(self.values) if self.scheme is not None else []


@dataclass(frozen=True)
class Scored:
    model: dict[str, Any]
    pairs: list[Pair]


def rows_table(rows: Iterable[Mapping[str, Any]]) -> pa.Table:
    """The rows as an Arrow table of the model's columns: an empty string is NULL, so that a
    blocking rule never pairs two records on what both lack."""
    names = ["unique_id", "origin", *COLUMNS]
    types = [pa.string(), pa.string(), *COLUMNS.values()]
    data: dict[str, list[Any]] = {name: [] for name in names}
    for row in rows:
        for name in names:
            value = row.get(name)
            data[name].append(None if value == "" else value)
    return pa.table(data, schema=pa.schema(list(zip(names, types, strict=True))))


@dataclass
class _Engine:
    db_api: Any
    register: Callable[[pa.Table, str], Any]
    columns: Callable[[Any], list[str]]
    rows: Callable[[Any, list[str]], Iterable[Sequence[Any]]]


@contextmanager
def _duckdb() -> Iterator[_Engine]:
    from splink import DuckDBAPI

    connection = duckdb.connect(":memory:")
    connection.execute("SET threads TO 2")
    db_api = DuckDBAPI(connection)

    def rows(predictions: Any, columns: list[str]) -> Iterable[Sequence[Any]]:
        # Only the columns read: the predictions also carry every compared value twice.
        reader = predictions.as_duckdbpyrelation().select(*columns).to_arrow_reader(_FETCH)
        for batch in reader:
            yield from zip(*(column.to_pylist() for column in batch.columns), strict=True)

    try:
        yield _Engine(
            db_api=db_api,
            register=lambda table, name: db_api.register(table, dataset_display_name=name),
            columns=lambda predictions: list(predictions.as_duckdbpyrelation().columns),
            rows=rows,
        )
    finally:
        connection.close()


@contextmanager
def _spark(options: SparkOptions) -> Iterator[_Engine]:
    with spark_api(options) as db_api:
        yield _Engine(
            db_api=db_api,
            register=lambda table, name: db_api.register(
                spark_frame(db_api.spark, table), dataset_display_name=name
            ),
            columns=lambda predictions: list(predictions.as_spark_dataframe().columns),
            rows=lambda predictions, columns: (
                tuple(row)
                for row in predictions.as_spark_dataframe().select(*columns).toLocalIterator()
            ),
        )


def train_and_score(
    table: pa.Table,
    *,
    model: Mapping[str, Any] | None = None,
    labels: Sequence[tuple[str, str]] = (),
    stage: Callable[[str], None] = lambda _name: None,
    backend: Backend = "duckdb",
    spark: SparkOptions | None = None,
) -> Scored:
    """Train the model on ``table`` (or apply ``model`` as it is) and score the blocked pairs;
    pairs below the review threshold are left out. ``labels`` are pairs of ``unique_id``s
    people decided are one person: with ``LABELS_FOR_M`` of them, they train m too.

    ``backend`` is the engine that trains and scores; the model returned is written as DuckDB
    writes it whichever engine ran, so a saved version applies on both."""
    from splink import Linker, block_on
    from splink.internals.exceptions import EMTrainingException

    logging.getLogger("splink").setLevel(logging.ERROR)
    written = dict(model) if model else settings()
    on_spark = backend == "spark"
    engine = _spark(spark or SparkOptions()) if on_spark else _duckdb()
    with engine as run:
        frame = run.register(table, "records")
        linker = Linker(frame, for_spark(written) if on_spark else written, log_level=None)
        if model is None:
            stage("prior")
            core = linker._settings_obj.core_model_settings
            starting_prior = core.probability_two_random_records_match
            linker.training.estimate_probability_two_random_records_match(
                [block_on(*columns) for columns in DETERMINISTIC_RULES],
                recall=DETERMINISTIC_RECALL,
            )
            core = linker._settings_obj.core_model_settings
            if not 0 < core.probability_two_random_records_match < 1:
                # No two records agree on the rules (a register of people all different): a
                # prior of nought would make every weight infinite; the starting one stands.
                core.probability_two_random_records_match = starting_prior
            stage("u")
            linker.training.estimate_u_using_random_sampling(max_pairs=U_MAX_PAIRS, seed=SEED)
            stage("m")
            for columns in TRAINING_RULES:
                # A training session takes out of the linker's own model the comparisons its
                # blocking rule fixes, and puts them back only when it ends well: kept here so a
                # session that fails leaves the model whole.
                before = linker._settings_obj.core_model_settings.copy()  # type: ignore[no-untyped-call]
                try:
                    linker.training.estimate_parameters_using_expectation_maximisation(
                        block_on(*columns), estimate_without_term_frequencies=True
                    )
                except EMTrainingException:
                    # No two records share these values (a registry without identifiers):
                    # what this session would have learnt keeps its starting values.
                    linker._settings_obj.core_model_settings = before
                    continue
            if len(labels) >= LABELS_FOR_M:
                pairs = pa.table(
                    {
                        "unique_id_l": [left for left, _right in labels],
                        "unique_id_r": [right for _left, right in labels],
                    }
                )
                linker.training.estimate_m_from_pairwise_labels(  # type: ignore[no-untyped-call]
                    run.register(pairs, "__ventanilla_labels")
                )
        stage("score")
        predictions = linker.inference.predict(
            threshold_match_probability=REVIEW_THRESHOLD, warning_mode="never"
        )
        saved = linker.misc.save_model_to_json()
        if on_spark:
            saved = as_saved(saved, written)
        pairs = _pairs(run, predictions, saved)
    return Scored(model=saved, pairs=pairs)


def _pairs(run: _Engine, predictions: Any, model: Mapping[str, Any]) -> list[Pair]:
    present = set(run.columns(predictions))
    wanted = ["unique_id_l", "unique_id_r", "match_probability"]
    labels = []
    positions = []
    for comparison in model["comparisons"]:
        levels = comparison["comparison_levels"]
        name = comparison["output_column_name"]
        # Splink numbers the levels from the last (0) up; the null level is -1.
        numbered = [level for level in levels if not level.get("is_null_level")]
        labels.append(
            (
                name,
                {
                    len(numbered) - 1 - i: level.get("label_for_charts", "")
                    for i, level in enumerate(numbered)
                },
            )
        )
        at: list[int | None] = []
        for column in (f"gamma_{name}", f"mw_{name}", f"mw_tf_adj_{name}"):
            at.append(len(wanted) if column in present else None)
            if column in present:
                wanted.append(column)
        positions.append((at[0], at[1], at[2]))
    scheme = _Scheme(labels=tuple(labels), positions=tuple(positions))
    pairs = [
        Pair(
            left=str(row[0]),
            right=str(row[1]),
            probability=float(row[2]),
            values=tuple(row),
            scheme=scheme,
        )
        for row in run.rows(predictions, wanted)
    ]
    pairs.sort(key=lambda pair: (-pair.probability, pair.left, pair.right))
    return pairs


def rule_pairs(rows: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """Pairs that verified, equal identifiers link on their own: the same identifier number,
    valid (check letter right) on both sides. Each row is chained to the first holder."""
    first: dict[str, str] = {}
    pairs = []
    for row in rows:
        number = row.get("identifier_number")
        if not number or not row.get("identifier_valid"):
            continue
        holder = first.setdefault(str(number), str(row["unique_id"]))
        if holder != row["unique_id"]:
            pairs.append((holder, str(row["unique_id"])))
    return pairs


@dataclass
class _Component:
    party: str | None = None
    identifiers: set[str] = field(default_factory=set)


class Clusters:
    """Connected components of the links, built strongest link first, that refuse the joins no
    model may make: two different valid identifiers, or two existing parties (joining those is
    a merge, a person's decision). Splink's own connected components cannot refuse an edge, so
    the clustering is done here, with the same result where nothing is refused."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.components: dict[str, _Component] = {}

    def add(self, node: str, *, party: str | None = None, identifier: str = "") -> None:
        root = self.find(node)
        component = self.components[root]
        if party is not None:
            component.party = party
        if identifier:
            component.identifiers.add(identifier)

    def find(self, node: str) -> str:
        if node not in self.parent:
            self.parent[node] = node
            self.components[node] = _Component()
            return node
        root = node
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[node] != root:
            self.parent[node], node = root, self.parent[node]
        return root

    def conflict(self, left: str, right: str) -> str:
        """Why ``left`` and ``right`` cannot be one person ("identifier", "parties"), or ""."""
        a, b = self.components[self.find(left)], self.components[self.find(right)]
        if a.identifiers and b.identifiers and not (a.identifiers & b.identifiers):
            return "identifier"
        if a.party is not None and b.party is not None and a.party != b.party:
            return "parties"
        return ""

    def join(self, left: str, right: str) -> str:
        """Join the two components unless they conflict; the conflict, or "" when joined."""
        a, b = self.find(left), self.find(right)
        if a == b:
            return ""
        if problem := self.conflict(a, b):
            return problem
        first, second = sorted((a, b))
        self.parent[second] = first
        kept, gone = self.components[first], self.components.pop(second)
        kept.identifiers |= gone.identifiers
        kept.party = kept.party or gone.party
        return ""

    def same(self, left: str, right: str) -> bool:
        return self.find(left) == self.find(right)

    def party_of(self, node: str) -> str | None:
        return self.components[self.find(node)].party
