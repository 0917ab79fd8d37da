"""The synthetic municipality: a deterministic population of Villanueva del Río, bulk-loaded.

``seed_municipality(citizens=N, seed=S)`` fills an empty database with N residents living in
households (couples, children with their parents' surnames, a parent ``Representation`` for every
minor), a few businesses with their representatives, three years of interactions on every
channel, the cases some of them opened, and the records the health service and the social
security office keep of some residents, planted with the errors identity resolution must see
through.

Same seed and size, same data: every random choice comes from ``random.Random`` seeded per chunk
of residents, identifiers and UUIDs are derived from the seed, and every time is counted back from
``REFERENCE_NOW``, never from the wall clock.

Ground truth for identity resolution: ``SyntheticTruth`` links each ``SourceRecord`` of a resident
to the true ``Party`` with the list of distortions applied (an empty list for a clean copy). A
source record without a truth row is a person the town hall does not know (not registered here).

An emerging problem is planted for the analytics: in the last six weeks the residents of
La Ribera complain far more than usual about overflowing bins and smells.

Rows are written in chunks of ``CHUNK`` residents, one transaction each, with ``executemany`` on
SQLite and ``COPY`` on PostgreSQL, while a forked process makes the next chunks; no more than a
few chunks are in memory at once. Derived name columns (``sort_name``, ``NameToken``) come from
``parties.naming``, as in the services. Case references are numbered per year in the order the
chunks are written (not in the order the cases were opened), and each year's ``CaseSequence`` is
moved past the last one, so cases opened later never collide.
"""

from __future__ import annotations

import bisect
import json
import math
import multiprocessing
import os
import random
import sys
import time
import unicodedata
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from multiprocessing.pool import AsyncResult
from typing import Any, Final, Generic, TextIO, TypeVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, models, transaction
from django.db.models.functions import Greatest
from django.utils import timezone
from tqdm import tqdm

from ventanilla.cases.models import OPEN_STATUS_VALUES, Case, CaseSequence, CaseStatus
from ventanilla.catalog.models import Agency, PublicService
from ventanilla.core.calendar import add_working_days
from ventanilla.core.text import fold
from ventanilla.demo import names
from ventanilla.demo.catalogue import ADMINISTRATION
from ventanilla.demo.models import SeedRun
from ventanilla.identity.models import SourceRecord, SyntheticTruth
from ventanilla.interactions.models import Interaction
from ventanilla.parties.models import (
    ContactPoint,
    Identifier,
    NameToken,
    Party,
    ProfileAttribute,
    Representation,
)
from ventanilla.parties.naming import name_tokens, sort_name

T = TypeVar("T")
Row = tuple[Any, ...]

MADRID: Final = ZoneInfo("Europe/Madrid")
# "Now" of the synthetic town: every date is counted back from here, never from the clock.
REFERENCE_NOW: Final = datetime(2026, 6, 30, 12, 0, tzinfo=MADRID)
HISTORY_YEARS: Final = 3
CHUNK: Final = 5_000
# Each chunk owns this many keys of each agency's source records (a resident has at most one).
RECORDS_PER_CHUNK: Final = 2 * CHUNK
MAX_CITIZENS: Final = 50_000_000
MAX_INTERACTIONS_PER_CITIZEN: Final = 1_000
DEFAULT_INTERACTIONS_PER_CITIZEN: Final = 10

ORGANISATIONS_PER_CITIZEN: Final = 0.025
FOREIGN_HOUSEHOLDS: Final = 0.12
DISTORTED_SHARE: Final = 0.05
CLEAN_SHARE: Final = 0.10
UNKNOWN_SHARE: Final = 0.005

DNI_LETTERS: Final = "TRWAGMYFPDXBNJZSQVHLCKE"
HEALTH_AGENCY: Final = "salud"
SOCIAL_SECURITY_AGENCY: Final = "seguridad-social"
FRONT_DESK: Final = "atencion-ciudadana"
NORTH_DISTRICTS: Final = frozenset({"Centro", "San Juan", "El Ejido", "Estación", "Polígono Norte"})
EMERGING_DISTRICT: Final = "La Ribera"
EMERGING_SERVICE: Final = "limpieza-via-publica"
EMERGING_DAYS: Final = 42

DISTORTIONS: Final = (
    "typo_dropped_letter",
    "typo_swapped_letters",
    "typo_replaced_letter",
    "swapped_surnames",
    "missing_second_surname",
    "old_address",
    "wrong_check_letter",
    "accents_dropped",
    "day_month_swapped",
)

# Spanish population pyramid by five-year bands (thousands), a little younger than the country.
PYRAMID: Final = (
    2000, 2400, 2700, 2650, 2550, 2700, 2850, 3200, 3850, 4050, 3900,
    3650, 3250, 2750, 2350, 2050, 1450, 950, 420, 110, 15,
)  # fmt: skip

GROUPS: Final = ("child", "teen", "young", "adult", "senior", "organisation")

# How often each group uses each service: (child, teen, young, adult, senior, organisation).
SERVICE_USE: Final[dict[str, tuple[float, ...]]] = {
    "empadronamiento": (0.5, 0.3, 3, 2, 0.5, 0),
    "cambio-domicilio": (0.5, 0.3, 4, 3, 1, 0),
    "certificado-empadronamiento": (1, 1, 6, 6, 3, 0),
    "inscripcion-nacimiento": (2, 0, 0.5, 0.5, 0, 0),
    "baja-padron-defuncion": (0, 0, 0.1, 0.6, 0.8, 0),
    "inscripcion-matrimonio": (0, 0, 0.8, 0.5, 0.05, 0),
    "pareja-de-hecho": (0, 0, 0.6, 0.3, 0.02, 0),
    "censo-electoral": (0, 0.1, 1, 1, 0.8, 0),
    "licencia-obra-menor": (0, 0, 0.8, 3, 2, 4),
    "licencia-obra-mayor": (0, 0, 0.1, 0.8, 0.3, 3),
    "licencia-actividad": (0, 0, 0.3, 0.3, 0.02, 6),
    "cese-actividad": (0, 0, 0.05, 0.1, 0.05, 1.5),
    "ocupacion-via-publica": (0, 0, 0.3, 0.5, 0.1, 4),
    "alumbrado-publico": (0, 0.2, 1.5, 2, 2, 1),
    "recogida-enseres": (0, 0, 2, 3, 2, 0.5),
    "limpieza-via-publica": (0, 0.3, 2, 3, 3, 2),
    "denuncia-ruidos": (0, 0.2, 2, 2, 2, 0.5),
    "registro-animales": (0, 0.2, 1.5, 1.2, 0.5, 0),
    "cementerio": (0, 0, 0.05, 0.6, 1, 0),
    "pago-tributos": (0, 0, 4, 9, 8, 10),
    "bonificacion-ibi": (0, 0, 0.3, 1.5, 0.8, 0),
    "domiciliacion-recibos": (0, 0, 1, 2, 1.5, 2),
    "aplazamiento-deudas": (0, 0, 0.5, 1, 0.4, 2),
    "plusvalia": (0, 0, 0.3, 1, 0.8, 1),
    "recurso-multa-trafico": (0, 0, 1.5, 1.5, 0.4, 2),
    "pago-multa": (0, 0, 3, 3, 0.8, 3),
    "tarjeta-residentes": (0, 0, 1, 1.5, 0.8, 0),
    "vado-permanente": (0, 0, 0.1, 0.5, 0.3, 1),
    "desperfectos-calzada": (0, 0.2, 1.5, 2, 2, 1),
    "ayuda-emergencia-social": (0, 0, 1, 1, 0.5, 0),
    "ayuda-domicilio": (0, 0, 0, 0.1, 3, 0),
    "teleasistencia": (0, 0, 0, 0.05, 2.5, 0),
    "valoracion-dependencia": (0.2, 0.1, 0.05, 0.2, 2, 0),
    "mediacion-familiar": (0, 0, 0.2, 0.5, 0.02, 0),
    "adopcion-acogimiento": (0, 0, 0.1, 0.3, 0, 0),
    "escuela-infantil": (3, 0, 0, 0, 0, 0),
    "admision-escolar": (4, 1, 0, 0, 0, 0),
    "becas-comedor": (3, 1, 0, 0, 0, 0),
    "transporte-universitario": (0, 0.2, 2, 0.1, 0, 0),
    "escuelas-deportivas": (4, 3, 0.5, 0.5, 0.8, 0),
    "reserva-instalaciones": (0, 2, 3, 2, 0.5, 0.5),
    "carne-biblioteca": (2, 3, 1.5, 0.5, 0.5, 0),
    "cita-dni-pasaporte": (1.5, 2, 2, 2, 1.5, 0),
    "informacion-permiso-conducir": (0, 0.5, 2, 1, 0.8, 0),
    "quejas-sugerencias": (0, 0.3, 2, 3, 3, 2),
    "presupuestos-participativos": (0, 0.2, 1, 1, 0.5, 0.3),
    "tarjeta-sanitaria": (2, 0.5, 1, 0.8, 0.8, 0),
    "cita-medico": (12, 6, 8, 12, 20, 0),
    "cambio-medico": (0.5, 0.2, 1, 1, 1, 0),
    "numero-afiliacion": (0, 0.5, 2, 0.3, 0, 0),
    "informe-vida-laboral": (0, 0, 2, 2, 1, 0.5),
    "prestacion-nacimiento": (0, 0, 0.5, 0.8, 0, 0),
    "pension-jubilacion": (0, 0, 0, 0.3, 3, 0),
    "pension-viudedad": (0, 0, 0, 0.2, 1, 0),
    "prestacion-desempleo": (0, 0, 1, 1, 0.05, 0),
    "demanda-empleo": (0, 0.1, 2, 1.5, 0.05, 0),
    "comunicacion-contrato": (0, 0, 0, 0, 0, 8),
    "ayuda-autonomos": (0, 0, 0.3, 0.3, 0, 1),
}
# Extra weight of a service for someone in a given work situation.
STATUS_BOOST: Final[dict[str, dict[str, float]]] = {
    "unemployed": {
        "prestacion-desempleo": 8,
        "demanda-empleo": 6,
        "ayuda-emergencia-social": 3,
        "aplazamiento-deudas": 2,
    },
    "student": {"transporte-universitario": 3, "carne-biblioteca": 2, "reserva-instalaciones": 2},
    "retired": {"pension-jubilacion": 1.5, "teleasistencia": 1.5},
    "employed": {"informe-vida-laboral": 1.5},
}
# How much each group interacts, relative to a working-age adult.
ACTIVITY: Final[dict[str, float]] = {
    "child": 0.3,
    "teen": 0.55,
    "young": 1.0,
    "adult": 1.2,
    "senior": 1.0,
    "organisation": 3.0,
}
CHANNEL_USE: Final[dict[str, dict[str, float]]] = {
    "child": {"web": 25, "desk": 30, "phone": 18, "app": 12, "email": 8, "kiosk": 2, "post": 3,
              "api": 2},
    "teen": {"web": 30, "app": 26, "desk": 18, "phone": 10, "email": 8, "kiosk": 6, "post": 1,
             "api": 1},
    "young": {"web": 35, "app": 22, "email": 12, "phone": 12, "desk": 12, "kiosk": 3, "api": 3,
              "post": 1},
    "adult": {"web": 30, "app": 12, "email": 12, "phone": 18, "desk": 20, "kiosk": 3, "api": 3,
              "post": 2},
    "senior": {"web": 8, "app": 3, "email": 4, "phone": 35, "desk": 42, "kiosk": 3, "api": 2,
               "post": 3},
    "organisation": {"web": 35, "api": 25, "email": 20, "phone": 8, "desk": 8, "post": 4,
                     "app": 0.5, "kiosk": 0.5},
}  # fmt: skip

