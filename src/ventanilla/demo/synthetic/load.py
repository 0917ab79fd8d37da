"""Loading the synthetic town into the database: ``seed_municipality`` refuses a database that
holds another town or parties of its own, has chunks made (by a forked worker while it writes),
writes them in order, one transaction each, numbers the case references per year in that order
and moves each year's ``CaseSequence`` past the last one, so cases opened later never collide.
No more than a few chunks are in memory at once."""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from collections import deque
from collections.abc import Iterator
from datetime import date
from multiprocessing.pool import AsyncResult
from typing import Any, Final, TextIO

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.db.models.functions import Greatest
from django.utils import timezone
from tqdm import tqdm

from ventanilla.cases.models import Case, CaseSequence
from ventanilla.demo.models import SeedRun
from ventanilla.demo.synthetic.clock import REFERENCE_NOW, start_of
from ventanilla.demo.synthetic.generator import Chunk, Generator
from ventanilla.demo.synthetic.tables import Tables
from ventanilla.demo.synthetic.town import CHUNK, SeedRefused, SeedSummary
from ventanilla.parties.models import Party

MAX_CITIZENS: Final = 50_000_000
MAX_INTERACTIONS_PER_CITIZEN: Final = 1_000
DEFAULT_INTERACTIONS_PER_CITIZEN: Final = 10


