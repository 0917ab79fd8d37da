"""Spanish personal names as matching and search compare them: folded without particles, a
sound key, and the given name a person goes by. The parties' candidate keys and identity's
``prepare`` both derive from these, so a key stored at registration meets the one typed later."""

from __future__ import annotations

from functools import lru_cache

from ventanilla.core.text import fold

# Particles that Spanish surnames carry or drop from one register to another ("de la Fuente",
# "Fuente"); they never tell two people apart.
PARTICLES = frozenset({"de", "del", "la", "las", "los", "y", "i", "e", "san", "santa"})

# Given names so common as the first half of a compound name that the second half is the one a
# person goes by ("María Isabel" is called Isabel; "José Luis" stays José Luis).
MARIAN = frozenset({"maria", "ma", "mª", "m", "jose", "juan", "francisco"})

# Names repeat (a town's surnames follow a few hundred common ones): a batch job that folds a
# million of them folds each distinct one once.
_NAMES_KEPT = 1 << 16


@lru_cache(maxsize=_NAMES_KEPT)
def fold_name(value: str) -> str:
    """A name without accents, capitals, punctuation or particles: 'De la Peña-Núñez' ->
    'pena nunez'."""
    words = [word for word in fold(value or "").split() if word not in PARTICLES]
    return " ".join(words)


def called_name(folded_given: str) -> str:
    """The given name a person goes by, from a folded given name: 'maria isabel' -> 'isabel'."""
    words = folded_given.split()
    if not words:
        return ""
    return words[1] if len(words) > 1 and words[0] in MARIAN else words[0]


@lru_cache(maxsize=_NAMES_KEPT)
def spanish_phonetic(value: str) -> str:
    """A sound key for Spanish names: the spellings that sound alike in Spanish meet (b/v,
    ll/y, c/z/s before e and i, silent h, qu/k/c, g/j before e and i, doubled letters)."""
    text = fold_name(value).replace(" ", "")
    for before, after in (
        ("ch", "X"),
        ("ll", "y"),
        ("qu", "k"),
        ("gue", "ge"),
        ("gui", "gi"),
        ("ce", "se"),
        ("ci", "si"),
        ("z", "s"),
        ("ge", "je"),
        ("gi", "ji"),
        ("v", "b"),
        ("w", "b"),
        ("h", ""),
        ("c", "k"),
        ("x", "ks"),
        ("y", "i"),
    ):
        text = text.replace(before, after)
    deduplicated = [ch for i, ch in enumerate(text) if i == 0 or ch != text[i - 1]]
    return "".join(deduplicated).lower()
