"""Test data with the Spanish faker locale; parties go through the service."""

from __future__ import annotations

import io
import random
from typing import Any

from faker import Faker

from ventanilla.access.actors import Actor
from ventanilla.consent.services import Evidence
from ventanilla.parties.models import Party
from ventanilla.parties.services import ContactPointInput, IdentifierInput, party_create

fake = Faker("es_ES")
DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def valid_dni(number: int | None = None) -> str:
    number = random.randint(10_000_000, 99_999_999) if number is None else number
    return f"{number:08d}{DNI_LETTERS[number % 23]}"


def make_party(actor: Actor, **overrides: Any) -> Party:
    """A person registered through ``party_create``, with a valid DNI, email and phone."""
    data: dict[str, Any] = {
        "given_name": fake.first_name(),
        "family_name_1": fake.last_name(),
        "family_name_2": fake.last_name(),
        "birth_date": fake.date_of_birth(minimum_age=18, maximum_age=90),
        "identifiers": [IdentifierInput(scheme="dni", value=valid_dni())],
        "contact_points": [
            ContactPointInput(kind="email", value=fake.unique.email()),
            ContactPointInput(kind="phone", value=f"6{random.randint(10_000_000, 99_999_999)}"),
        ],
    }
    data.update(overrides)
    return party_create(actor=actor, **data)


# A signed consent form, as the desk scans it: the evidence a desk consent keeps.
SIGNED_FORM_PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< >>\n%%EOF\n"


def signed_form(name: str = "consentimiento-firmado.pdf") -> Evidence:
    return Evidence(file_name=name, content=io.BytesIO(SIGNED_FORM_PDF), size=len(SIGNED_FORM_PDF))
