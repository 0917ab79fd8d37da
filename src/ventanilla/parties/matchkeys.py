"""The keys that find the people a new registration may duplicate, typos and all.

Each person is stored under a handful of short keys built from the sound of their names and
their birth date (``PartyKey``). A record being typed is turned into the keys it could share
with the person it may be, and one indexed ``IN`` lookup finds them: the cost depends on how
many people share a key, never on how many are registered. The keys are:

- given name with each surname (a surname's sound, so "Gonzales" meets "González"; either
  surname, so the order of the two and a missing second one do not matter);
- given name with the birth date, and each surname with the birth date (a typo anywhere in a
  name still meets the person when the birth date is typed);
- both surnames, sorted (a typo in the given name);
- given name with the first or second half of the first surname: a single typo that is not a
  sound-alike ("Acotsa") leaves one half intact. The typed side tries the half lengths of a
  surname one letter longer or shorter, so an inserted or missing letter meets too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from ventanilla.core.names import called_name, fold_name, spanish_phonetic

# Halves shorter than this say too little to look anyone up by.
SHORTEST_HALF = 3


def _sounds(value: str) -> list[str]:
    return [spanish_phonetic(word) for word in fold_name(value).split() if word]


def _halves(sound: str, length: int) -> tuple[str, str]:
    return sound[:length], sound[-length:]


def _birth(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return str(value or "")[:10]


def name_keys(
    *,
    given_name: str,
    family_name_1: str,
    family_name_2: str = "",
    birth_date: Any = None,
    typed: bool = False,
) -> set[str]:
    """The keys of a person. With ``typed``, the keys a record being typed looks up: the same,
    plus the halves of both surnames at the lengths a one-letter insertion or deletion gives."""
    given = spanish_phonetic(called_name(fold_name(given_name)))
    surnames = [spanish_phonetic(name) for name in (family_name_1, family_name_2)]
    surnames = [sound for sound in surnames if sound]
    born = _birth(birth_date)
    keys: set[str] = set()
    if given:
        keys.update(f"gf:{given}:{surname}" for surname in surnames)
        if born:
            keys.add(f"gb:{given}:{born}")
    if born:
        keys.update(f"fb:{surname}:{born}" for surname in surnames)
    if len(surnames) == 2:
        keys.add("ss:" + ":".join(sorted(surnames)))
    if given and surnames:
        halved = surnames if typed else surnames[:1]
        for sound in halved:
            lengths = {len(sound) // 2}
            if typed:
                lengths |= {(len(sound) - 1) // 2, (len(sound) + 1) // 2}
            for length in lengths:
                if length >= SHORTEST_HALF:
                    head, tail = _halves(sound, length)
                    keys.add(f"gh:{given}:{head}")
                    keys.add(f"gt:{given}:{tail}")
    return {key[:120] for key in keys}


def party_keys(party: Any) -> set[str]:
    """The keys a registered party is stored under: a person's name keys; none for an
    organisation, found by its CIF, email or phone."""
    if party.kind != "person":
        return set()
    return name_keys(
        given_name=party.given_name,
        family_name_1=party.family_name_1,
        family_name_2=party.family_name_2,
        birth_date=party.birth_date,
    )


def typed_keys(record: Mapping[str, Any]) -> set[str]:
    """The keys a record being typed looks up (the source record's field names)."""
    return name_keys(
        given_name=str(record.get("given_name") or ""),
        family_name_1=str(record.get("family_name_1") or ""),
        family_name_2=str(record.get("family_name_2") or ""),
        birth_date=record.get("birth_date"),
        typed=True,
    )


def keys_of(parties: Iterable[Any]) -> list[tuple[Any, str]]:
    return [(party.pk, key) for party in parties for key in sorted(party_keys(party))]