def seed_municipality(
    *,
    citizens: int,
    seed: int,
    interactions_per_citizen: float = DEFAULT_INTERACTIONS_PER_CITIZEN,
    progress: bool = True,
    stream: TextIO | None = None,
    workers: int | None = None,
    today: date | None = None,
) -> SeedSummary:
    """Generate the synthetic municipality into an empty database, or do nothing if done.

    Its history ends as ``today`` begins (the command passes the day it runs, so the queues
    look like a working office's on that day); without it, at ``REFERENCE_NOW``. The same seed,
    size and day give the same town.

    ``workers`` processes make the rows while this one writes them (default: one when the
    machine has two cores or more; 0 makes everything here). Raises ``SeedRefused`` when the
    database holds another seed's town, an unfinished run or parties of its own.
    """
    if not 1 <= citizens <= MAX_CITIZENS:
        raise SeedRefused(f"Seed between 1 and {MAX_CITIZENS:,} citizens.")
    if not 0 <= interactions_per_citizen <= MAX_INTERACTIONS_PER_CITIZEN:
        raise SeedRefused(
            f"Interactions per citizen go from 0 to {MAX_INTERACTIONS_PER_CITIZEN:,}."
        )
    existing = SeedRun.objects.order_by("started_at").first()
    if existing is not None:
        if existing.seed != seed:
            raise SeedRefused(
                f"This database already holds the synthetic town of seed {existing.seed} "
                f"({existing.citizens:,} citizens); a database holds one synthetic population. "
                "Use another database, or empty this one with `ventanilla flush` (or delete "
                "var/) and seed again."
            )
        if existing.finished_at is None:
            raise SeedRefused(
                f"A seed run of seed {seed} started at {existing.started_at:%Y-%m-%d %H:%M} "
                "and did not finish, so the town is incomplete. Empty the database with "
                "`ventanilla flush` (or delete var/) and seed again."
            )
        return SeedSummary(
            seed=seed,
            citizens=existing.citizens,
            interactions=existing.interactions,
            already_seeded=True,
        )
    if Party.objects.exists():
        raise SeedRefused(
            "The database already holds parties; the synthetic town is loaded only into an "
            "empty database. Use a fresh one (delete var/ or `ventanilla flush`)."
        )
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise SeedRefused(f"The seed writes to SQLite or PostgreSQL, not {vendor}.")
    if workers is None:
        workers = 1 if (os.cpu_count() or 1) >= 2 else 0
    if "fork" not in multiprocessing.get_all_start_methods():
        workers = 0
    started = time.perf_counter()
    generator = Generator(
        seed=seed,
        citizens=citizens,
        per_citizen=interactions_per_citizen,
        vendor=vendor,
        now=REFERENCE_NOW if today is None else start_of(today),
    )
    writer = _Writer(seed)
    try:
        with transaction.atomic():
            run = SeedRun.objects.create(seed=seed, citizens=citizens, started_at=timezone.now())
    except IntegrityError as error:
        raise SeedRefused(f"Another seed run of seed {seed} has just started.") from error
    out = stream or sys.stderr
    bar = tqdm(
        total=citizens,
        unit=" citizens",
        file=out,
        disable=not progress or not out.isatty(),
        dynamic_ncols=True,
    )
    with _fast_writes(), bar:
        for chunk in _chunks(generator, -(-citizens // CHUNK), workers):
            writer.write(chunk)
            bar.update(chunk.summary.citizens)
        with transaction.atomic():
            writer.bump_case_sequences()
            run.interactions = writer.summary.interactions
            run.finished_at = timezone.now()
            run.save(update_fields=["interactions", "finished_at"])
        _analyze()
    writer.summary.seconds = time.perf_counter() - started
    return writer.summary


class _Writer:
    """Writes chunks in order, one transaction each, numbering the case references."""

    CASES: Final = next(n for n, (model, _f) in enumerate(Tables.SPECS) if model is Case)
    REFERENCE: Final = Tables.SPECS[CASES][1].index("reference")

    def __init__(self, seed: int) -> None:
        self.tables = Tables()
        self.summary = SeedSummary(seed=seed)
        self.case_numbers: dict[int, int] = {}
        self.prefix = settings.VENTANILLA_CASE_PREFIX

    def write(self, chunk: Chunk) -> None:
        at = self.REFERENCE
        numbered = []
        for row in chunk.rows[self.CASES]:
            year = row[at]
            number = self.case_numbers.get(year, 0) + 1
            self.case_numbers[year] = number
            numbered.append((*row[:at], f"{self.prefix}-{year}-{number:06d}", *row[at + 1 :]))
        chunk.rows[self.CASES] = numbered
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
            for (model, _fields), rows in zip(Tables.SPECS, chunk.rows, strict=True):
                self.tables.write(model, rows)
        done, total = chunk.summary, self.summary
        total.citizens += done.citizens
        total.organisations += done.organisations
        total.interactions += done.interactions
        total.cases += done.cases
        total.source_records += done.source_records
        total.rows += done.rows

    def bump_case_sequences(self) -> None:
        """Move each year's sequence past the seeded references, so new cases never collide."""
        for year, number in sorted(self.case_numbers.items()):
            CaseSequence.objects.get_or_create(year=year)
            CaseSequence.objects.filter(year=year).update(
                last_number=Greatest(models.F("last_number"), models.Value(number))
            )


# The generator a forked worker process makes chunks with (set before the pool forks).
_worker_generator: Generator | None = None


def _make_chunk(number: int) -> Chunk:
    if _worker_generator is None:
        raise RuntimeError("no generator in this worker")
    return _worker_generator.chunk(number)


def _chunks(generator: Generator, count: int, workers: int) -> Iterator[Chunk]:
    """The chunks in order, made here or by ``workers`` forked processes while this one writes.

    At most ``workers + 1`` finished chunks wait for the writer, so memory stays bounded.
    """
    global _worker_generator
    if workers <= 0 or count < 2:
        for number in range(count):
            yield generator.chunk(number)
        return
    _worker_generator = generator
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            pending: deque[AsyncResult[Chunk]] = deque()
            for number in range(count):
                pending.append(pool.apply_async(_make_chunk, (number,)))
                if len(pending) > workers:
                    yield pending.popleft().get()
            while pending:
                yield pending.popleft().get()
    finally:
        _worker_generator = None


class _fast_writes:  # noqa: N801 - used as a context manager
    """SQLite: a bigger page cache and no fsync per chunk while loading; restored after."""

    def __enter__(self) -> None:
        self.saved: list[tuple[str, Any]] = []
        if connection.vendor != "sqlite":
            return
        with connection.cursor() as cursor:
            for pragma, value in (("cache_size", -262_144), ("synchronous", 0)):
                if pragma == "synchronous" and connection.in_atomic_block:
                    continue
                cursor.execute(f"PRAGMA {pragma}")
                self.saved.append((pragma, cursor.fetchone()[0]))
                cursor.execute(f"PRAGMA {pragma} = {value}")

    def __exit__(self, *exc: object) -> None:
        if not self.saved:
            return
        with connection.cursor() as cursor:
            for pragma, value in self.saved:
                cursor.execute(f"PRAGMA {pragma} = {int(value)}")


def _analyze() -> None:
    """Refresh the planner's statistics after a bulk load (approximate, so it is quick)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for model, _fields in Tables.SPECS:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        elif not connection.in_atomic_block:
            cursor.execute("PRAGMA analysis_limit = 1000")
            cursor.execute("ANALYZE")
