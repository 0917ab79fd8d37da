"""Derived name data (sort key, search tokens), computed alike by the services and the seed."""

from __future__ import annotations

from typing import Any

from ventanilla.core.text import fold, tokens


def sort_name(
    *, kind: str, given_name: str, family_name_1: str, family_name_2: str, legal_name: str
) -> str:
    if kind == "organisation":
        return fold(legal_name)[:300]
    return fold(f"{family_name_1} {family_name_2} {given_name}")[:300]


def name_tokens(
    *, kind: str, given_name: str, family_name_1: str, family_name_2: str, legal_name: str
) -> list[str]:
    text = legal_name if kind == "organisation" else f"{given_name} {family_name_1} {family_name_2}"
    return [token[:100] for token in tokens(text)]


def name_fields(party: Any) -> dict[str, str]:
    """The fields of ``party`` that the sort key and the tokens are computed from."""
    return {
        "kind": party.kind,
        "given_name": party.given_name,
        "family_name_1": party.family_name_1,
        "family_name_2": party.family_name_2,
        "legal_name": party.legal_name,
    }
