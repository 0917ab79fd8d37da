"""Random draws every room of the town uses: weighted picks, number permutations, rounding."""

from __future__ import annotations

import bisect
import math
import random
from collections.abc import Sequence
from typing import Generic, TypeVar

T = TypeVar("T")


class Weighted(Generic[T]):
    """Items with weights, drawn with one uniform number and a binary search."""

    __slots__ = ("items", "cum", "total")

    def __init__(self, pairs: Sequence[tuple[T, float]]) -> None:
        kept = [(item, float(weight)) for item, weight in pairs if weight > 0]
        if not kept:
            raise ValueError("nothing to draw from")
        self.items = [item for item, _ in kept]
        self.cum: list[float] = []
        running = 0.0
        for _, weight in kept:
            running += weight
            self.cum.append(running)
        self.total = running

    def pick(self, rng: random.Random) -> T:
        return self.items[bisect.bisect(self.cum, rng.random() * self.total)]


class Permutation:
    """A bijection of ``range(size)`` that looks random, so derived numbers never repeat."""

    def __init__(self, size: int, rng: random.Random) -> None:
        self.size = size
        multiplier = rng.randrange(size // 3, size)
        while math.gcd(multiplier, size) != 1:
            multiplier += 1
        self.multiplier = multiplier
        self.offset = rng.randrange(size)

    def __call__(self, index: int) -> int:
        return (self.multiplier * index + self.offset) % self.size


def stochastic_round(rng: random.Random, value: float) -> int:
    whole = int(value)
    return whole + (1 if rng.random() < value - whole else 0)


def share(rng: random.Random, budget: int, weights: list[float]) -> list[int]:
    """Split ``budget`` in proportion to ``weights``, exactly (largest remainders)."""
    total = sum(weights)
    if total <= 0 or budget <= 0:
        return [0] * len(weights)
    exact = [budget * w / total for w in weights]
    counts = [int(x) for x in exact]
    missing = budget - sum(counts)
    order = sorted(range(len(weights)), key=lambda i: (counts[i] - exact[i], rng.random()))
    for i in order[:missing]:
        counts[i] += 1
    return counts
