"""What matching compares: a person's record (as an agency wrote it, or as the console is
typing it) turned into the normalised values of Spanish identity data.

One function, ``prepare``, feeds both the batch matcher and the real-time candidate scoring, so
the model trained on one is applied to the other on the same terms. Every value is a plain
string (empty when absent) or an int/None, ready for a DuckDB table.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from stdnum.es import dni, nie

from ventanilla.core.names import called_name, fold_name, spanish_phonetic
from ventanilla.core.text import fold

__all__ = ["fold_name", "identifier_number", "phone_digits", "prepare", "spanish_phonetic"]

# The letters a NIE starts with stand for these digits in its check-letter arithmetic, so a
# NIE's number is comparable with the same number mistyped with another letter.
_NIE_PREFIX = {"X": "0", "Y": "1", "Z": "2"}
_DIGITS = re.compile(r"\d+")


def identifier_number(value: str) -> tuple[str, bool]:
    """The number of a DNI or NIE (a NIE's letter as its digit) and whether the whole
    identifier, check letter included, is valid. A wrong check letter leaves the number
    comparable: '12345678A' and '12345678Z' share '12345678'."""
    compact = "".join(ch for ch in (value or "").upper() if ch.isalnum())
    if not compact:
        return "", False
    valid = bool(dni.is_valid(compact) or nie.is_valid(compact))
    if compact[0] in _NIE_PREFIX:
        compact = _NIE_PREFIX[compact[0]] + compact[1:]
    digits = "".join(_DIGITS.findall(compact))
    return digits.lstrip("0") or digits, valid


def phone_digits(value: str) -> str:
    """The last nine digits of a phone number: the Spanish number with or without +34."""
    digits = "".join(_DIGITS.findall(value or ""))
    return digits[-9:] if len(digits) >= 9 else digits


def _birth(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def prepare(record: Mapping[str, Any]) -> dict[str, Any]:
    """The compared values of one record given with the source record's field names
    (``given_name``, ``family_name_1``, ``family_name_2``, ``birth_date``, ``identifier``,
    ``address``, ``postal_code``, ``city``, ``email``, ``phone``; any may be absent).

    Fields the record's ``flags`` name as invalid are still compared (a mistyped DNI's number
    still counts), but an identifier is only ``identifier_valid`` when its letter checks."""
    given = fold_name(str(record.get("given_name") or ""))
    given_words = given.split()
    first_given = given_words[0] if given_words else ""
    called = called_name(given)
    family_1 = fold_name(str(record.get("family_name_1") or ""))
    family_2 = fold_name(str(record.get("family_name_2") or ""))
    number, valid = identifier_number(str(record.get("identifier") or ""))
    born = _birth(record.get("birth_date"))
    email = str(record.get("email") or "").strip().lower()
    return {
        "given_name": given,
        "given_name_first": first_given,
        "given_name_called": called,
        "family_name_1": family_1,
        "family_name_2": family_2,
        # Either order of the two surnames, and a missing second one, meet on this key.
        "surnames_sorted": " ".join(sorted(filter(None, (family_1, family_2)))),
        "family_name_1_phonetic": spanish_phonetic(family_1),
        "given_name_phonetic": spanish_phonetic(called),
        "identifier_number": number,
        "identifier_valid": valid,
        "birth_date": born.isoformat() if born else "",
        "birth_year": born.year if born else None,
        # Day and month swapped by a clerk: the same two numbers in the other order.
        "birth_day_month": f"{min(born.day, born.month):02d}{max(born.day, born.month):02d}"
        if born
        else "",
        "email": email,
        "email_user": email.split("@", 1)[0] if "@" in email else "",
        "phone": phone_digits(str(record.get("phone") or "")),
        "postal_code": "".join(_DIGITS.findall(str(record.get("postal_code") or "")))[:5],
        "city": fold_name(str(record.get("city") or "")),
        "address": fold(str(record.get("address") or "")),
    }
