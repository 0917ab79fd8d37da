"""Text normalisation for search: accent- and case-insensitive tokens of names."""

from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def fold(text: str) -> str:
    """Lower-case ASCII form of ``text``: 'Núñez-Ibáñez' -> 'nunez ibanez'."""
    folded = text.casefold()
    if not folded.isascii():  # plain ASCII has no accents to take off
        decomposed = unicodedata.normalize("NFKD", folded)
        folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_ALNUM.sub(" ", folded).strip()


def tokens(text: str) -> list[str]:
    """Distinct search tokens of ``text`` in order of appearance."""
    seen: dict[str, None] = {}
    for token in fold(text).split():
        seen.setdefault(token, None)
    return list(seen)


def prefix_upper_bound(prefix: str) -> str | None:
    """Smallest string over [0-9a-z] greater than every string starting with ``prefix``.

    Searching ``token >= prefix AND token < bound`` uses a plain B-tree index on every database
    and collation, where ``LIKE 'prefix%'`` does not on PostgreSQL without a special operator class.
    """
    chars = list(prefix)
    while chars:
        position = _ALPHABET.find(chars[-1])
        if 0 <= position < len(_ALPHABET) - 1:
            chars[-1] = _ALPHABET[position + 1]
            return "".join(chars)
        chars.pop()
    return None


# Words shorter than this are not varied: too many other words are one letter away.
SHORTEST_VARIED = 4


def one_edit(word: str) -> set[str]:
    """``word`` and every word over [a-z] one typing slip away from it: a letter missing, one
    too many, one wrong, or two neighbours swapped (Damerau–Levenshtein distance 1)."""
    letters = _ALPHABET[10:]
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    variants = {word}
    variants.update(head + tail[1:] for head, tail in splits if tail)
    variants.update(head + tail[1] + tail[0] + tail[2:] for head, tail in splits if len(tail) > 1)
    variants.update(head + ch + tail[1:] for head, tail in splits if tail for ch in letters)
    variants.update(head + ch + tail for head, tail in splits for ch in letters)
    return variants
