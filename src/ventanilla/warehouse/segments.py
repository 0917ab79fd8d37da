"""Segments of the population: groups of people who use the administration alike. The
organisations are a segment of their own; the residents are clustered (k-means) on what the
warehouse already holds of them — age, how much and by which channels they contact, which
departments' services they use — so that a dashboard can be read for one group and services
shaped for it.

Every build makes them again, from the warehouse's own tables and in a fixed order, starting
from points worked out from the data by no chance, so a full build and a refresh give the same
segments, and a build a day later, of nearly the same people, nearly the same ones. Each segment
is kept with the figures that describe it (``dim_segment``); the words are the console's. No
person is named: ``dim_party_segment`` pairs a pseudonymous key with its segment.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings
from sklearn.cluster import KMeans
from sklearn.preprocessing import StandardScaler

SEED = 0
# The most characteristic services of a segment: those it uses most above everyone's rate.
TOP_SERVICES = 3
# Too few people to tell groups apart: no segments then.
MIN_PEOPLE = 50
# Above this many residents k-means learns from a sample of them (its cost grows with the rows;
# the groups of a sample this size are those of the whole).
FIT_SAMPLE = 100_000

_PEOPLE = """
    WITH contacts AS (
        SELECT i.party_key, COUNT(*) AS n,
               AVG(CASE WHEN c.assisted THEN 1.0 ELSE 0.0 END) AS assisted
        FROM fact_interaction i LEFT JOIN dim_channel c USING (channel_code)
        WHERE i.party_key IS NOT NULL GROUP BY i.party_key
    )
    SELECT p.party_key, CAST(p.kind = 'organisation' AS DOUBLE) AS organisation,
           CAST(p.birth_cohort AS DOUBLE) AS birth_cohort,
           CAST(COALESCE(contacts.n, 0) AS DOUBLE) AS contacts,
           CAST(COALESCE(contacts.assisted, 0) AS DOUBLE) AS assisted
    FROM dim_party p LEFT JOIN contacts USING (party_key)
    ORDER BY p.party_key
"""

# Each person's share of their cases in each area (department, else agency), by their row in
# _PEOPLE's order.
_AREAS = """
    WITH people AS (
        SELECT party_key, row_number() OVER (ORDER BY party_key) - 1 AS row FROM dim_party
    ),
    cases AS (
        SELECT f.party_key, COALESCE(s.department_code, s.agency_code, '') AS area, COUNT(*) AS n
        FROM fact_case f LEFT JOIN dim_service s USING (service_code)
        WHERE f.party_key IS NOT NULL GROUP BY ALL
    )
    SELECT people.row, cases.area,
           cases.n / SUM(cases.n) OVER (PARTITION BY cases.party_key) AS share
    FROM cases JOIN people USING (party_key)
"""


@dataclass(frozen=True)
class SegmentFigures:
    """What describes one segment, for the console to put in words."""

    segment: int
    people: int
    organisations: float  # share of organisations among them
    median_birth_year: int | None
    contacts_per_person: float
    assisted: float  # share of their contacts by phone, at a desk or another assisted channel
    services: list[str]  # the most characteristic services, by code


def _column(table: pa.Table, name: str) -> np.ndarray:
    # NULL (an unknown birth year) becomes NaN.
    return np.asarray(table.column(name).to_numpy(zero_copy_only=False), dtype=float)


def _matrix(
    con: duckdb.DuckDBPyConnection, people: pa.Table
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The features of each person, and their birth cohorts and organisation flags as read:
    all in columns from DuckDB, without a Python object per person."""
    shares = con.sql(_AREAS).to_arrow_table()
    areas = sorted(set(shares.column("area").to_pylist()))
    cohorts = _column(people, "birth_cohort")
    organisation = _column(people, "organisation")
    features = np.zeros((people.num_rows, 4 + len(areas)))
    features[:, 1] = np.log1p(_column(people, "contacts"))
    features[:, 2] = _column(people, "assisted")
    features[:, 3] = organisation
    if shares.num_rows:
        area_index = pc.index_in(shares.column("area"), value_set=pa.array(areas)).to_numpy()
        features[shares.column("row").to_numpy(), 4 + area_index] = shares.column(
            "share"
        ).to_numpy()
    known = cohorts[~np.isnan(cohorts)]
    middle = float(np.median(known)) if known.size else 1970.0
    features[:, 0] = np.where(np.isnan(cohorts), middle, cohorts)
    return features, cohorts, organisation


