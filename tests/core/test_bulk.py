"""``insert_new`` writes rows the same as ``bulk_create`` would, and ``insert_one`` one row the
same as ``save()`` would, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ventanilla.audit.models import AuditEntry
from ventanilla.cases.models import Case
from ventanilla.catalog.models import PublicService
from ventanilla.core.bulk import insert_new, insert_numbered, insert_one, page_cache, rows_held
from ventanilla.events.models import Event
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


@pytest.mark.parametrize("rows", [2, 120])
def test_a_few_rows_or_many_are_all_written(rows: int) -> None:
    # A few go in one statement, many in a batch: the same rows either way.
    party = Party(**PROFILE)
    insert_new([party])
    points = [
        ContactPoint(party=party, kind="email", value=f"{n}@x.es", normalized=f"{n}@x.es")
        for n in range(rows)
    ]

    insert_new(points)

    stored = set(party.contact_points.values_list("pk", "normalized"))
    assert stored == {(point.pk, f"{n}@x.es") for n, point in enumerate(points)}


def test_a_model_numbered_by_the_database_is_refused() -> None:
    with pytest.raises(TypeError, match="primary key set in Python is needed"):
        insert_new([AuditEntry(at=timezone.now(), actor="x", action="party.create")])
    assert not AuditEntry.objects.filter(actor="x").exists()


def a_case(service: PublicService, party: Party, reference: str, **fields: Any) -> Case:
    now = timezone.now()
    return Case(
        reference=reference,
        party=party,
        service=service,
        channel_id="web",
        department_id=service.department_id,
        opened_at=now,
        due_date=timezone.localdate(now) + timedelta(days=10),
        description="Farola apagada en la calle Mayor",
        form_data={"metros": 12, "motivo": ["ruido", "luz"]},
        latitude=40.4168,
        longitude=-3.7038,
        **fields,
    )


def test_one_row_reads_back_as_save_writes_it_with_the_columns_the_database_computes(
    service: PublicService,
) -> None:
    party = Party(**PROFILE)
    party.save()
    mine = a_case(service, party, "AY-2026-900001", priority=Case.Priority.URGENT)
    theirs = a_case(service, party, "AY-2026-900002", priority=Case.Priority.URGENT)

    with CaptureQueriesContext(connection) as statements:
        insert_one(mine)
        # The columns the database computes come back with the insert, as save() gives them.
        assert (mine.is_open, mine.priority_rank) == (True, 0)
    assert len(statements) == 1
    theirs.save(force_insert=True)

    assert (mine.is_open, mine.priority_rank) == (theirs.is_open, theirs.priority_rank) == (True, 0)
    assert type(mine.is_open) is bool
    row = Case.objects.filter(pk=mine.pk).values().get()
    expected = Case.objects.filter(pk=theirs.pk).values().get()
    for name in ("id", "reference", "created_at", "updated_at", "opened_at"):
        row.pop(name), expected.pop(name)
    assert row == expected
    assert row["form_data"] == {"metros": 12, "motivo": ["ruido", "luz"]}
    assert Decimal(str(row["latitude"])) == Decimal("40.4168")
    # A saved object: a later save updates its row.
    mine.status = "closed"
    mine.save(update_fields=["status"])
    assert not Case.objects.get(pk=mine.pk).is_open
    assert Case.objects.filter(party=party).count() == 2


def test_one_row_numbered_by_the_database_gets_its_number() -> None:
    first = AuditEntry(
        at=timezone.now(), actor="x", action="party.create", detail={"n": 1}, hash="a" * 64
    )
    second = AuditEntry(at=timezone.now(), actor="y", action="party.create", hash="b" * 64)

    insert_one(first)
    insert_one(second)

    assert isinstance(first.pk, int) and second.pk > first.pk
    assert AuditEntry.objects.get(pk=first.pk).detail == {"n": 1}
    assert AuditEntry.objects.get(pk=second.pk).actor == "y"


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


def an_event(subject: str) -> Event:
    return Event(
        type="es.ventanilla.party.created",
        topic="parties",
        subject=subject,
        order_key=subject,
        time=timezone.now(),
        data={"subject": subject},
    )


def test_rows_of_several_kinds_held_to_the_end_of_a_block_are_written_together(
    service: PublicService,
) -> None:
    party = Party(**PROFILE)
    party.save()
    case = a_case(service, party, "AY-2026-900010")
    points = [
        ContactPoint(party=party, kind="email", value=f"{n}@x.es", normalized=f"{n}@x.es")
        for n in range(2)
    ]
    events = [an_event("first"), an_event("second")]

    with transaction.atomic(), CaptureQueriesContext(connection) as statements:
        with rows_held():
            insert_one(case)
            insert_new(points)
            insert_numbered(events)
            assert not Case.objects.filter(pk=case.pk).exists()  # held: not yet written
            before = len(statements)
        written = len(statements) - before

    # One statement on PostgreSQL; SQLite takes no INSERT inside a WITH, so one each there.
    assert written == (1 if connection.vendor == "postgresql" else 3)
    # What the database computes came back, converted as save() converts it.
    assert (case.is_open, case.priority_rank) == (True, 2)
    assert type(case.is_open) is bool
    stored = list(Event.objects.order_by("seq").values_list("seq", "subject"))
    assert stored == [(events[0].pk, "first"), (events[1].pk, "second")]
    assert Case.objects.get(pk=case.pk).reference == "AY-2026-900010"
    assert sorted(party.contact_points.values_list("normalized", flat=True)) == [
        "0@x.es",
        "1@x.es",
    ]
    # Saved objects: a later save updates the row.
    case.status = "closed"
    case.save(update_fields=["status"])
    assert not Case.objects.get(pk=case.pk).is_open


def test_held_rows_of_a_block_that_fails_are_not_written(service: PublicService) -> None:
    party = Party(**PROFILE)
    party.save()
    with pytest.raises(RuntimeError), transaction.atomic(), rows_held():
        insert_one(a_case(service, party, "AY-2026-900011"))
        insert_numbered([an_event("lost")])
        raise RuntimeError("the change failed")
    assert not Case.objects.exists()
    assert not Event.objects.exists()


def test_a_held_row_the_database_refuses_takes_the_others_with_it(service: PublicService) -> None:
    party = Party(**PROFILE)
    party.save()
    insert_one(a_case(service, party, "AY-2026-900012"))
    with pytest.raises(IntegrityError), transaction.atomic(), rows_held():
        insert_numbered([an_event("with the twin")])
        insert_one(a_case(service, party, "AY-2026-900012"))  # the same reference twice
    assert Case.objects.count() == 1
    assert not Event.objects.exists()


def test_nested_blocks_write_once_when_the_outermost_ends(service: PublicService) -> None:
    with transaction.atomic(), rows_held():
        with rows_held():
            insert_numbered([an_event("inner")])
        assert not Event.objects.exists()
        insert_numbered([an_event("outer")])
    assert list(Event.objects.order_by("seq").values_list("subject", flat=True)) == [
        "inner",
        "outer",
    ]


def test_a_large_batch_held_is_written_as_a_batch(service: PublicService) -> None:
    party = Party(**PROFILE)
    party.save()
    points = [
        ContactPoint(party=party, kind="email", value=f"{n}@x.es", normalized=f"{n}@x.es")
        for n in range(120)
    ]
    with transaction.atomic(), rows_held():
        insert_new(points)
        insert_numbered([an_event(f"e{n}") for n in range(1500)])
    assert party.contact_points.count() == 120
    assert list(Event.objects.order_by("seq").values_list("subject", flat=True)) == [
        f"e{n}" for n in range(1500)
    ]
