"""The channel bench's other doors: inbound email through the mail gateway (parsed, matched to
the sender's party, threaded or routed, answered), the citizen portal's pages under 20
concurrent clients (anonymous and signed in), and 50 citizens racing for 10 appointment slots.
Called by bench/channels.py, which owns the town, the server and the table.
"""

from __future__ import annotations

import http.client
import random
import threading
import time
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from run import new_key, percentile  # type: ignore[import-not-found]

GOAL_MAIL_PER_S = 50.0
GOAL_PORTAL_P95_MS = 150.0

# Fifty signed-in citizens: a session each, as the portal makes it after the emailed link.
SESSIONS = r"""
import json, sys, time
from importlib import import_module
from django.conf import settings
from ventanilla.parties.models import Party
from ventanilla.web.portal.views import PARTY_KEY, SEEN_KEY
store = import_module(settings.SESSION_ENGINE).SessionStore
keys = []
active = Party.objects.filter(status="active").order_by("pk")
for party_id in active.values_list("pk", flat=True)[: int(sys.argv[1])]:
    session = store()
    session[PARTY_KEY] = str(party_id)
    session[SEEN_KEY] = time.time() + 3600
    session.set_expiry(settings.VENTANILLA_PORTAL_IDLE_SECONDS)
    session.save()
    keys.append(session.session_key)
print(json.dumps({"cookie": settings.SESSION_COOKIE_NAME, "keys": keys}))
"""

# Fifty citizens, each on their own database connection, book one of ten single-seat slots of
# the planning office at the same moment: five racers for every slot.
BOOKING = r"""
import json, threading
from datetime import timedelta
from django.db import connection
from django.utils import timezone
from ventanilla.access.actors import actor_for_citizen
from ventanilla.appointments.models import Appointment
from ventanilla.appointments.selectors import free_slots, office_service
from ventanilla.appointments.models import Office
from ventanilla.core.errors import ValidationFailed
from ventanilla.appointments.services import appointment_book
from ventanilla.parties.models import Party
RACERS, SLOTS = 50, 10
office = Office.objects.get(code="urbanismo")
given = office_service(office_id=office.pk, service_code="licencia-obra-mayor")
slots, day = [], timezone.localdate()
while len(slots) < SLOTS:
    day += timedelta(days=1)
    slots += [s.start for s in free_slots(given, day) if s.free == given.capacity]
slots = slots[:SLOTS]
parties = list(Party.objects.filter(status="active").order_by("-pk")[:RACERS])
barrier = threading.Barrier(RACERS)
outcomes, lock = [], threading.Lock()
def race(n, party):
    try:
        barrier.wait(timeout=60)
        appointment_book(actor=actor_for_citizen(party), party_id=party.pk, office_id=office.pk,
                         service_code="licencia-obra-mayor", start=slots[n % SLOTS])
        result = "booked"
    except ValidationFailed:
        result = "taken"
    except Exception as error:
        result = f"error: {error!r}"
    finally:
        connection.close()
    with lock:
        outcomes.append(result)
threads = [threading.Thread(target=race, args=(n, p)) for n, p in enumerate(parties)]
for t in threads: t.start()
for t in threads: t.join(timeout=120)
live = Appointment.objects.filter(office=office, start__in=slots).exclude(status="cancelled")
per_slot = max((live.filter(start=s).count() for s in slots), default=0)
print(json.dumps({"booked": outcomes.count("booked"), "taken": outcomes.count("taken"),
                  "errors": [o for o in outcomes if o.startswith("error")][:3],
                  "most_in_one_slot": per_slot, "capacity": given.capacity, "slots": SLOTS,
                  "racers": RACERS}))
"""


def mail_key(env: dict[str, str]) -> str:
    return new_key(env, ("mail:receive",))


def _message(rng: random.Random, sender: str, words: list[str], n: int) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "registro@villanueva.example"
    message["Subject"] = " ".join(rng.sample(words, 3)).capitalize()
    message["Date"] = format_datetime(time_now())
    message["Message-ID"] = make_msgid(f"bench{n}")
    text = " ".join(rng.choices(words, k=25))
    message.set_content(f"Buenos días:\n\n{text}.\n\nUn saludo,\n{sender.split('@')[0]}\n")
    message.add_alternative(f"<p>Buenos días:</p><p>{text}.</p><p>Un saludo</p>", subtype="html")
    return bytes(message)


def time_now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


def mail_throughput(
    port: int, key: str, senders: list[str], words: list[str], clients: int, per_client: int
) -> float:
    """Raw messages POSTed by ``clients`` gateways at once; each is parsed, matched, threaded or
    routed and answered before the 201 comes back. Messages per second."""
    errors: list[str] = []

    def work(worker: int) -> None:
        rng = random.Random(700 + worker)
        bodies = [
            _message(rng, rng.choice(senders), words, worker * per_client + n)
            for n in range(per_client)
        ]
        barrier.wait()
        for body in bodies:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.request(
                "POST",
                "/api/v1/mail/messages",
                body=body,
                headers={"Content-Type": "message/rfc822", "Authorization": f"Bearer {key}"},
            )
            response = connection.getresponse()
            data = response.read()
            connection.close()
            if response.status != 201:
                errors.append(f"{response.status} {data[:300]!r}")

    barrier = threading.Barrier(clients + 1)
    threads = [threading.Thread(target=work, args=(w,)) for w in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"{len(errors)} messages refused, first: {errors[0]}")
    return clients * per_client / elapsed


PUBLIC_PAGES = ["/portal/", "/portal/search/?q=licencia", "/portal/sign-in/"]
CITIZEN_PAGES = [
    "/portal/me/",
    "/portal/services/",
    "/portal/me/cases/",
    "/portal/me/appointments/",
]


def portal_latency(
    port: int, cookie: str, sessions: list[str], clients: int, per_client: int
) -> dict[str, float]:
    """``clients`` visitors at once, each walking the public pages and, signed in, their own;
    every page's time, p50 and p95 over all."""
    timings: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def work(worker: int) -> None:
        session = sessions[worker % len(sessions)]
        mine: list[float] = []
        for n in range(per_client):
            path = (PUBLIC_PAGES + CITIZEN_PAGES)[n % 7]
            headers = {"Accept-Language": "es" if worker % 2 else "en"}
            if path in CITIZEN_PAGES:
                headers["Cookie"] = f"{cookie}={session}"
            started = time.perf_counter()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            connection.close()
            mine.append((time.perf_counter() - started) * 1000)
            if response.status != 200:
                errors.append(f"{path}: {response.status}")
        with lock:
            timings.extend(mine)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"{len(errors)} portal pages failed, first: {errors[0]}")
    return {
        "portal_p50_ms": percentile(timings, 0.5),
        "portal_p95_ms": percentile(timings, 0.95),
        "portal_pages": float(len(timings)),
    }
