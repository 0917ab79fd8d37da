"""After erasure, nothing in the database names the person or repeats what they or staff wrote
about them, except in the columns ``privacy.coverage`` declares kept, each with its reason."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.apps import apps
from django.db import connection

from tests.privacy.test_coverage import people_of, rows_of
from ventanilla.access.actors import Actor
from ventanilla.cases.models import Case, CaseEvent, LifeEventRequest
from ventanilla.notifications.models import Notification
from ventanilla.parties.models import Party
from ventanilla.privacy.coverage import COVERAGE, NAMED_BY_ID, Erasure
from ventanilla.privacy.export import party_export
from ventanilla.privacy.services import party_erase

pytestmark = pytest.mark.django_db

# What staff and the person wrote in the full record, each a phrase found nowhere else.
FREE_TEXTS = (
    "Pide cita",
    "Quiero cambiar la ventana",
    "Le falta el plano",
    "Vecina conflictiva",
    "Comprobar domicilio",
    "Mirar el padron de la calle Mayor",
    "Empadronada desde 2019",
    "Trae el plano",
    "Plano de la cocina",
    "Me mudo en marzo",
    "Muy amable la chica de la ventanilla",
    "Le escribimos sobre la ventana",
    "Llamada de Lucia Vega",
    "Poder notarial de Lucia Vega",
    "plano-cocina.pdf",
)


def _needles(party: Party) -> list[str]:
    identity = [
        "Lucía",
        "Lucia",
        "Vega",
        "Ortega",
        *party.identifiers.values_list("value", flat=True),
        *party.contact_points.values_list("value", flat=True),
    ]
    # JSON columns may keep accents escaped.
    escaped = [json.dumps(text)[1:-1] for text in identity if not text.isascii()]
    return [*identity, *escaped, *FREE_TEXTS]


def _kept_columns() -> dict[tuple[str, str], str]:
    """(table, column) → why, for what the declaration keeps after erasure."""
    kept = {}
    for label, cover in COVERAGE.items():
        model = apps.get_model(label)
        for name, why in {**cover.kept, **cover.not_personal}.items():
            kept[(model._meta.db_table, model._meta.get_field(name).column)] = why
    for label, why in NAMED_BY_ID.items():
        model = apps.get_model(label)
        for f in model._meta.concrete_fields:
            kept[(model._meta.db_table, f.column)] = why
    return kept


def _found(needles: list[str]) -> dict[tuple[str, str], set[str]]:
    """Every column of every table holding one of the needles, whatever its type."""
    found: dict[tuple[str, str], set[str]] = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for column in connection.introspection.get_table_description(cursor, table):
                text = f"LOWER(CAST({quote(column.name)} AS TEXT))"
                # One query per column says which needles it holds.
                hit = f"MAX(CASE WHEN {text} LIKE %s THEN 1 ELSE 0 END)"
                hits = ", ".join(hit for _ in needles)
                cursor.execute(
                    f"SELECT {hits} FROM {quote(table)}",  # noqa: S608 - names from the schema
                    [f"%{needle.lower()}%" for needle in needles],
                )
                row = cursor.fetchone()
                held = {needle for needle, hit in zip(needles, row, strict=True) if hit}
                if held:
                    found[(table, column.name)] = held
    return found


def test_after_erasure_no_column_names_the_person_or_repeats_their_texts(
    closed_record: dict[str, Any], citizen: Party, actor: Actor
) -> None:
    needles = _needles(citizen)
    before = _found(needles)

    party_erase(actor=actor, party_id=citizen.pk, reason="art. 17")

    kept = _kept_columns()
    left = {where: sorted(what) for where, what in _found(needles).items() if where not in kept}
    assert not left, f"still in the database after erasure: {left}"
    # The search sees what it looks for: before erasure it found the texts where they were.
    assert ("cases_notification", "body") in before and ("cases_caseevent", "text") in before


def test_erasure_blanks_the_messages_case_notes_requests_and_ratings(
    closed_record: dict[str, Any], citizen: Party, actor: Actor
) -> None:
    case = closed_record["case"]

    party_erase(actor=actor, party_id=citizen.pk, reason="art. 17")

    messages = Notification.objects.filter(party=citizen)
    assert {(m.recipient, m.subject, m.body, m.last_error) for m in messages} == {
        ("", "", "[erased]", "")
    }
    assert {e.text for e in CaseEvent.objects.filter(case=case)} <= {"", "[erased]"}
    assert CaseEvent.objects.filter(case=case, text="[erased]").count() >= 3  # notes and rating
    assert LifeEventRequest.objects.get(party=citizen).description == ""
    rated = Case.objects.get(pk=case.pk)
    assert rated.satisfaction == 4 and rated.satisfaction_comment == ""


def test_erasure_pseudonymises_the_duplicates_merged_into_the_person(
    full_record: dict[str, Any], citizen: Party, actor: Actor
) -> None:
    Case.objects.filter(party=citizen).update(status="closed")
    [duplicate] = Party.objects.filter(merged_into=citizen)

    party_erase(actor=actor, party_id=citizen.pk, reason="art. 17")

    duplicate.refresh_from_db()
    assert duplicate.status == "merged" and "Lucia" not in duplicate.display_name


def test_the_export_holds_the_messages_notes_requests_and_ratings(
    closed_record: dict[str, Any], citizen: Party, actor: Actor
) -> None:
    document = party_export(actor=actor, party_id=citizen.pk)

    texts = json.dumps(document, ensure_ascii=False, default=str)
    for said in ("Le escribimos sobre la ventana", "Le falta el plano", "Me mudo en marzo"):
        assert said in texts
    assert any(n["recipient"] for n in document["notifications"])
    [case] = document["cases"]
    assert case["satisfaction_comment"] == "Muy amable la chica de la ventanilla"


def _is_erased(value: Any) -> bool:
    # A pseudonym ("[erased] 1a2b3c4d", and the search key folded from it) is erased too.
    return value in ("", None, {}, [], "—") or "erased" in str(value).lower()


def test_erasure_leaves_no_row_or_field_it_declares_gone(
    closed_record: dict[str, Any], citizen: Party, actor: Actor
) -> None:
    people = people_of(citizen)

    party_erase(actor=actor, party_id=citizen.pk, reason="art. 17")

    left = []
    for label, cover in COVERAGE.items():
        rows = rows_of(label, people)
        if cover.erasure == Erasure.DELETE:
            left += [f"{label}: {rows.count()} rows"] if rows.exists() else []
        elif cover.erasure == Erasure.DETACH:
            left += [f"{label}: still linked"] if rows.exists() else []
        elif cover.erasure == Erasure.REWRITE:
            left += [
                f"{label}.{name}: {value!r}"
                for row in rows.values(*cover.erased)
                for name, value in row.items()
                if not _is_erased(value)
            ]
    assert not left, f"declared as erased, but still there: {left}"


def test_a_message_never_delivered_goes_with_the_erasure_and_is_never_sent(
    closed_record: dict[str, Any], citizen: Party, actor: Actor
) -> None:
    unsent = closed_record["unsent"]

    party_erase(actor=actor, party_id=citizen.pk, reason="art. 17")

    notifications = Notification.objects.filter(party=citizen)
    assert not notifications.filter(pk=unsent.pk).exists()
    assert notifications.exists()
    assert all(n.status == "sent" for n in notifications)
