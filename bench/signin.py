"""Does the portal's sign-in answer tell, by its time, whether a DNI and an address match a
person on record? Many alternating requests through Django's full stack (middleware, sessions,
CSRF-exempt test client, templates) on a fresh SQLite database: the matching pair, the right DNI
with another address, and a DNI nobody holds. Prints each kind's median and p95, the ratio of
medians, and the two-sided p-value of a Mann–Whitney U test against the matching pair.

Run twice: with the development mail backend (files in var/) and with a mail server that hangs
for two seconds on every message, as the probe's SMTP did.

    .venv/bin/python bench/signin.py                  # 1,500 requests of each kind
    .venv/bin/python bench/signin.py --samples 300
"""

from __future__ import annotations

import argparse
import math
import os
import secrets
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

WORKDIR = Path(tempfile.mkdtemp(prefix="ventanilla-bench-signin-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ventanilla.settings")
os.environ["VENTANILLA_VAR_DIR"] = str(WORKDIR)
os.environ["DATABASE_URL"] = f"sqlite:///{WORKDIR / 'signin.sqlite3'}"
os.environ.setdefault("VENTANILLA_ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.mail.backends.base import BaseEmailBackend  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from ventanilla.access.actors import actor_for_user  # noqa: E402
from ventanilla.access.services import staff_member_ensure  # noqa: E402
from ventanilla.catalog.services import agency_ensure, channels_ensure  # noqa: E402
from ventanilla.parties import signin  # noqa: E402
from ventanilla.parties.services import (  # noqa: E402
    ContactPointInput,
    IdentifierInput,
    party_create,
)

DNI = "12345678Z"
EMAIL = "lucia.vega@example.org"
KINDS = {
    "match": (DNI, EMAIL),
    "dni, other address": (DNI, "someone.else@example.org"),
    "unknown dni": ("87654321X", EMAIL),
}


class HangingMail(BaseEmailBackend):
    """A mail server that takes two seconds to answer each message."""

    def send_messages(self, email_messages: Any) -> int:
        time.sleep(2)
        return len(list(email_messages))


def mann_whitney_p(a: list[float], b: list[float]) -> float:
    """Two-sided p-value of the Mann–Whitney U test, normal approximation with tie correction."""
    pooled = sorted([(value, 0) for value in a] + [(value, 1) for value in b])
    n1, n2, n = len(a), len(b), len(a) + len(b)
    rank_sum_a = 0.0
    ties = 0.0
    i = 0
    while i < n:
        j = i
        while j + 1 < n and pooled[j + 1][0] == pooled[i][0]:
            j += 1
        rank = (i + j) / 2 + 1  # the average rank of a run of equal values
        rank_sum_a += rank * sum(1 for k in range(i, j + 1) if pooled[k][1] == 0)
        t = j - i + 1
        ties += t**3 - t
        i = j + 1
    u = rank_sum_a - n1 * (n1 + 1) / 2
    mean = n1 * n2 / 2
    sd = math.sqrt(n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1))))
    if sd == 0:
        return 1.0
    z = (abs(u - mean) - 0.5) / sd
    return math.erfc(max(z, 0.0) / math.sqrt(2))


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def town() -> None:
    call_command("migrate", verbosity=0)
    channels_ensure()
    admin = agency_ensure(code="villanueva", kind="administration", name_es="Villanueva")
    agency_ensure(code="ayto", kind="agency", name_es="Ayuntamiento", parent=admin)
    user = staff_member_ensure(
        username="agente", password=secrets.token_urlsafe(), agency_code="ayto", role="agent"
    ).user
    party_create(
        actor=actor_for_user(user),
        given_name="Lucía",
        family_name_1="Vega",
        identifiers=[IdentifierInput(scheme="dni", value=DNI)],
        contact_points=[ContactPointInput(kind="email", value=EMAIL)],
    )


def measure(samples: int, warm_up: int = 50) -> dict[str, list[float]]:
    """Time the kinds in turn, rotating which goes first, so drift hits each alike."""
    client = Client()
    timings: dict[str, list[float]] = {kind: [] for kind in KINDS}
    order = list(KINDS)
    for n in range(warm_up + samples):
        for kind in order[n % 3 :] + order[: n % 3]:
            identifier, email = KINDS[kind]
            start = time.perf_counter()
            response = client.post("/portal/sign-in/", {"identifier": identifier, "email": email})
            elapsed = (time.perf_counter() - start) * 1000
            assert response.status_code == 200, response.status_code
            if n >= warm_up:
                timings[kind].append(elapsed)
    return timings


def report(title: str, timings: dict[str, list[float]]) -> None:
    match = timings["match"]
    print(f"\n{title} ({len(match)} requests of each kind)")
    print(f"  {'details':<20} {'median ms':>10} {'p95 ms':>8} {'ratio':>7} {'p-value':>9}")
    for kind, values in timings.items():
        ratio = statistics.median(values) / statistics.median(match)
        p_value = "" if kind == "match" else f"{mann_whitney_p(match, values):.3f}"
        print(
            f"  {kind:<20} {statistics.median(values):>10.2f} {p95(values):>8.2f} "
            f"{ratio:>7.3f} {p_value:>9}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=1500)
    args = parser.parse_args()
    town()
    # The throttle would refuse all but three requests for the DNI; it still counts each one.
    signin.PER_IDENTIFIER = (10**9, 15 * 60)
    signin.PER_ADDRESS = (10**9, 60 * 60)
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    report("File mail backend", measure(args.samples))
    settings.EMAIL_BACKEND = f"{__name__}.HangingMail"
    report("A mail server that hangs 2 s", measure(max(50, args.samples // 5)))
    print(
        "\nThe request queues the same job for every kind and never waits on mail; the worker "
        "sends. A p-value above 0.05 finds no difference in time."
    )


if __name__ == "__main__":
    main()