INCIDENT_SERVICES: Final = {
    "alumbrado-publico": (
        "Farola apagada en {place}",
        "Varias farolas sin luz en {place}",
        "Farola dañada tras un golpe en {place}",
    ),
    "limpieza-via-publica": (
        "Contenedores desbordados en {place}",
        "Suciedad acumulada en {place}",
        "Pintadas en la fachada de {place}",
    ),
    "denuncia-ruidos": (
        "Ruido de un bar hasta la madrugada en {place}",
        "Obras fuera de horario en {place}",
        "Ruido de vecinos por la noche en {place}",
    ),
    "desperfectos-calzada": (
        "Bache peligroso en {place}",
        "Baldosas sueltas en la acera de {place}",
        "Señal de tráfico caída en {place}",
    ),
    "recogida-enseres": (
        "Recoger un sofá y un colchón en {place}",
        "Muebles abandonados junto al contenedor en {place}",
        "Recoger electrodomésticos viejos en {place}",
    ),
}
LOCATED_SERVICES: Final = frozenset(
    {*INCIDENT_SERVICES, "licencia-obra-menor", "licencia-obra-mayor", "ocupacion-via-publica",
     "vado-permanente", "licencia-actividad"}
)  # fmt: skip
PAYMENT_SERVICES: Final = frozenset({"pago-tributos", "pago-multa"})
APPOINTMENT_SERVICES: Final = frozenset(
    {"cita-medico", "cita-dni-pasaporte", "reserva-instalaciones"}
)
INFORMATION_SERVICES: Final = frozenset({"informacion-permiso-conducir"})
HEALTH_SERVICES: Final = frozenset({"cita-medico", "cambio-medico", "tarjeta-sanitaria"})

SUMMARY_TEMPLATES: Final[dict[str, tuple[str, ...]]] = {
    "question": (
        "Consulta sobre {service}",
        "Pide información sobre {service}",
        "Pregunta por los requisitos de {service}",
        "Pregunta por el estado de su trámite de {service}",
        "Pregunta qué documentos necesita para {service}",
    ),
    "request": ("Solicitud de {service}", "Presenta la solicitud de {service}", "Pide {service}"),
    "transaction": (
        "Gestión completada: {service}",
        "Trámite realizado: {service}",
        "Realiza la gestión de {service}",
    ),
    "complaint": (
        "Queja sobre {service}",
        "Reclamación por el retraso en {service}",
        "Queja por el trato recibido en {service}",
        "Queja: no le han contestado sobre {service}",
    ),
    "suggestion": (
        "Sugerencia para mejorar {service}",
        "Propone ampliar el horario de {service}",
        "Propone que {service} se pueda hacer por internet",
    ),
}
PROPOSALS: Final = (
    "Propone un parque infantil en {district}",
    "Propone un carril bici que llegue a {district}",
    "Propone más bancos y sombra en las plazas de {district}",
    "Propone un huerto urbano en {district}",
    "Propone arreglar la pista del polideportivo de {district}",
    "Propone más pasos de peatones en {district}",
)
GENERAL_SUMMARIES: Final = (
    "Consulta de horarios y direcciones de las oficinas municipales",
    "Pregunta por el teléfono de otra administración",
    "Pregunta cómo obtener el certificado digital",
    "Pide información general sobre trámites",
    "Consulta sobre cómo pedir cita previa",
)
FOLLOW_UPS: Final = {
    "waiting_citizen": "Requerimiento de documentación: {service}",
    "resolved": "Notificación de la resolución: {service}",
    "closed": "Notificación de la resolución: {service}",
    "rejected": "Notificación de la denegación: {service}",
    "cancelled": "Confirmación del desistimiento: {service}",
}
CASE_DESCRIPTIONS: Final = (
    "Solicito {service}.",
    "Quisiera tramitar {service}. Adjunto la documentación.",
    "Presento la solicitud de {service} y quedo a la espera.",
)

STATUS_BY_AGE: Final = (
    # (younger than days, weights for new, accepted, in_progress, waiting_citizen, resolved,
    #  closed, rejected, cancelled)
    (7, (45, 20, 15, 5, 5, 3, 3, 4)),
    (30, (10, 15, 30, 12, 13, 10, 4, 6)),
    (90, (2, 4, 14, 8, 15, 45, 5, 7)),
    (10**9, (0.3, 0.5, 2, 1.5, 3, 80, 6, 7)),
)
STATUSES: Final = tuple(CaseStatus.values)
OPEN: Final = frozenset(OPEN_STATUS_VALUES)

