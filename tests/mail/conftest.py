from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """What a person is told to look at is written in the active language; these tests read it
    in English, whatever an earlier request left active."""
    with translation.override("en"):
        yield
