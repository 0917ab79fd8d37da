"""What every room of the town shares while it makes one chunk of residents: the catalogue as
the seed sees it (agencies, services, the demo staff), the numbers derived from the seed, the
rows made so far and the counters each chunk owns a range of, and the streets.

A chunk depends only on the seed and its number: ``Town.start`` gives it its own ranges of UUIDs,
organisation numbers and record keys, so chunks can be made in any order, in any process.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from django.contrib.auth import get_user_model
from django.db import models

from ventanilla.catalog.models import Agency, PublicService
from ventanilla.demo import names
from ventanilla.demo.catalogue import ADMINISTRATION
from ventanilla.demo.synthetic.clock import REFERENCE_NOW, Clock
from ventanilla.demo.synthetic.demand import SUMMARY_TEMPLATES
from ventanilla.demo.synthetic.draws import Permutation, Weighted
from ventanilla.demo.synthetic.tables import Row, Tables

CHUNK: Final = 5_000
# Each chunk owns this many keys of each agency's source records (a resident has at most one).
RECORDS_PER_CHUNK: Final = 2 * CHUNK
ORGANISATIONS_PER_CITIZEN: Final = 0.025

HEALTH_AGENCY: Final = "salud"
SOCIAL_SECURITY_AGENCY: Final = "seguridad-social"
FRONT_DESK: Final = "atencion-ciudadana"


class SeedRefused(Exception):
    """The database is not in a state the seed may write to; the message says what to do."""


@dataclass
class SeedSummary:
    seed: int
    citizens: int = 0
    organisations: int = 0
    interactions: int = 0
    cases: int = 0
    source_records: int = 0
    rows: int = 0
    seconds: float = 0.0
    already_seeded: bool = False

    @property
    def parties(self) -> int:
        return self.citizens + self.organisations

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0

    def line(self) -> str:
        return (
            f"seed {self.seed}: {self.citizens:,} citizens, {self.parties:,} parties, "
            f"{self.interactions:,} interactions, {self.cases:,} cases, "
            f"{self.source_records:,} source records; {self.rows:,} rows in "
            f"{self.seconds:.1f} s ({self.rows_per_second:,.0f} rows/s)"
        )


@dataclass(slots=True)
class Service:
    """A public service as the seed uses it: keys as the raw insert writes them."""

    id: str
    code: str
    name: str
    department_id: str
    department_code: str
    deadline_days: int
    channels: tuple[str, ...]
    summaries: dict[str, tuple[str, ...]]


class Town:
    """The state one chunk of residents is made with; the rooms read and add to it."""

    def __init__(
        self,
        *,
        seed: int,
        citizens: int,
        per_citizen: float,
        vendor: str,
        now: datetime = REFERENCE_NOW,
    ) -> None:
        self.seed = seed
        self.citizens = citizens
        self.per_citizen = per_citizen
        self.clock = Clock(vendor, now)
        self.table_index = {model: n for n, (model, _fields) in enumerate(Tables.SPECS)}
        self.uuid_tag = random.Random(f"ventanilla:{seed}:tag").getrandbits(8) << 40
        # The order of these draws is part of the town: a new one goes at the end.
        numbers = random.Random(f"ventanilla:{seed}:numbers")
        self.dni_numbers = Permutation(90_000_000, numbers)
        self.nie_numbers = Permutation(30_000_000, numbers)
        self.passport_numbers = Permutation(1_000_000_000, numbers)
        self.mobile_numbers = Permutation(100_000_000, numbers)
        self.landline_numbers = Permutation(1_000_000, numbers)
        self.cif_numbers = Permutation(10_000_000, numbers)
        self.health_keys = Permutation(10_000_000_000, numbers)
        self.social_keys = Permutation(100_000_000, numbers)
        digits = max(3, len(str(max(citizens - 1, 1))))
        self.email_tags = Permutation(10**digits, numbers)
        self._load_catalogue()
        self.districts = Weighted([(d, d.weight) for d in names.DISTRICTS])
        self.start(0)

    def start(self, chunk: int) -> None:
        """Reset the per-chunk state: each chunk owns fixed ranges of every counter."""
        self.rows: list[list[Row]] = [[] for _ in Tables.SPECS]
        self.summary = SeedSummary(seed=self.seed)
        self.uuid_high = self.uuid_tag | (chunk << 24)
        self.uuid_count = 0
        self.organisation_next = chunk * round(CHUNK * ORGANISATIONS_PER_CITIZEN)
        self.unknown_next = self.citizens + chunk * CHUNK
        self.health_next = chunk * RECORDS_PER_CHUNK
        self.social_next = chunk * RECORDS_PER_CHUNK
        self.distortion_turn = 0
        # The words of requests come from a stream of their own, so rewording them moves no
        # other draw of the town.
        self.text_rng = random.Random(f"ventanilla:{self.seed}:{chunk}:text")

    # The catalogue --------------------------------------------------------------------------------

    def _load_catalogue(self) -> None:
        agencies = dict(Agency.objects.values_list("code", "id"))
        needed = (ADMINISTRATION, HEALTH_AGENCY, SOCIAL_SECURITY_AGENCY, FRONT_DESK, "ayto")
        missing = [code for code in needed if code not in agencies]
        if missing:
            raise SeedRefused(f"The catalogue is missing agencies {missing}; run ensure_catalogue.")
        self.agency = {code: self._key(pk) for code, pk in agencies.items()}
        self.town_hall_paths = {
            self._key(pk)
            for pk in Agency.objects.filter(path__startswith="villanueva/ayto").values_list(
                "id", flat=True
            )
        }
        self.services: dict[str, Service] = {}
        # Services placed only by routing rules (no department of their own) are left to the
        # live system: the synthetic history needs an owner for every case it writes.
        for service in (
            PublicService.objects.filter(active=True, department__isnull=False)
            .select_related("department")
            .prefetch_related("channels")
            .order_by("code")
        ):
            name = service.name_es[0].lower() + service.name_es[1:]
            summaries = {
                kind: tuple(template.format(service=name) for template in templates)
                for kind, templates in SUMMARY_TEMPLATES.items()
            }
            self.services[service.code] = Service(
                id=self._key(service.pk),
                code=service.code,
                name=name,
                department_id=self._key(service.department_id),
                department_code=service.department.code if service.department else "",
                deadline_days=service.deadline_days,
                channels=tuple(sorted(channel.code for channel in service.channels.all()))
                or ("web", "desk"),
                summaries=summaries,
            )
        if not self.services:
            raise SeedRefused("The catalogue has no services; run ensure_catalogue first.")
        self.service_codes = tuple(self.services)
        users = dict(
            get_user_model()
            .objects.filter(username__in=["agente", "tramitador"])
            .values_list("username", "pk")
        )
        self.desk_agent = users.get("agente")
        self.case_worker = users.get("tramitador")
        self.health_centres = (
            self.agency.get("cs-villanueva-norte", self.agency[HEALTH_AGENCY]),
            self.agency.get("cs-villanueva-sur", self.agency[HEALTH_AGENCY]),
        )

    @staticmethod
    def _key(pk: Any) -> str:
        """A primary key as the raw insert writes it: 32 hex digits for a UUID."""
        return pk.hex if hasattr(pk, "hex") else str(pk)

    # Keys, rows and places ------------------------------------------------------------------------

    def uuid(self, rng: random.Random) -> str:
        """A version-8 UUID whose leading bits grow, so inserts append to the indexes."""
        self.uuid_count += 1
        high = self.uuid_high | self.uuid_count
        low = rng.getrandbits(74)
        value = (
            (high << 80)
            | (0x8 << 76)
            | ((low >> 62) << 64)
            | (0b10 << 62)
            | (low & ((1 << 62) - 1))
        )
        return f"{value:032x}"

    def add(self, model: type[models.Model], row: Row) -> None:
        self.rows[self.table_index[model]].append(row)

    def address(self, rng: random.Random, district: names.District) -> str:
        street = rng.choice(district.streets)
        number = rng.randint(1, 140) if rng.random() < 0.9 else rng.randint(141, 260)
        if rng.random() < 0.3:
            return f"{street}, {number}"
        if rng.random() < 0.1:
            return f"{street}, {number}, Bajo {rng.choice('ABCD')}"
        doors = "ABCDEFGH"[: rng.randint(2, 8)]
        return f"{street}, {number}, {rng.randint(1, 7)}º {rng.choice(doors)}"

    def place(self, rng: random.Random, district: names.District) -> tuple[str, float, float]:
        street = rng.choice(district.streets)
        spot = f"{street}, {rng.randint(1, 140)}"
        return (
            spot,
            round(district.latitude + rng.uniform(-0.004, 0.004), 6),
            round(district.longitude + rng.uniform(-0.005, 0.005), 6),
        )