def _starts(features: np.ndarray, k: int) -> np.ndarray:
    """Where k-means starts: the means of ``k`` equal slices of the people ordered along the
    direction they differ most in (their first principal component). Drawn from the data by
    no chance, so a build a day later, of nearly the same people, starts where this one did and
    ends in the same groups; random starts would reshuffle them."""
    centred = features - features.mean(axis=0)
    # The direction of most spread, found from every n-th person (enough to find it), its sign
    # fixed so that its largest component is positive.
    step = max(1, len(features) // 20_000)
    direction = np.linalg.svd(centred[::step], full_matrices=False)[2][0]
    direction *= np.sign(direction[np.argmax(np.abs(direction))])
    order = np.argsort(centred @ direction, kind="stable")
    return np.array([features[part].mean(axis=0) for part in np.array_split(order, k)])


def segments_build(con: duckdb.DuckDBPyConnection, *, clusters: int | None = None) -> int:
    """Make ``dim_party_segment`` and ``dim_segment`` again from the warehouse's tables; the
    segments are numbered from 1, the largest first. Returns how many there are."""
    k = clusters or settings.VENTANILLA_SEGMENTS
    con.execute("CREATE OR REPLACE TABLE dim_party_segment (party_key BIGINT, segment INTEGER)")
    con.execute(
        "CREATE OR REPLACE TABLE dim_segment (segment INTEGER, people INTEGER, "
        "organisations DOUBLE, median_birth_year INTEGER, contacts_per_person DOUBLE, "
        "assisted DOUBLE, services VARCHAR[])"
    )
    people = con.sql(_PEOPLE).to_arrow_table()
    if people.num_rows < max(MIN_PEOPLE, k):
        return 0
    features, cohorts, organisation = _matrix(con, people)
    scaled = StandardScaler().fit_transform(features)
    # Organisations use the administration unlike any resident: they are a segment of their own,
    # and the residents are clustered into the others.
    firms = organisation == 1
    clusters_of_people = k - 1 if firms.any() else k
    residents = np.flatnonzero(~firms)
    if len(residents) < clusters_of_people:
        return 0
    labels = np.full(people.num_rows, clusters_of_people)
    model = KMeans(
        n_clusters=clusters_of_people,
        init=_starts(scaled[residents], clusters_of_people),
        n_init=1,
        random_state=SEED,
    )
    if len(residents) <= FIT_SAMPLE:
        labels[residents] = model.fit_predict(scaled[residents])
    else:
        # A large town: the groups are learnt from a sample, then everyone is placed. The sample
        # is the residents of the lowest keys (HMAC bits, so who is in it is chance): from one
        # build to the next it changes only by the people who came or went among them, and so
        # do the groups, which a sample drawn by position would reshuffle every night.
        keys = people.column("party_key").to_numpy()
        sample = residents[np.argsort(keys[residents], kind="stable")[:FIT_SAMPLE]]
        model.fit(scaled[np.sort(sample)])
        labels[residents] = model.predict(scaled[residents])
    # Number them by size, the largest first (ties by the label k-means gave).
    sizes = np.bincount(labels, minlength=k)
    order = sorted(range(k), key=lambda label: (-sizes[label], label))
    number = np.empty(k, dtype=np.int32)
    number[order] = np.arange(1, k + 1, dtype=np.int32)
    segments = number[labels]
    con.register(
        "assigned",
        pa.table({"party_key": people.column("party_key"), "segment": segments}),
    )
    try:
        con.execute("INSERT INTO dim_party_segment SELECT party_key, segment FROM assigned")
    finally:
        con.unregister("assigned")
    contacts = np.expm1(features[:, 1])
    assisted = features[:, 2]
    services = _characteristics(con)
    for segment in range(1, k + 1):
        members = segments == segment
        born = cohorts[members & ~np.isnan(cohorts) & (organisation == 0)]
        with_contacts = members & (contacts > 0)
        con.execute(
            "INSERT INTO dim_segment VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                segment,
                int(members.sum()),
                round(float(organisation[members].mean()), 3),
                int(np.median(born)) + 2 if born.size else None,
                round(float(contacts[members].mean()), 3),
                round(float(assisted[with_contacts].mean()), 3) if with_contacts.any() else 0.0,
                services.get(segment, []),
            ],
        )
    return k


def _characteristics(con: duckdb.DuckDBPyConnection) -> dict[int, list[str]]:
    """For each segment, the services its people use most above the rate of everyone, among
    those that enough of them use to be published."""
    threshold = settings.VENTANILLA_SMALL_CELL_THRESHOLD
    found = con.execute(
        """
        WITH users AS (
            SELECT f.service_code, s.segment, COUNT(DISTINCT f.party_key) AS people
            FROM fact_case f JOIN dim_party_segment s USING (party_key)
            GROUP BY ALL
        ),
        sizes AS (SELECT segment, COUNT(*) AS n FROM dim_party_segment GROUP BY segment),
        overall AS (
            SELECT service_code, SUM(people) / (SELECT COUNT(*) FROM dim_party_segment) AS rate
            FROM users GROUP BY service_code
        ),
        ranked AS (
            SELECT u.segment, u.service_code, row_number() OVER (
                PARTITION BY u.segment
                ORDER BY (u.people / sizes.n) / overall.rate DESC, u.service_code
            ) AS place
            FROM users u JOIN sizes USING (segment) JOIN overall USING (service_code)
            WHERE u.people >= ?
        )
        SELECT segment, service_code FROM ranked WHERE place <= ? ORDER BY segment, place
        """,
        [threshold, TOP_SERVICES],
    ).fetchall()
    services: dict[int, list[str]] = {}
    for segment, service_code in found:
        services.setdefault(int(segment), []).append(service_code)
    return services


def segment_figures(con: duckdb.DuckDBPyConnection) -> list[SegmentFigures]:
    """The segments of the last build, the largest first (none when it made none)."""
    present = con.execute(
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'dim_segment'"
    ).fetchone()
    if not present or not present[0]:
        return []
    return [
        SegmentFigures(
            segment=row[0],
            people=row[1],
            organisations=row[2],
            median_birth_year=row[3],
            contacts_per_person=row[4],
            assisted=row[5],
            services=list(row[6] or []),
        )
        for row in con.execute("SELECT * FROM dim_segment ORDER BY segment").fetchall()
    ]