EDUCATION_BY_AGE: Final = (
    (25, {"secondary": 55, "vocational": 20, "university": 20, "primary": 5}),
    (45, {"university": 40, "vocational": 22, "secondary": 30, "primary": 8}),
    (65, {"university": 25, "vocational": 18, "secondary": 32, "primary": 22, "none": 3}),
    (200, {"university": 10, "vocational": 5, "secondary": 18, "primary": 50, "none": 17}),
)
EMPLOYMENT_BY_AGE: Final = (
    (25, {"student": 45, "employed": 35, "unemployed": 18, "other": 2}),
    (65, {"employed": 76, "unemployed": 12, "homemaker": 6, "other": 6}),
    (200, {"retired": 92, "employed": 3, "homemaker": 5}),
)
NEEDS_YOUNGER: Final = {
    "wheelchair": 3, "low_vision": 2, "blind": 1, "deaf": 1, "hard_of_hearing": 2,
    "sign_language": 1, "easy_read": 2, "cognitive": 1,
}  # fmt: skip
NEEDS_OLDER: Final = {"wheelchair": 3, "hard_of_hearing": 4, "low_vision": 3, "easy_read": 2}
MONTH_WEIGHT: Final = (1.15, 1.05, 1.1, 1.2, 1.2, 1.05, 0.85, 0.5, 1.3, 1.1, 1.05, 0.8)
HOLIDAYS: Final = frozenset(
    {(1, 1), (1, 6), (5, 1), (8, 15), (10, 12), (11, 1), (12, 6), (12, 8), (12, 25)}
)
ASSISTED_HOURS: Final = (0, 0, 0, 0, 0, 0, 0, 0, 3, 10, 12, 12, 11, 9, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0)
PHONE_HOURS: Final = (0, 0, 0, 0, 0, 0, 0, 0, 4, 9, 11, 11, 10, 9, 6, 4, 5, 6, 5, 4, 2, 0, 0, 0)
KIOSK_HOURS: Final = (0, 0, 0, 0, 0, 0, 0, 0, 2, 6, 9, 10, 10, 9, 7, 4, 4, 5, 5, 4, 1, 0, 0, 0)
ONLINE_HOURS: Final = (
    1,
    0.5,
    0.3,
    0.2,
    0.2,
    0.3,
    1,
    2,
    4,
    6,
    7,
    7,
    6,
    5,
    4,
    4,
    5,
    6,
    6,
    6,
    6,
    5,
    4,
    2,
)
API_HOURS: Final = (4, 6, 6, 5, 3, 2, 2, 2, 3, 4, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3)
CHANNEL_HOURS: Final = {
    "desk": ASSISTED_HOURS,
    "post": ASSISTED_HOURS,
    "phone": PHONE_HOURS,
    "kiosk": KIOSK_HOURS,
    "web": ONLINE_HOURS,
    "app": ONLINE_HOURS,
    "email": ONLINE_HOURS,
    "api": API_HOURS,
}
# Digital channels grow a little every year, counters shrink.
CHANNEL_TREND: Final = {"web": 0.12, "app": 0.2, "email": 0.0, "api": 0.1, "desk": -0.08,
                        "phone": -0.04, "post": -0.15, "kiosk": 0.0}  # fmt: skip


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


class _Weighted(Generic[T]):
    """Items with weights, drawn with one uniform number and a binary search."""

    __slots__ = ("items", "cum", "total")

    def __init__(self, pairs: Sequence[tuple[T, float]]) -> None:
        kept = [(item, float(weight)) for item, weight in pairs if weight > 0]
        if not kept:
            raise ValueError("nothing to draw from")
        self.items = [item for item, _ in kept]
        self.cum: list[float] = []
        running = 0.0
        for _, weight in kept:
            running += weight
            self.cum.append(running)
        self.total = running

    def pick(self, rng: random.Random) -> T:
        return self.items[bisect.bisect(self.cum, rng.random() * self.total)]


class _Permutation:
    """A bijection of ``range(size)`` that looks random, so derived numbers never repeat."""

    def __init__(self, size: int, rng: random.Random) -> None:
        self.size = size
        multiplier = rng.randrange(size // 3, size)
        while math.gcd(multiplier, size) != 1:
            multiplier += 1
        self.multiplier = multiplier
        self.offset = rng.randrange(size)

    def __call__(self, index: int) -> int:
        return (self.multiplier * index + self.offset) % self.size


def dni_letter(number: int) -> str:
    return DNI_LETTERS[number % 23]


@lru_cache(maxsize=65_536)
def _due_date(start: date, days: int) -> date:
    return add_working_days(start, days)


def _age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _group(age: int) -> str:
    if age < 14:
        return "child"
    if age < 18:
        return "teen"
    if age < 30:
        return "young"
    if age < 65:
        return "adult"
    return "senior"


def _ascii_word(text: str) -> str:
    return fold(text).replace(" ", "")


class _Clock:
    """The days of the three-year history with per-channel weights, and time formatting."""

    def __init__(self, vendor: str) -> None:
        self.now = REFERENCE_NOW
        self.today = REFERENCE_NOW.date()
        self.now_epoch = int(REFERENCE_NOW.timestamp())
        first = self.today.replace(year=self.today.year - HISTORY_YEARS)
        self.first_day = first
        self.days = [first + timedelta(days=n) for n in range((self.today - first).days)]
        self.day_epoch = [
            int(datetime(d.year, d.month, d.day, tzinfo=MADRID).timestamp()) for d in self.days
        ]
        self.suffix = "+00" if vendor == "postgresql" else ""
        self._day_text: dict[int, str] = {}
        self.day_cum: dict[str, list[float]] = {}
        for channel, trend in CHANNEL_TREND.items():
            running = 0.0
            cum = []
            for n, day in enumerate(self.days):
                running += self._weight(channel, day, n, trend)
                cum.append(running)
            self.day_cum[channel] = cum
        self.hours = {
            channel: _Weighted(list(enumerate(weights)))
            for channel, weights in CHANNEL_HOURS.items()
        }

    def _weight(self, channel: str, day: date, n: int, trend: float) -> float:
        weekday = day.weekday()
        holiday = (day.month, day.day) in HOLIDAYS
        christmas = (day.month == 12 and day.day >= 22) or (day.month == 1 and day.day <= 7)
        weight = MONTH_WEIGHT[day.month - 1] * (1 + trend * n / 365)
        if channel in ("desk", "post", "phone"):
            if weekday >= 5 or holiday:
                return 0.0
            weight *= (1.25, 1.15, 1.1, 1.0, 0.8)[weekday]
        else:
            weight *= (1.2, 1.15, 1.1, 1.05, 0.9, 0.45, 0.4)[weekday]
            if holiday:
                weight *= 0.4
        if christmas:
            weight *= 0.5
        return weight

    def day_index(self, moment: date) -> int:
        return max(0, min(len(self.days), (moment - self.first_day).days))

    def pick_day(self, channel: str, rng: random.Random, start: int) -> int:
        cum = self.day_cum[channel]
        low = cum[start - 1] if start > 0 else 0.0
        index = bisect.bisect(cum, low + rng.random() * (cum[-1] - low))
        return min(index, len(cum) - 1)

    def moment(self, channel: str, rng: random.Random, start: int) -> tuple[int, int]:
        """(day index, UTC epoch seconds) of one contact on ``channel`` from day ``start``."""
        day = self.pick_day(channel, rng, start)
        hour = self.hours[channel].pick(rng)
        return day, self.day_epoch[day] + hour * 3600 + rng.randrange(3600)

    def ts(self, epoch: int) -> str:
        day, rest = divmod(epoch, 86_400)
        text = self._day_text.get(day)
        if text is None:
            text = date.fromordinal(719_163 + day).isoformat()
            self._day_text[day] = text
        hour, rest = divmod(rest, 3600)
        minute, second = divmod(rest, 60)
        return f"{text} {hour:02d}:{minute:02d}:{second:02d}{self.suffix}"

    def epoch_of(self, day: date, hour: int = 10) -> int:
        return int(datetime(day.year, day.month, day.day, hour, tzinfo=MADRID).timestamp())


@dataclass(slots=True)
class _Service:
    id: str
    code: str
    name: str
    department_id: str
    department_code: str
    deadline_days: int
    channels: tuple[str, ...]
    summaries: dict[str, tuple[str, ...]]


@dataclass(slots=True)
class _Household:
    district: names.District
    address: str
    community: names.Community | None
    previous: tuple[names.District, str, date] | None
    adults: list[_Person] = field(default_factory=list)
    children: list[_Person] = field(default_factory=list)


@dataclass(slots=True)
class _Person:
    index: int
    id: str
    sex: str
    birth: date
    age: int
    household: _Household | None = None
    given: str = ""
    family_1: str = ""
    family_2: str = ""
    nationality: str = "ES"
    identifier: tuple[str, str] | None = None
    employment: str = ""
    email: str = ""
    start_day: int = 0
    created_epoch: int = 0


def _column(field: Any) -> str:
    column = field.column
    if not isinstance(column, str):
        raise TypeError(f"{field} has no column")
    return column


class _Tables:
    """Column lists of the tables the seed writes, in the order they are written."""

    SPECS: Final[tuple[tuple[type[models.Model], tuple[str, ...]], ...]] = (
        (
            Party,
            ("id", "created_at", "updated_at", "kind", "status", "given_name", "family_name_1",
             "family_name_2", "legal_name", "birth_date", "sex", "preferred_language",
             "education_level", "accessibility_needs", "sort_name"),
        ),
        (NameToken, ("party", "token")),
        (
            Identifier,
            ("id", "created_at", "updated_at", "party", "scheme", "value", "issuing_country",
             "verified"),
        ),
        (
            ContactPoint,
            ("id", "created_at", "updated_at", "party", "kind", "value", "normalized",
             "postal_code", "municipality", "district", "preferred", "valid_until"),
        ),
        (
            ProfileAttribute,
            ("id", "created_at", "updated_at", "party", "name", "value", "sensitivity",
             "category", "source_agency"),
        ),
        (
            Representation,
            ("id", "created_at", "updated_at", "representative", "represented", "kind", "scope",
             "valid_from", "valid_until", "evidence"),
        ),
        (
            Case,
            ("id", "created_at", "updated_at", "reference", "party", "service", "status",
             "priority", "channel", "department", "assignee", "opened_at", "due_date",
             "closed_at", "description", "form_data", "location_text", "latitude", "longitude",
             "district", "satisfaction"),
        ),
        (
            Interaction,
            ("id", "created_at", "updated_at", "party", "channel", "agency", "direction",
             "relationship", "kind", "service", "case", "agent", "occurred_at",
             "duration_seconds", "summary"),
        ),
        (
            SourceRecord,
            ("id", "created_at", "updated_at", "agency", "source_key", "given_name",
             "family_name_1", "family_name_2", "birth_date", "identifier", "address",
             "postal_code", "email", "phone", "decided_by"),
        ),
        (SyntheticTruth, ("source_record", "party", "distortions")),
    )  # fmt: skip

    def __init__(self) -> None:
        quote = connection.ops.quote_name
        self.sql: dict[type[models.Model], tuple[str, str, int]] = {}
        for model, fields in self.SPECS:
            meta = model._meta
            columns = ", ".join(quote(_column(meta.get_field(name))) for name in fields)
            self.sql[model] = (quote(meta.db_table), columns, len(fields))

    def write(self, model: type[models.Model], rows: list[Row]) -> None:
        if not rows:
            return
        table, columns, width = self.sql[model]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * width)
                # Table and column names come from the models and are quoted; values are bound.
                sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
                cursor.executemany(sql, rows)


