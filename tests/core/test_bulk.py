"""``insert_new`` writes rows the same as ``bulk_create`` would, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from ventanilla.audit.models import AuditEntry
from ventanilla.core.bulk import insert_new, page_cache
from ventanilla.parties.models import ContactPoint, Party

pytestmark = pytest.mark.django_db

# Every kind of value a party row holds: text, a date, a list kept as JSON, an empty choice.
PROFILE = {
    "given_name": "Íñigo",
    "family_name_1": "Azcárate",
    "family_name_2": "",
    "birth_date": date(1980, 3, 4),
    "accessibility_needs": ["lectura fácil"],
    "preferred_language": "eu",
    "sort_name": "azcarate inigo",
}


def stored(party: Party) -> dict[str, Any]:
    row = Party.objects.filter(pk=party.pk).values().get()
    row.pop("id")
    return row


def test_the_rows_read_back_as_bulk_create_writes_them() -> None:
    before = timezone.now()
    mine = Party(**PROFILE)
    theirs = Party(**PROFILE)

    insert_new([mine])
    Party.objects.bulk_create([theirs])

    written, expected = stored(mine), stored(theirs)
    assert written["created_at"] >= before
    assert written["updated_at"] >= before
    for stamp in ("created_at", "updated_at"):
        written.pop(stamp), expected.pop(stamp)
    assert written == expected
    assert written["accessibility_needs"] == ["lectura fácil"]
    assert written["birth_date"] == date(1980, 3, 4)
    # Saved objects: a later save updates the row instead of inserting it again.
    mine.given_name = "Iñigo"
    mine.save(update_fields=["given_name"])
    assert Party.objects.get(pk=mine.pk).given_name == "Iñigo"


def test_rows_that_point_at_others_keep_their_link() -> None:
    party = Party(**PROFILE)
    point = ContactPoint(party=party, kind="email", value="A@x.es", normalized="a@x.es")

    insert_new([party])
    insert_new([point])

    assert list(party.contact_points.values_list("normalized", flat=True)) == ["a@x.es"]


def test_a_model_numbered_by_the_database_is_refused() -> None:
    with pytest.raises(TypeError, match="primary key set in Python"):
        insert_new([AuditEntry(at=timezone.now(), actor="x", action="party.create")])
    assert not AuditEntry.objects.filter(actor="x").exists()


def test_nothing_to_insert_is_nothing_done() -> None:
    insert_new([])
    assert not Party.objects.exists()


def test_a_batch_job_holds_more_of_sqlite_in_memory_and_gives_it_back() -> None:
    def cache_size() -> int:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            return int(cursor.fetchone()[0])

    if connection.vendor != "sqlite":
        with page_cache(512):
            pass  # PostgreSQL keeps its own shared buffers: nothing to change, nothing fails
        return
    usual = cache_size()
    with page_cache(512):
        assert cache_size() == -512 * 1024
    assert cache_size() == usual
    with pytest.raises(RuntimeError), page_cache(256):
        raise RuntimeError
    assert cache_size() == usual
