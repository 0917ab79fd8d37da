"""The records the health service and the social security office keep of some residents, with
the errors identity resolution must see through (typos, swapped or missing surnames, old
addresses, wrong DNI letters, dropped accents, day and month swapped), and records of people the
town hall does not know at all.

The ground truth: ``SyntheticTruth`` links each record of a resident to the true ``Party`` with
the list of distortions applied (an empty list for a clean copy). A record without a truth row
is a person not registered here.
"""

from __future__ import annotations

import json
import random
import unicodedata
from datetime import date, timedelta
from typing import Any, Final

from ventanilla.core.text import fold
from ventanilla.demo.models import SyntheticTruth
from ventanilla.demo.synthetic.contacts import DNI_LETTERS, Contacts
from ventanilla.demo.synthetic.people import People, Person, age_on
from ventanilla.demo.synthetic.town import HEALTH_AGENCY, SOCIAL_SECURITY_AGENCY, Town
from ventanilla.identity.models import SourceRecord

DISTORTED_SHARE: Final = 0.05
CLEAN_SHARE: Final = 0.10
UNKNOWN_SHARE: Final = 0.005

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


class SourceRecords:
    """Writes other agencies' records of residents (some distorted) and their ground truth."""

    def __init__(self, town: Town, people: People, contacts: Contacts) -> None:
        self.town = town
        self.clock = town.clock
        self.people = people
        self.contacts = contacts

    def write_for_resident(self, rng: random.Random, person: Person) -> None:
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
                distort(rng, distortion, record, person, self.town)
            email = person.email if rng.random() < 0.5 else ""
            phone = ""
            if rng.random() < 0.4:
                display, e164 = self.contacts.mobile(person.index)
                phone = rng.choice((display, e164, e164[3:]))
            self.write(rng, agency, record, email, phone, person.id, distortions)

    def pick_distortions(self, rng: random.Random, person: Person) -> list[str]:
        possible = ["typo_dropped_letter", "typo_swapped_letters", "typo_replaced_letter",
                    "old_address"]  # fmt: skip
        if person.family_2 and fold(person.family_1) != fold(person.family_2):
            possible += ["swapped_surnames", "missing_second_surname"]
        if person.identifier is not None:
            possible.append("wrong_check_letter")
        full = f"{person.given}{person.family_1}{person.family_2}"
        if strip_accents(full) != full:
            possible.append("accents_dropped")
        if person.birth.day <= 12 and person.birth.day != person.birth.month:
            possible.append("day_month_swapped")
        rng.shuffle(possible)
        # The kinds take turns at being first, so each shows up even in a small town.
        turn = DISTORTIONS[self.town.distortion_turn % len(DISTORTIONS)]
        self.town.distortion_turn += 1
        if turn in possible:
            possible.remove(turn)
            possible.insert(0, turn)
        chosen = possible[: rng.choice((1, 1, 1, 2, 2, 3))]
        # One kind of typo per record is enough to be realistic.
        typos = [d for d in chosen if d.startswith("typo_")]
        return sorted(d for d in chosen if not d.startswith("typo_") or d == typos[0])

    def write(
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
            key = f"AN{self.town.health_keys(self.town.health_next):010d}"
            self.town.health_next += 1
        else:
            number = self.town.social_keys(self.town.social_next)
            key = f"41{number:08d}{(41 * 10**8 + number) % 97:02d}"
            self.town.social_next += 1
        given, family_1, family_2 = record["given"], record["family_1"], record["family_2"]
        if agency == SOCIAL_SECURITY_AGENCY:
            # The social security register keeps names in capitals.
            given, family_1, family_2 = given.upper(), family_1.upper(), family_2.upper()
        identifier = record["identifier"]
        if identifier and rng.random() < 0.3:
            identifier = f"{identifier[:-1]}-{identifier[-1]}"
        created = self.clock.now_epoch - rng.randint(30 * 86_400, 8 * 365 * 86_400)
        stamp = self.clock.ts(created)
        record_id = self.town.uuid(rng)
        birth = record["birth"]
        self.town.add(
            SourceRecord,
            (record_id, stamp, stamp, self.town.agency[agency], key, given, family_1, family_2,
             birth.isoformat() if birth else None, identifier, record["address"],
             record["postal_code"], "", email, phone, "", "{}"),
        )  # fmt: skip
        self.town.summary.source_records += 1
        if party_id is not None:
            self.town.add(SyntheticTruth, (record_id, party_id, json.dumps(distortions)))

    def write_unknown(self, rng: random.Random) -> None:
        """A person the health service knows and the town hall does not (no truth row)."""
        index = self.town.unknown_next
        self.town.unknown_next += 1
        today = self.clock.today
        birth = today - timedelta(days=rng.randint(18 * 365, 85 * 365))
        person = Person(index=index, id="", sex=rng.choice("FM"), birth=birth,
                         age=age_on(birth, today))  # fmt: skip
        community = self.people.communities.pick(rng) if rng.random() < 0.3 else None
        district = self.town.districts.pick(rng)
        record = {
            "given": self.people.given_name(rng, person, community),
            "family_1": self.people.surname(rng, community),
            "family_2": self.people.surname(rng, community)
            if community is None or community.two_surnames
            else "",
            "birth": birth,
            "identifier": self.contacts.nie(index) if community else self.contacts.dni(index),
            "address": self.town.address(rng, district) if rng.random() < 0.5 else "",
            "postal_code": district.postal_code,
        }
        agency = HEALTH_AGENCY if rng.random() < 0.6 else SOCIAL_SECURITY_AGENCY
        self.write(rng, agency, record, "", "", None, [])


_NEIGHBOURS = "qwertyuiopasdfghjklzxcvbnm"


def typo(rng: random.Random, text: str, how: str) -> str:
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


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    )


def distort(
    rng: random.Random,
    distortion: str,
    record: dict[str, Any],
    person: Person,
    town: Town,
) -> None:
    if distortion.startswith("typo_"):
        field_name = "given" if rng.random() < 0.6 else "family_1"
        record[field_name] = typo(rng, record[field_name], distortion)
    elif distortion == "swapped_surnames":
        record["family_1"], record["family_2"] = record["family_2"], record["family_1"]
    elif distortion == "missing_second_surname":
        record["family_2"] = ""
    elif distortion == "accents_dropped":
        for key in ("given", "family_1", "family_2"):
            record[key] = strip_accents(record[key])
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
            district = town.districts.pick(rng)
            address = town.address(rng, district)
        record["address"] = address
        record["postal_code"] = district.postal_code
