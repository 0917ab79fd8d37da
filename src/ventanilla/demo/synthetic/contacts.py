"""The rows every party has: the party itself with the words of its name, identity documents
and phone numbers numbered from the seed (so none repeats), contact points and profile
attributes. Residents and organisations are written through here."""

from __future__ import annotations

import json
import random
from datetime import date
from typing import Any, Final

from ventanilla.demo import names
from ventanilla.demo.synthetic.town import Town
from ventanilla.parties.matchkeys import name_keys
from ventanilla.parties.models import ContactPoint, NameToken, Party, PartyKey, ProfileAttribute
from ventanilla.parties.naming import name_tokens, sort_name

DNI_LETTERS: Final = "TRWAGMYFPDXBNJZSQVHLCKE"


def dni_letter(number: int) -> str:
    return DNI_LETTERS[number % 23]


class Contacts:
    """Writes a party and its identifiers, contact points and attributes into the town's rows."""

    def __init__(self, town: Town) -> None:
        self.town = town
        self.clock = town.clock

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
        self.town.add(
            Party,
            (party_id, stamp, stamp, kind, "active", given, family_1, family_2, legal_name,
             birth.isoformat() if birth else None, sex, language, education,
             json.dumps(needs or []), sort_name(**naming)),
        )  # fmt: skip
        for token in name_tokens(**naming):
            self.town.add(NameToken, (party_id, token))
        if kind == "person":
            keys = name_keys(
                given_name=given, family_name_1=family_1, family_name_2=family_2, birth_date=birth
            )
            for key in sorted(keys):
                self.town.add(PartyKey, (party_id, key))

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
        self.town.add(
            ContactPoint,
            (self.town.uuid(rng), stamp, stamp, party_id, kind, value, normalized,
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
        self.town.add(
            ProfileAttribute,
            (self.town.uuid(rng), stamp, stamp, party_id, name, json.dumps(value), level,
             category, None),
        )  # fmt: skip

    def dni(self, index: int) -> str:
        number = 10_000_000 + self.town.dni_numbers(index)
        return f"{number:08d}{dni_letter(number)}"

    def nie(self, index: int) -> str:
        number = self.town.nie_numbers(index)
        return f"{'XYZ'[number // 10_000_000]}{number % 10_000_000:07d}{dni_letter(number)}"

    def mobile(self, index: int) -> tuple[str, str]:
        digits = f"6{self.town.mobile_numbers(index):08d}"
        display = f"+34 {digits[:3]} {digits[3:5]} {digits[5:7]} {digits[7:]}"
        return display, f"+34{digits}"
