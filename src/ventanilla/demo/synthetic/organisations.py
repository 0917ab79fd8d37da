"""Businesses of the town: a legal name in the local style, a CIF numbered from the seed, an
address (most in the industrial estate), an email and a landline, and a resident who represents
each one."""

from __future__ import annotations

import random
from datetime import timedelta

from ventanilla.core.text import fold
from ventanilla.demo import names
from ventanilla.demo.synthetic.contacts import Contacts
from ventanilla.demo.synthetic.draws import Weighted
from ventanilla.demo.synthetic.people import People, Person, ascii_word
from ventanilla.demo.synthetic.town import Town
from ventanilla.parties.models import Identifier, Representation


class Organisations:
    """Founds the businesses of a chunk and writes their rows."""

    def __init__(self, town: Town, people: People, contacts: Contacts) -> None:
        self.town = town
        self.clock = town.clock
        self.people = people
        self.contacts = contacts
        self.business_districts = Weighted(
            [(d, d.weight * (4.0 if d.name == "Polígono Norte" else 1.0)) for d in names.DISTRICTS]
        )
        self.patterns = Weighted(list(names.BUSINESS_PATTERNS))

    def write(
        self, rng: random.Random, representative: Person | None
    ) -> tuple[str, int, names.District]:
        index = self.town.organisation_next
        self.town.organisation_next += 1
        district = self.business_districts.pick(rng)
        pattern = self.patterns.pick(rng)
        legal_name = pattern.format(
            surname=self.people.surnames.pick(rng),
            surname2=self.people.surnames.pick(rng),
            given=self.people.given[("F" if rng.random() < 0.5 else "M", "m")].pick(rng),
            district=district.name,
        )
        letter = "A" if legal_name.endswith("S.A.") else "B"
        digits = f"{self.town.cif_numbers(index):07d}"
        cif = f"{letter}{digits}{cif_check_digit(digits)}"
        today = self.clock.today
        founded = today - timedelta(days=rng.randint(200, 30 * 365))
        created = self.clock.epoch_of(founded, rng.randint(9, 13))
        stamp = self.clock.ts(created)
        party_id = self.town.uuid(rng)
        self.contacts.party_row(party_id, created, "organisation", legal_name=legal_name)
        self.town.add(
            Identifier, (self.town.uuid(rng), stamp, stamp, party_id, "cif", cif, "ES", True)
        )
        address = self.town.address(rng, district)
        self.contacts.contact(
            rng,
            party_id,
            stamp,
            "postal",
            address,
            fold(address),
            district=district,
            preferred=True,
        )
        slug = ascii_word(legal_name.split(" S.")[0])[:24]
        email = f"info@{slug}{index}.es"
        self.contacts.contact(rng, party_id, stamp, "email", email, email, preferred=True)
        number = f"95{rng.choice('45')}{self.town.landline_numbers(index):06d}"
        self.contacts.contact(
            rng, party_id, stamp, "phone",
            f"+34 {number[:3]} {number[3:5]} {number[5:7]} {number[7:]}", f"+34{number}",
        )  # fmt: skip
        if representative is not None:
            self.town.add(
                Representation,
                (self.town.uuid(rng), stamp, stamp, representative.id, party_id,
                 "company_representative", "[]", founded.isoformat(), None,
                 f"Escritura de constitución, protocolo {rng.randint(100, 4999)}"),
            )  # fmt: skip
        self.town.summary.organisations += 1
        return party_id, self.clock.day_index(founded), district


def cif_check_digit(digits: str) -> str:
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