@dataclass
class _Chunk:
    """What one chunk of residents produced: rows per table (in ``_Tables.SPECS`` order)."""

    number: int
    rows: list[list[Row]]
    summary: SeedSummary


class _Generator:
    """Makes the rows of one chunk of residents at a time.

    A chunk depends only on the seed and its number (its own random stream, its own ranges of
    UUIDs, organisation numbers and record keys), so chunks can be made in another process and
    in any order, and still give the same town. Case references are numbered by the writer.
    """

    def __init__(self, *, seed: int, citizens: int, per_citizen: float, vendor: str) -> None:
        self.seed = seed
        self.citizens = citizens
        self.per_citizen = per_citizen
        self.clock = _Clock(vendor)
        self.table_index = {model: n for n, (model, _fields) in enumerate(_Tables.SPECS)}
        self.uuid_tag = random.Random(f"ventanilla:{seed}:tag").getrandbits(8) << 40
        numbers = random.Random(f"ventanilla:{seed}:numbers")
        self.dni_numbers = _Permutation(90_000_000, numbers)
        self.nie_numbers = _Permutation(30_000_000, numbers)
        self.passport_numbers = _Permutation(1_000_000_000, numbers)
        self.mobile_numbers = _Permutation(100_000_000, numbers)
        self.landline_numbers = _Permutation(1_000_000, numbers)
        self.cif_numbers = _Permutation(10_000_000, numbers)
        self.health_keys = _Permutation(10_000_000_000, numbers)
        self.social_keys = _Permutation(100_000_000, numbers)
        digits = max(3, len(str(max(citizens - 1, 1))))
        self.email_tags = _Permutation(10**digits, numbers)
        self._load_catalogue()
        self._prepare_draws()
        self._start(0)

    def _start(self, chunk: int) -> None:
        """Reset the per-chunk state: each chunk owns fixed ranges of every counter."""
        self.rows: list[list[Row]] = [[] for _ in _Tables.SPECS]
        self.summary = SeedSummary(seed=self.seed)
        self.uuid_high = self.uuid_tag | (chunk << 24)
        self.uuid_count = 0
        self.organisation_next = chunk * round(CHUNK * ORGANISATIONS_PER_CITIZEN)
        self.unknown_next = self.citizens + chunk * CHUNK
        self.health_next = chunk * RECORDS_PER_CHUNK
        self.social_next = chunk * RECORDS_PER_CHUNK
        self.distortion_turn = 0

    # Reference data -------------------------------------------------------------------------

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
        self.services: dict[str, _Service] = {}
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
            self.services[service.code] = _Service(
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

    def _prepare_draws(self) -> None:
        self.ages = _Weighted([(band, weight) for band, weight in enumerate(PYRAMID)])
        self.surnames = _Weighted(list(names.SURNAMES))
        self.given: dict[tuple[str, str], _Weighted[str]] = {}
        factors = {
            "o": {"o": 3.0, "a": 1.0, "m": 0.4, "y": 0.03},
            "m": {"o": 0.5, "a": 1.0, "m": 3.0, "y": 0.4},
            "y": {"o": 0.05, "a": 1.0, "m": 0.5, "y": 3.0},
        }
        for sex, table in (("F", names.FEMALE), ("M", names.MALE)):
            for era, factor in factors.items():
                self.given[(sex, era)] = _Weighted(
                    [(entry.name, entry.weight * factor[entry.era]) for entry in table]
                )
        self.communities = _Weighted([(c, c.weight) for c in names.COMMUNITIES])
        self.countries = {c.code: _Weighted(list(c.countries)) for c in names.COMMUNITIES}
        self.districts = _Weighted([(d, d.weight) for d in names.DISTRICTS])
        self.foreign_districts = _Weighted(
            [
                (d, d.weight * (2.0 if d.name in ("Polígono Norte", "Estación") else 1.0))
                for d in names.DISTRICTS
            ]
        )
        self.business_districts = _Weighted(
            [(d, d.weight * (4.0 if d.name == "Polígono Norte" else 1.0)) for d in names.DISTRICTS]
        )
        self.domains = _Weighted(list(names.EMAIL_DOMAINS))
        self.patterns = _Weighted(list(names.BUSINESS_PATTERNS))
        self.education = {
            limit: _Weighted(list(weights.items())) for limit, weights in EDUCATION_BY_AGE
        }
        self.employment = {
            limit: _Weighted(list(weights.items())) for limit, weights in EMPLOYMENT_BY_AGE
        }
        self.needs_younger = _Weighted(list(NEEDS_YOUNGER.items()))
        self.needs_older = _Weighted(list(NEEDS_OLDER.items()))
        self.channels = {
            group: _Weighted(list(weights.items())) for group, weights in CHANNEL_USE.items()
        }
        self.status_by_age = [
            (limit, _Weighted(list(zip(STATUSES, weights, strict=True))))
            for limit, weights in STATUS_BY_AGE
        ]
        self._service_draws: dict[tuple[str, str], _Weighted[_Service | None]] = {}

    def service_draw(self, group: str, status: str) -> _Weighted[_Service | None]:
        key = (group, status)
        draw = self._service_draws.get(key)
        if draw is None:
            column = GROUPS.index(group)
            boost = STATUS_BOOST.get(status, {})
            pairs: list[tuple[_Service | None, float]] = []
            for code, service in self.services.items():
                use = SERVICE_USE.get(code, (0, 0, 1, 1, 1, 0))
                pairs.append((service, use[column] * boost.get(code, 1.0)))
            # One contact in ten is a general question that no service owns.
            pairs.append((None, sum(weight for _, weight in pairs) / 9))
            draw = _Weighted(pairs)
            self._service_draws[key] = draw
        return draw

    # Small helpers --------------------------------------------------------------------------

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

    def dni(self, index: int) -> str:
        number = 10_000_000 + self.dni_numbers(index)
        return f"{number:08d}{dni_letter(number)}"

    def nie(self, index: int) -> str:
        number = self.nie_numbers(index)
        return f"{'XYZ'[number // 10_000_000]}{number % 10_000_000:07d}{dni_letter(number)}"

    def mobile(self, index: int) -> tuple[str, str]:
        digits = f"6{self.mobile_numbers(index):08d}"
        display = f"+34 {digits[:3]} {digits[3:5]} {digits[5:7]} {digits[7:]}"
        return display, f"+34{digits}"

    # Chunks -------------------------------------------------------------------------------

    def chunk(self, number: int) -> _Chunk:
        self._start(number)
        first = number * CHUNK
        size = min(CHUNK, self.citizens - first)
        self.generate_chunk(random.Random(f"ventanilla:{self.seed}:{number}"), first, size)
        self.summary.rows = sum(len(rows) for rows in self.rows)
        return _Chunk(number=number, rows=self.rows, summary=self.summary)

    def generate_chunk(self, rng: random.Random, first: int, size: int) -> None:
        people = self.people(rng, first, size)
        households = self.households(rng, people)
        for household in households:
            self.name_household(rng, household)
        for person in people:
            self.write_person(rng, person)
        adults = [p for p in people if p.age >= 25 and p.age < 75]
        organisations = []
        for _ in range(round(size * ORGANISATIONS_PER_CITIZEN)):
            organisations.append(self.organisation(rng, rng.choice(adults) if adults else None))
        self.summary.citizens += size
        budget = round(self.per_citizen * size)
        weights = [ACTIVITY[_group(p.age)] * rng.gammavariate(2.0, 0.5) for p in people] + [
            ACTIVITY["organisation"] * rng.gammavariate(2.0, 0.5) for _ in organisations
        ]
        counts = self.share(rng, budget, weights)
        for person, count in zip(people, counts, strict=False):
            home = person.household
            assert home is not None  # noqa: S101 - every person is housed
            self.interactions(rng, person.id, _group(person.age), person.employment,
                              person.start_day, home.district, count)  # fmt: skip
        for (org_id, start, district), count in zip(
            organisations, counts[len(people) :], strict=True
        ):
            self.interactions(rng, org_id, "organisation", "", start, district, count)
        for person in people:
            self.source_records(rng, person)
        for _ in range(_stochastic_round(rng, size * UNKNOWN_SHARE)):
            self.unknown_record(rng)

    @staticmethod
    def share(rng: random.Random, budget: int, weights: list[float]) -> list[int]:
        """Split ``budget`` in proportion to ``weights``, exactly (largest remainders)."""
        total = sum(weights)
        if total <= 0 or budget <= 0:
            return [0] * len(weights)
        exact = [budget * w / total for w in weights]
        counts = [int(x) for x in exact]
        missing = budget - sum(counts)
        order = sorted(range(len(weights)), key=lambda i: (counts[i] - exact[i], rng.random()))
        for i in order[:missing]:
            counts[i] += 1
        return counts

    # People and households ------------------------------------------------------------------

    def people(self, rng: random.Random, first: int, size: int) -> list[_Person]:
        today = self.clock.today
        people = []
        for offset in range(size):
            band = self.ages.pick(rng)
            years = band * 5 + rng.random() * 5
            birth = today - timedelta(days=int(years * 365.2425) + 1)
            sex = "X" if rng.random() < 0.001 else ("F" if rng.random() < 0.51 else "M")
            person = _Person(
                index=first + offset,
                id=self.uuid(rng),
                sex=sex,
                birth=birth,
                age=_age_on(birth, today),
            )
            people.append(person)
        return people

    def households(self, rng: random.Random, people: list[_Person]) -> list[_Household]:
        adults = [p for p in people if p.age >= 18]
        minors = [p for p in people if p.age < 18]
        rng.shuffle(adults)
        pools: dict[tuple[str, int], list[_Person]] = {}
        for person in adults:
            pools.setdefault((person.sex, person.age // 5), []).append(person)
        households: list[_Household] = []
        for person in adults:
            if person.household is not None:
                continue
            members = [person]
            if person.sex in "FM" and rng.random() < _couple_chance(person.age):
                other = "M" if person.sex == "F" else "F"
                band = person.age // 5
                for near in (band, band - 1, band + 1, band - 2, band + 2):
                    pool = pools.get((other, near))
                    while pool and pool[-1].household is not None:
                        pool.pop()
                    if pool:
                        members.append(pool.pop())
                        break
            household = self.new_household(rng)
            for member in members:
                member.household = household
                household.adults.append(member)
            households.append(household)
        parents = sorted(
            ((_parent_age(h), n) for n, h in enumerate(households) if 20 <= _parent_age(h) <= 62),
        )
        parent_ages = [age for age, _ in parents]
        for child in minors:
            low = bisect.bisect_left(parent_ages, child.age + 18)
            high = bisect.bisect_right(parent_ages, child.age + 45)
            home: _Household | None = None
            for _attempt in range(4):
                if low >= high:
                    break
                candidate = households[parents[rng.randrange(low, high)][1]]
                if len(candidate.children) < 5:
                    home = candidate
                    break
            if home is None:
                # A child with no plausible parent in this chunk lives with a grandparent.
                home = rng.choice(households) if households else self.new_household(rng)
                if not households:
                    households.append(home)
            child.household = home
            home.children.append(child)
        return households

    def new_household(self, rng: random.Random) -> _Household:
        community = self.communities.pick(rng) if rng.random() < FOREIGN_HOUSEHOLDS else None
        district = (self.foreign_districts if community else self.districts).pick(rng)
        previous = None
        if rng.random() < 0.15:
            old_district = self.districts.pick(rng)
            moved = self.clock.today - timedelta(days=rng.randint(30, 6 * 365))
            previous = (old_district, self.address(rng, old_district), moved)
        return _Household(
            district=district,
            address=self.address(rng, district),
            community=community,
            previous=previous,
        )

    def given_name(
        self, rng: random.Random, person: _Person, community: names.Community | None
    ) -> str:
        sex = person.sex if person.sex in "FM" else rng.choice("FM")
        if community is not None and (person.age >= 18 or rng.random() < 0.7):
            return rng.choice(community.female if sex == "F" else community.male)
        year = person.birth.year
        era = "o" if year < 1960 else ("m" if year < 1990 else "y")
        return self.given[(sex, era)].pick(rng)

    def surname(self, rng: random.Random, community: names.Community | None) -> str:
        if community is not None:
            return rng.choice(community.surnames)
        return self.surnames.pick(rng)

    def name_household(self, rng: random.Random, household: _Household) -> None:
        community = household.community
        nationality = self.countries[community.code].pick(rng) if community else "ES"
        for adult in household.adults:
            adult.given = self.given_name(rng, adult, community)
            adult.family_1 = self.surname(rng, community)
            if community is None or community.two_surnames:
                adult.family_2 = self.surname(rng, community)
            adult.nationality = nationality
        father = next((a for a in household.adults if a.sex == "M"), None)
        mother = next((a for a in household.adults if a.sex == "F"), None)
        two = community is None or community.two_surnames
        for child in household.children:
            child.given = self.given_name(rng, child, community)
            child.nationality = nationality if rng.random() < 0.6 or not community else "ES"
            if father and mother:
                child.family_1 = father.family_1
                child.family_2 = mother.family_1 if two else ""
            elif mother:
                child.family_1 = mother.family_1
                child.family_2 = (mother.family_2 or self.surname(rng, community)) if two else ""
            elif father:
                child.family_1 = father.family_1
                child.family_2 = self.surname(rng, community) if two else ""
            else:
                child.family_1 = self.surname(rng, community)
                child.family_2 = self.surname(rng, community) if two else ""

    # Writing one party ----------------------------------------------------------------------

    def party_row(
        self,
        party_id: str,
        created: int,
        kind: str,
        *,
        given: str = "",
        family_1: str = "",
        family_2: str = "",
        legal_name: str = "",
        birth: date | None = None,
        sex: str = "",
        language: str = "es",
        education: str = "",
        needs: list[str] | None = None,
    ) -> None:
        naming = {
            "kind": kind,
            "given_name": given,
            "family_name_1": family_1,
            "family_name_2": family_2,
            "legal_name": legal_name,
        }
        stamp = self.clock.ts(created)
        self.add(
            Party,
            (party_id, stamp, stamp, kind, "active", given, family_1, family_2, legal_name,
             birth.isoformat() if birth else None, sex, language, education,
             json.dumps(needs or []), sort_name(**naming)),
        )  # fmt: skip
        for token in name_tokens(**naming):
            self.add(NameToken, (party_id, token))

    def contact(
        self,
        rng: random.Random,
        party_id: str,
        stamp: str,
        kind: str,
        value: str,
        normalized: str,
        *,
        district: names.District | None = None,
        preferred: bool = False,
        valid_until: date | None = None,
    ) -> None:
        self.add(
            ContactPoint,
            (self.uuid(rng), stamp, stamp, party_id, kind, value, normalized,
             district.postal_code if district else "", names.MUNICIPALITY if district else "",
             district.name if district else "", preferred,
             valid_until.isoformat() if valid_until else None),
        )  # fmt: skip

    def attribute(
        self,
        rng: random.Random,
        party_id: str,
        stamp: str,
        name: str,
        value: Any,
        level: str,
        category: str,
    ) -> None:
        self.add(
            ProfileAttribute,
            (self.uuid(rng), stamp, stamp, party_id, name, json.dumps(value), level, category,
             None),
        )  # fmt: skip

    def write_person(self, rng: random.Random, person: _Person) -> None:
        household = person.household
        assert household is not None  # noqa: S101 - every person is housed
        community = household.community
        today = self.clock.today
        age = person.age
        # Registered in the town's systems some years ago, or soon after birth.
        registered = max(
            person.birth + timedelta(days=rng.randint(3, 40)),
            today - timedelta(days=rng.randint(HISTORY_YEARS * 365 + 30, 25 * 365)),
        )
        registered = min(registered, today - timedelta(days=1))
        created = self.clock.epoch_of(registered, rng.randint(8, 14)) + rng.randrange(3600)
        person.created_epoch = created
        person.start_day = self.clock.day_index(registered)
        stamp = self.clock.ts(created)
        english = community.english_share if community else 0.015
        language = "en" if rng.random() < english else "es"
        education = ""
        if age >= 18:
            education = self._pick_by_age(self.education, age, rng)
        elif age >= 12:
            education = "primary"
        needs: list[str] = []
        chance = 0.025 if age < 65 else (0.07 if age < 80 else 0.18)
        if rng.random() < chance:
            draw = self.needs_older if age >= 65 else self.needs_younger
            needs = sorted({draw.pick(rng) for _ in range(rng.choice((1, 1, 1, 2)))})
        self.party_row(
            person.id, created, "person", given=person.given, family_1=person.family_1,
            family_2=person.family_2, birth=person.birth, sex=person.sex, language=language,
            education=education, needs=needs,
        )  # fmt: skip
        # Identity documents: compulsory from 14, often earlier for travel.
        if age >= 14 or rng.random() < 0.45:
            if person.nationality == "ES":
                person.identifier = ("dni", self.dni(person.index))
            else:
                person.identifier = ("nie", self.nie(person.index))
            scheme, value = person.identifier
            self.add(
                Identifier,
                (self.uuid(rng), stamp, stamp, person.id, scheme, value, "ES",
                 rng.random() < 0.9),
            )  # fmt: skip
        if person.nationality in ("GB", "IE") and rng.random() < 0.35:
            number = f"{self.passport_numbers(person.index):09d}"
            self.add(
                Identifier,
                (self.uuid(rng), stamp, stamp, person.id, "passport", number,
                 person.nationality, False),
            )  # fmt: skip
        # Where they live now and, for some, where they lived before moving within the town.
        self.contact(
            rng, person.id, stamp, "postal", household.address, fold(household.address),
            district=household.district, preferred=True,
        )  # fmt: skip
        if household.previous is not None:
            old_district, old_address, moved = household.previous
            self.contact(
                rng, person.id, stamp, "postal", old_address, fold(old_address),
                district=old_district, valid_until=moved,
            )  # fmt: skip
        email_chance = 0.4 if age < 18 else (0.88 if age < 65 else (0.6 if age < 75 else 0.3))
        if age >= 14 and rng.random() < email_chance:
            person.email = self.email(rng, person)
            self.contact(rng, person.id, stamp, "email", person.email, person.email,
                         preferred=age < 65)  # fmt: skip
        phone_chance = 0.75 if age < 18 else (0.95 if age < 75 else 0.7)
        if age >= 14 and rng.random() < phone_chance:
            display, e164 = self.mobile(person.index)
            self.contact(rng, person.id, stamp, "phone", display, e164)
        if age >= 18:
            person.employment = self._pick_by_age(self.employment, age, rng)
            self.attribute(rng, person.id, stamp, "employment_status", person.employment,
                           "personal", "employment")  # fmt: skip
            if len(household.children) >= 3:
                self.attribute(rng, person.id, stamp, "large_family", True, "personal", "family")
        if person.nationality != "ES":
            self.attribute(rng, person.id, stamp, "nationality", person.nationality, "personal",
                           "identity")  # fmt: skip
        if needs:
            degree = rng.choice((33, 33, 45, 52, 65, 65, 75, 85))
            self.attribute(rng, person.id, stamp, "disability_degree", degree, "sensitive",
                           "disability")  # fmt: skip
        if age < 18:
            adulthood = _add_years(person.birth, 18) - timedelta(days=1)
            for parent in household.adults:
                if parent.age - age < 16:
                    continue
                self.add(
                    Representation,
                    (self.uuid(rng), stamp, stamp, parent.id, person.id, "parent", "[]",
                     person.birth.isoformat(), adulthood.isoformat(), "Libro de familia"),
                )  # fmt: skip

    @staticmethod
    def _pick_by_age(table: dict[int, _Weighted[str]], age: int, rng: random.Random) -> str:
        for limit, draw in table.items():
            if age < limit:
                return draw.pick(rng)
        return list(table.values())[-1].pick(rng)

    def email(self, rng: random.Random, person: _Person) -> str:
        given = _ascii_word(person.given.split(" ")[0])
        family = _ascii_word(person.family_1)
        second = _ascii_word(person.family_2) if person.family_2 else family
        tag = self.email_tags(person.index)
        style = rng.randrange(5)
        if style == 0:
            local = f"{given}.{family}"
        elif style == 1:
            local = f"{given}{family}"
        elif style == 2:
            local = f"{given[0]}{family}{second[:1]}"
        elif style == 3:
            local = f"{given}_{family}"
        else:
            local = f"{family}.{given}"
        # The tag differs for every resident, so no two addresses can be equal.
        return f"{local}{tag}@{self.domains.pick(rng)}"

    def organisation(
        self, rng: random.Random, representative: _Person | None
    ) -> tuple[str, int, names.District]:
        index = self.organisation_next
        self.organisation_next += 1
        district = self.business_districts.pick(rng)
        pattern = self.patterns.pick(rng)
        legal_name = pattern.format(
            surname=self.surnames.pick(rng),
            surname2=self.surnames.pick(rng),
            given=self.given[("F" if rng.random() < 0.5 else "M", "m")].pick(rng),
            district=district.name,
        )
        letter = "A" if legal_name.endswith("S.A.") else "B"
        digits = f"{self.cif_numbers(index):07d}"
        cif = f"{letter}{digits}{_cif_check_digit(digits)}"
        today = self.clock.today
        founded = today - timedelta(days=rng.randint(200, 30 * 365))
        created = self.clock.epoch_of(founded, rng.randint(9, 13))
        stamp = self.clock.ts(created)
        party_id = self.uuid(rng)
        self.party_row(party_id, created, "organisation", legal_name=legal_name)
        self.add(Identifier, (self.uuid(rng), stamp, stamp, party_id, "cif", cif, "ES", True))
        address = self.address(rng, district)
        self.contact(rng, party_id, stamp, "postal", address, fold(address), district=district,
                     preferred=True)  # fmt: skip
        slug = _ascii_word(legal_name.split(" S.")[0])[:24]
        email = f"info@{slug}{index}.es"
        self.contact(rng, party_id, stamp, "email", email, email, preferred=True)
        number = f"95{rng.choice('45')}{self.landline_numbers(index):06d}"
        self.contact(
            rng, party_id, stamp, "phone",
            f"+34 {number[:3]} {number[3:5]} {number[5:7]} {number[7:]}", f"+34{number}",
        )  # fmt: skip
        if representative is not None:
            self.add(
                Representation,
                (self.uuid(rng), stamp, stamp, representative.id, party_id,
                 "company_representative", "[]", founded.isoformat(), None,
                 f"Escritura de constitución, protocolo {rng.randint(100, 4999)}"),
            )  # fmt: skip
        self.summary.organisations += 1
        return party_id, self.clock.day_index(founded), district

    # Interactions and cases -----------------------------------------------------------------

    def interactions(
        self,
        rng: random.Random,
        party_id: str,
        group: str,
        status: str,
        start: int,
        district: names.District,
        count: int,
    ) -> None:
        clock = self.clock
        draw = self.service_draw(group, status)
        channels = self.channels[group]
        emerging_from = len(clock.days) - EMERGING_DAYS
        written = 0
        while written < count:
            channel = channels.pick(rng)
            service = draw.pick(rng)
            day, epoch = clock.moment(channel, rng, start)
            place = None
            where = district
            if (
                district.name == EMERGING_DISTRICT
                and day >= emerging_from
                and group != "organisation"
                and rng.random() < 0.12
            ):
                service = self.services.get(EMERGING_SERVICE, service)
                kind = "complaint"
                place = self.place(rng, district)
                summary = f"Contenedores desbordados y malos olores en {place[0]}"
            else:
                kind = _interaction_kind(rng, service.code if service else "")
                if service is None:
                    summary = rng.choice(GENERAL_SUMMARIES)
                elif service.code == "presupuestos-participativos" and kind != "question":
                    summary = rng.choice(PROPOSALS).format(district=district.name)
                elif service.code in INCIDENT_SERVICES and kind != "question":
                    if rng.random() < 0.3:
                        where = self.districts.pick(rng)
                    place = self.place(rng, where)
                    summary = rng.choice(INCIDENT_SERVICES[service.code]).format(place=place[0])
                else:
                    summary = rng.choice(service.summaries[kind])
            case_id = None
            follow_up = None
            if (
                service is not None
                and kind == "request"
                and rng.random() < (0.9 if service.code in INCIDENT_SERVICES else 0.7)
            ):
                if channel not in service.channels:
                    channel = rng.choice(service.channels)
                    day, epoch = clock.moment(channel, rng, start)
                if place is None and service.code in LOCATED_SERVICES:
                    place = self.place(rng, district)
                case_id, follow_up = self.case(rng, party_id, service, channel, day, epoch,
                                               where, place, summary)  # fmt: skip
            self.interaction(rng, party_id, channel, service, kind, case_id, epoch, summary)
            written += 1
            if follow_up is not None and written < count and rng.random() < 0.6:
                text, moment = follow_up
                assert service is not None  # noqa: S101 - follow-ups belong to cases
                out_channel = "email" if rng.random() < 0.7 else "post"
                self.interaction(rng, party_id, out_channel, service, "transaction", case_id,
                                 moment, text, outbound=True)  # fmt: skip
                written += 1

    def interaction(
        self,
        rng: random.Random,
        party_id: str,
        channel: str,
        service: _Service | None,
        kind: str,
        case_id: str | None,
        epoch: int,
        summary: str,
        *,
        outbound: bool = False,
    ) -> None:
        if service is None:
            agency = self.agency[FRONT_DESK]
        elif service.code in HEALTH_SERVICES and channel in ("desk", "phone"):
            agency = self.health_centres[rng.randrange(2)]
        elif channel == "phone" and service.department_id in self.town_hall_paths:
            agency = self.agency[FRONT_DESK] if rng.random() < 0.4 else service.department_id
        else:
            agency = service.department_id
        duration = None
        agent = None
        if channel == "phone":
            duration = int(rng.lognormvariate(5.4, 0.6)) + 20
        elif channel == "desk":
            duration = int(rng.lognormvariate(6.2, 0.5)) + 60
        if channel in ("phone", "desk") and agency in self.town_hall_paths:
            agent = self.desk_agent
        if not outbound and channel in ("email", "phone", "post") and rng.random() < 0.08:
            outbound = True
        relationship = "information"
        if kind in ("complaint", "suggestion") and rng.random() < 0.4:
            relationship = "consultation"
        if service is not None and (
            service.code == "presupuestos-participativos"
            or (service.code == "censo-electoral" and rng.random() < 0.5)
            or (kind == "suggestion" and rng.random() < 0.3)
        ):
            relationship = "participation"
        stamp = self.clock.ts(epoch)
        self.add(
            Interaction,
            (self.uuid(rng), stamp, stamp, party_id, channel, agency,
             "outbound" if outbound else "inbound", relationship, kind,
             service.id if service else None, case_id, agent, stamp, duration, summary),
        )  # fmt: skip
        self.summary.interactions += 1

    def case(
        self,
        rng: random.Random,
        party_id: str,
        service: _Service,
        channel: str,
        day: int,
        opened: int,
        district: names.District,
        place: tuple[str, float, float] | None,
        summary: str,
    ) -> tuple[str, tuple[str, int] | None]:
        clock = self.clock
        opened_on = clock.days[day]
        age_days = (clock.today - opened_on).days
        status = next(draw for limit, draw in self.status_by_age if age_days < limit).pick(rng)
        due = _due_date(opened_on, service.deadline_days)
        closed = None
        satisfaction = None
        last_change = opened + rng.randint(600, 3 * 86_400)
        if status not in ("new",):
            last_change = opened + int(86_400 * max(0.05, rng.lognormvariate(0.5, 0.8)))
        if status not in OPEN:
            scale = 0.3 if status == "cancelled" else 1.0
            calendar_days = service.deadline_days * 1.4 * scale * rng.lognormvariate(-0.45, 0.6)
            closed = opened + int(86_400 * max(0.05, calendar_days))
            last_change = closed
        limit = clock.now_epoch - 600
        if last_change > limit:
            last_change = opened + int((limit - opened) * rng.uniform(0.2, 0.95))
            if closed is not None:
                closed = last_change
        if status == "closed" and rng.random() < 0.35 and closed is not None:
            late = closed > clock.epoch_of(due, 23)
            weights = (20, 20, 25, 20, 15) if late else (3, 4, 12, 36, 45)
            satisfaction = rng.choices((1, 2, 3, 4, 5), weights=weights)[0]
        # The reference is numbered by the writer, in chunk order; the row carries the year.
        reference = opened_on.year
        assignee = None
        if status != "new" and service.department_code == "urbanismo":
            assignee = self.case_worker
        priority = rng.choices(("normal", "low", "high", "urgent"), weights=(80, 8, 10, 2))[0]
        description = (
            summary + "."
            if service.code in INCIDENT_SERVICES
            else rng.choice(CASE_DESCRIPTIONS).format(service=service.name)
        )
        location, latitude, longitude = place if place else ("", None, None)
        case_id = self.uuid(rng)
        self.add(
            Case,
            (case_id, clock.ts(opened), clock.ts(last_change), reference, party_id, service.id,
             status, priority, channel, service.department_id, assignee, clock.ts(opened),
             due.isoformat(), clock.ts(closed) if closed is not None else None, description,
             "{}", location, latitude, longitude, district.name, satisfaction),
        )  # fmt: skip
        self.summary.cases += 1
        follow_up = None
        if status in FOLLOW_UPS:
            text = FOLLOW_UPS[status].format(service=service.name)
            follow_up = (text, closed if closed is not None else last_change)
        return case_id, follow_up

    # Source records for identity resolution -------------------------------------------------

    def source_records(self, rng: random.Random, person: _Person) -> None:
        roll = rng.random()
        if roll >= DISTORTED_SHARE + CLEAN_SHARE:
            return
        household = person.household
        assert household is not None  # noqa: S101 - every person is housed
        agencies = [HEALTH_AGENCY]
        if person.age >= 16 and rng.random() < 0.5:
            agencies = [SOCIAL_SECURITY_AGENCY]
            if rng.random() < 0.3:
                agencies.append(HEALTH_AGENCY)
        for n, agency in enumerate(agencies):
            distortions: list[str] = []
            if roll < DISTORTED_SHARE and (n == 0 or rng.random() < 0.5):
                distortions = self.pick_distortions(rng, person)
            record = {
                "given": person.given,
                "family_1": person.family_1,
                "family_2": person.family_2,
                "birth": person.birth,
                "identifier": person.identifier[1] if person.identifier else "",
                "address": household.address,
                "postal_code": household.district.postal_code,
            }
            for distortion in distortions:
                _distort(rng, distortion, record, person, self)
            email = person.email if rng.random() < 0.5 else ""
            phone = ""
            if rng.random() < 0.4:
                display, e164 = self.mobile(person.index)
                phone = rng.choice((display, e164, e164[3:]))
            self.source_record(rng, agency, record, email, phone, person.id, distortions)

    def pick_distortions(self, rng: random.Random, person: _Person) -> list[str]:
        possible = ["typo_dropped_letter", "typo_swapped_letters", "typo_replaced_letter",
                    "old_address"]  # fmt: skip
        if person.family_2 and fold(person.family_1) != fold(person.family_2):
            possible += ["swapped_surnames", "missing_second_surname"]
        if person.identifier is not None:
            possible.append("wrong_check_letter")
        full = f"{person.given}{person.family_1}{person.family_2}"
        if _strip_accents(full) != full:
            possible.append("accents_dropped")
        if person.birth.day <= 12 and person.birth.day != person.birth.month:
            possible.append("day_month_swapped")
        rng.shuffle(possible)
        # The kinds take turns at being first, so each shows up even in a small town.
        turn = DISTORTIONS[self.distortion_turn % len(DISTORTIONS)]
        self.distortion_turn += 1
        if turn in possible:
            possible.remove(turn)
            possible.insert(0, turn)
        chosen = possible[: rng.choice((1, 1, 1, 2, 2, 3))]
        # One kind of typo per record is enough to be realistic.
        typos = [d for d in chosen if d.startswith("typo_")]
        return sorted(d for d in chosen if not d.startswith("typo_") or d == typos[0])

    def source_record(
        self,
        rng: random.Random,
        agency: str,
        record: dict[str, Any],
        email: str,
        phone: str,
        party_id: str | None,
        distortions: list[str],
    ) -> None:
        if agency == HEALTH_AGENCY:
            key = f"AN{self.health_keys(self.health_next):010d}"
            self.health_next += 1
        else:
            number = self.social_keys(self.social_next)
            key = f"41{number:08d}{(41 * 10**8 + number) % 97:02d}"
            self.social_next += 1
        given, family_1, family_2 = record["given"], record["family_1"], record["family_2"]
        if agency == SOCIAL_SECURITY_AGENCY:
            # The social security register keeps names in capitals.
            given, family_1, family_2 = given.upper(), family_1.upper(), family_2.upper()
        identifier = record["identifier"]
        if identifier and rng.random() < 0.3:
            identifier = f"{identifier[:-1]}-{identifier[-1]}"
        created = self.clock.now_epoch - rng.randint(30 * 86_400, 8 * 365 * 86_400)
        stamp = self.clock.ts(created)
        record_id = self.uuid(rng)
        birth = record["birth"]
        self.add(
            SourceRecord,
            (record_id, stamp, stamp, self.agency[agency], key, given, family_1, family_2,
             birth.isoformat() if birth else None, identifier, record["address"],
             record["postal_code"], email, phone, ""),
        )  # fmt: skip
        self.summary.source_records += 1
        if party_id is not None:
            self.add(SyntheticTruth, (record_id, party_id, json.dumps(distortions)))

    def unknown_record(self, rng: random.Random) -> None:
        """A person the health service knows and the town hall does not (no truth row)."""
        index = self.unknown_next
        self.unknown_next += 1
        today = self.clock.today
        birth = today - timedelta(days=rng.randint(18 * 365, 85 * 365))
        person = _Person(index=index, id="", sex=rng.choice("FM"), birth=birth,
                         age=_age_on(birth, today))  # fmt: skip
        community = self.communities.pick(rng) if rng.random() < 0.3 else None
        district = self.districts.pick(rng)
        record = {
            "given": self.given_name(rng, person, community),
            "family_1": self.surname(rng, community),
            "family_2": self.surname(rng, community)
            if community is None or community.two_surnames
            else "",
            "birth": birth,
            "identifier": self.nie(index) if community else self.dni(index),
            "address": self.address(rng, district) if rng.random() < 0.5 else "",
            "postal_code": district.postal_code,
        }
        agency = HEALTH_AGENCY if rng.random() < 0.6 else SOCIAL_SECURITY_AGENCY
        self.source_record(rng, agency, record, "", "", None, [])

    # Finishing ----------------------------------------------------------------------------


def _stochastic_round(rng: random.Random, value: float) -> int:
    whole = int(value)
    return whole + (1 if rng.random() < value - whole else 0)


def _couple_chance(age: int) -> float:
    if age < 25:
        return 0.12
    if age < 35:
        return 0.55
    if age < 65:
        return 0.72
    if age < 80:
        return 0.62
    return 0.35


def _parent_age(household: _Household) -> int:
    mothers = [a.age for a in household.adults if a.sex == "F"]
    return mothers[0] if mothers else household.adults[0].age


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _cif_check_digit(digits: str) -> str:
    """The numeric control digit of a CIF (companies A and B use the digit form)."""
    total = 0
    for position, char in enumerate(digits):
        value = int(char)
        if position % 2 == 0:
            doubled = value * 2
            total += doubled // 10 + doubled % 10
        else:
            total += value
    return str((10 - total % 10) % 10)


def _interaction_kind(rng: random.Random, code: str) -> str:
    roll = rng.random()
    if code in INCIDENT_SERVICES:
        return "request" if roll < 0.55 else ("complaint" if roll < 0.9 else "question")
    if code in PAYMENT_SERVICES:
        return "transaction" if roll < 0.8 else "question"
    if code in APPOINTMENT_SERVICES:
        return "transaction" if roll < 0.65 else ("question" if roll < 0.95 else "complaint")
    if code in INFORMATION_SERVICES:
        return "question" if roll < 0.95 else "complaint"
    if code == "quejas-sugerencias":
        return "complaint" if roll < 0.6 else "suggestion"
    if code == "presupuestos-participativos":
        return "suggestion" if roll < 0.7 else ("question" if roll < 0.85 else "request")
    if not code:
        return "question" if roll < 0.85 else ("complaint" if roll < 0.95 else "suggestion")
    if roll < 0.45:
        return "question"
    if roll < 0.75:
        return "request"
    if roll < 0.87:
        return "transaction"
    if roll < 0.96:
        return "complaint"
    return "suggestion"


_NEIGHBOURS = "qwertyuiopasdfghjklzxcvbnm"


def _typo(rng: random.Random, text: str, how: str) -> str:
    words = text.split(" ")
    candidates = [n for n, word in enumerate(words) if len(word) >= 4]
    if not candidates:
        return text
    n = rng.choice(candidates)
    word = words[n]
    i = rng.randrange(1, len(word) - 1)
    if how == "typo_dropped_letter":
        word = word[:i] + word[i + 1 :]
    elif how == "typo_swapped_letters":
        if word[i] == word[i + 1]:
            word = word[:i] + word[i + 1 :]
        else:
            word = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    else:
        replacement = rng.choice(_NEIGHBOURS.replace(word[i].lower(), ""))
        word = (
            word[:i] + (replacement.upper() if word[i].isupper() else replacement) + word[i + 1 :]
        )
    words[n] = word
    return " ".join(words)


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    )


def _distort(
    rng: random.Random,
    distortion: str,
    record: dict[str, Any],
    person: _Person,
    generator: _Generator,
) -> None:
    if distortion.startswith("typo_"):
        field_name = "given" if rng.random() < 0.6 else "family_1"
        record[field_name] = _typo(rng, record[field_name], distortion)
    elif distortion == "swapped_surnames":
        record["family_1"], record["family_2"] = record["family_2"], record["family_1"]
    elif distortion == "missing_second_surname":
        record["family_2"] = ""
    elif distortion == "accents_dropped":
        for key in ("given", "family_1", "family_2"):
            record[key] = _strip_accents(record[key])
    elif distortion == "day_month_swapped":
        birth: date = record["birth"]
        record["birth"] = birth.replace(month=birth.day, day=birth.month)
    elif distortion == "wrong_check_letter":
        value: str = record["identifier"]
        right = value[-1]
        record["identifier"] = value[:-1] + rng.choice(DNI_LETTERS.replace(right, ""))
    elif distortion == "old_address":
        household = person.household
        if household is not None and household.previous is not None:
            district, address, _moved = household.previous
        else:
            district = generator.districts.pick(rng)
            address = generator.address(rng, district)
        record["address"] = address
        record["postal_code"] = district.postal_code


# Entry point ---------------------------------------------------------------------------------


def seed_municipality(
    *,
    citizens: int,
    seed: int,
    interactions_per_citizen: float = DEFAULT_INTERACTIONS_PER_CITIZEN,
    progress: bool = True,
    stream: TextIO | None = None,
    workers: int | None = None,
) -> SeedSummary:
    """Generate the synthetic municipality into an empty database, or do nothing if done.

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
    generator = _Generator(
        seed=seed, citizens=citizens, per_citizen=interactions_per_citizen, vendor=vendor
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

    CASES: Final = next(n for n, (model, _f) in enumerate(_Tables.SPECS) if model is Case)
    REFERENCE: Final = _Tables.SPECS[CASES][1].index("reference")

    def __init__(self, seed: int) -> None:
        self.tables = _Tables()
        self.summary = SeedSummary(seed=seed)
        self.case_numbers: dict[int, int] = {}
        self.prefix = settings.VENTANILLA_CASE_PREFIX

    def write(self, chunk: _Chunk) -> None:
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
            for (model, _fields), rows in zip(_Tables.SPECS, chunk.rows, strict=True):
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
_worker_generator: _Generator | None = None


def _make_chunk(number: int) -> _Chunk:
    if _worker_generator is None:
        raise RuntimeError("no generator in this worker")
    return _worker_generator.chunk(number)


def _chunks(generator: _Generator, count: int, workers: int) -> Iterator[_Chunk]:
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
            pending: deque[AsyncResult[_Chunk]] = deque()
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
            for model, _fields in _Tables.SPECS:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        elif not connection.in_atomic_block:
            cursor.execute("PRAGMA analysis_limit = 1000")
            cursor.execute("ANALYZE")
