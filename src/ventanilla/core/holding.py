"""Rows held to the end of a block and written together: for a change that records several
rows of one kind in one transaction (audit entries, events), one write instead of one each."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")


@contextmanager
def holding(place: ContextVar[list[T] | None], write: Callable[[list[T]], None]) -> Iterator[None]:
    """Keep what is added to ``place`` inside the block and ``write`` it, in the order added,
    when the block ends. Nothing is written if the block fails; nested, the outermost block
    writes."""
    if place.get() is not None:
        yield
        return
    held: list[T] = []
    token = place.set(held)
    try:
        yield
    finally:
        place.reset(token)
    if held:
        write(held)
