"""Similar resolved cases: which are offered, in what order, and what is recorded of the reading."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_party
from ventanilla.access.actors import Actor, actor_for_user
from ventanilla.audit.models import AuditEntry
from ventanilla.cases.models import Case, CaseEvent
from ventanilla.cases.services import case_note_add, case_open, case_transfer, case_transition
from ventanilla.catalog.models import PublicService
from ventanilla.precedents import selectors
from ventanilla.precedents.selectors import (
    forget_indexes,
    masked,
    resolution_of,
    similar_resolved,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_kept_indexes() -> Iterator[None]:
    forget_indexes()
    yield
    forget_indexes()


@pytest.fixture
def worker(make_staff: Any) -> Actor:
    """A case worker of the planning department (the minor works permit's)."""
    return actor_for_user(make_staff("trabajadora", "urbanismo", "case_worker"))


@pytest.fixture
def head(make_staff: Any) -> Actor:
    """Staff of the town hall, above planning and the register: may hand cases between them."""
    return actor_for_user(make_staff("jefa", "ayto", "supervisor"))


def opened(actor: Actor, service: PublicService, description: str, **fields: Any) -> Case:
    party = make_party(actor)
    return case_open(
        actor=actor,
        party_id=party.pk,
        service_code=service.code,
        channel="web",
        description=description,
        **fields,
    )


def resolved(actor: Actor, case: Case, reason: str, *, reply: str = "") -> Case:
    case_transition(actor=actor, case_id=case.pk, action="accept")
    if reply:
        case_note_add(actor=actor, case_id=case.pk, text=reply, public=True)
    return case_transition(actor=actor, case_id=case.pk, action="resolve", reason=reason)


def test_the_most_similar_resolved_case_comes_first_and_an_unrelated_one_is_not_listed(
    worker: Actor, service: PublicService
) -> None:
    close = opened(worker, service, "Reforma del baño: cambiar la bañera por un plato de ducha")
    resolved(worker, close, "Licencia concedida para sustituir la bañera por ducha.")
    near = opened(worker, service, "Quiero cambiar el suelo del baño")
    resolved(worker, near, "Concedida la licencia del suelo.")
    unrelated = opened(worker, service, "Pintar la fachada y arreglar el tejado")
    resolved(worker, unrelated, "Licencia de fachada concedida.")
    new = opened(worker, service, "Cambiar la bañera por un plato de ducha en el baño")

    found = similar_resolved(actor=worker, case=new)

    references = [p.reference for p in found]
    assert references[0] == close.reference
    assert unrelated.reference not in references
    assert found[0].resolution == "Licencia concedida para sustituir la bañera por ducha."
    assert 0 < found[0].similarity <= 1
    assert found[0].days == 0
    assert found[0].resolved_at is not None


def test_an_open_case_is_never_listed(worker: Actor, service: PublicService) -> None:
    still_open = opened(worker, service, "Cambiar la bañera por un plato de ducha")
    case_transition(actor=worker, case_id=still_open.pk, action="accept")
    new = opened(worker, service, "Cambiar la bañera por un plato de ducha")

    assert similar_resolved(actor=worker, case=new) == []


def test_a_case_reopened_after_the_vectors_were_made_is_no_longer_listed(
    worker: Actor, service: PublicService
) -> None:
    earlier = opened(worker, service, "Cambiar la bañera por un plato de ducha")
    resolved(worker, earlier, "Licencia concedida.")
    new = opened(worker, service, "Cambiar la bañera por un plato de ducha")
    assert [p.reference for p in similar_resolved(actor=worker, case=new)] == [earlier.reference]

    case_transition(actor=worker, case_id=earlier.pk, action="reopen", reason="Falta un papel")

    assert similar_resolved(actor=worker, case=new) == []


def test_a_case_of_a_department_the_actor_may_not_read_is_never_listed(
    worker: Actor, head: Actor, service: PublicService
) -> None:
    elsewhere = opened(worker, service, "Cambiar la bañera por un plato de ducha")
    case_transfer(
        actor=head, case_id=elsewhere.pk, department_code="padron", reason="Lo lleva el padrón"
    )
    resolved(head, elsewhere, "Licencia concedida.")
    new = opened(worker, service, "Cambiar la bañera por un plato de ducha")

    assert similar_resolved(actor=worker, case=new) == []
    # Staff who may read it are offered it: the case was left out for the reader, not the text.
    assert [p.reference for p in similar_resolved(actor=head, case=new)] == [elsewhere.reference]


def test_a_case_resolved_after_the_first_reading_is_offered_at_the_next(
    worker: Actor, service: PublicService
) -> None:
    new = opened(worker, service, "Cambiar la bañera por un plato de ducha")
    assert similar_resolved(actor=worker, case=new) == []
    later = opened(worker, service, "Cambiar la bañera por un plato de ducha, por favor")
    resolved(worker, later, "Licencia concedida.")

    assert [p.reference for p in similar_resolved(actor=worker, case=new)] == [later.reference]


def test_cases_resolved_later_are_added_to_the_vectors_kept_and_a_reopened_one_dropped(
    worker: Actor, service: PublicService
) -> None:
    first = opened(worker, service, "Cambiar la bañera por un plato de ducha")
    resolved(worker, first, "Licencia concedida.")
    new = opened(worker, service, "Cambiar la bañera por un plato de ducha en casa")
    assert [p.reference for p in similar_resolved(actor=worker, case=new)] == [first.reference]
    fitted = selectors._INDEXES[service.pk].vectoriser

    second = opened(worker, service, "Cambiar la bañera por un plato de ducha en casa")
    resolved(worker, second, "Licencia concedida otra vez.")
    case_transition(actor=worker, case_id=first.pk, action="reopen", reason="Falta un papel")
    found = similar_resolved(actor=worker, case=new)

    assert [p.reference for p in found] == [second.reference]
    assert selectors._INDEXES[service.pk].vectoriser is fitted  # added, not fitted again
    resolved_again = case_transition(
        actor=worker, case_id=first.pk, action="resolve", reason="Aportado el papel."
    )
    found = similar_resolved(actor=worker, case=new)
    assert [p.reference for p in found] == [second.reference, resolved_again.reference]
    assert found[1].resolution == "Aportado el papel."


def test_the_resolve_note_is_shown_rather_than_the_reply_before_it(
    worker: Actor, service: PublicService
) -> None:
    earlier = opened(worker, service, "Cambiar la bañera por un plato de ducha")
    resolved(worker, earlier, "Licencia concedida sin visita.", reply="Ya puede empezar.")
    new = opened(worker, service, "Cambiar la bañera por un plato de ducha")

    [found] = similar_resolved(actor=worker, case=new)

    assert found.resolution == "Licencia concedida sin visita."


def test_without_a_resolve_note_the_last_public_reply_before_the_end_is_shown() -> None:
    def event(kind: str, action: str = "", text: str = "", public: bool = True) -> CaseEvent:
        return CaseEvent(kind=kind, action=action, text=text, public=public)

    events = [
        event("reply", text="Primera respuesta"),
        event("note", text="Nota interna", public=False),
        event("reply", text="Le confirmamos que está hecho"),
        event("transition", action="close"),
        event("reply", text="Gracias por su valoración"),
    ]

    assert resolution_of(events) == "Le confirmamos que está hecho"


def test_names_contacts_and_identity_numbers_are_masked_but_references_kept() -> None:
    text = masked(
        "Remedios Quintanilla: licencia concedida, llame al 612 345 678 o a r@q.es, DNI 12345678Z;"
        " como en AY-2026-000123",
        ("Remedios", "Quintanilla", "", ""),
    )

    assert text == "… …: licencia concedida, llame al … o a …, DNI …; como en AY-2026-000123"


def test_showing_them_is_recorded_as_one_list_of_the_cases_shown(
    worker: Actor, service: PublicService
) -> None:
    earlier = opened(worker, service, "Cambiar la bañera por un plato de ducha")
    resolved(worker, earlier, "Licencia concedida.")
    new = opened(worker, service, "Cambiar la bañera por un plato de ducha")
    before = AuditEntry.objects.count()

    similar_resolved(actor=worker, case=new)

    entry = AuditEntry.objects.order_by("-id").first()
    assert AuditEntry.objects.count() == before + 1
    assert entry is not None
    assert entry.action == "case.list"
    assert entry.detail == {"similar_to": str(new.pk), "shown": [str(earlier.pk)]}


def test_five_similar_cases_cost_the_queries_one_does(
    worker: Actor, service: PublicService
) -> None:
    first = opened(worker, service, "Cambiar la bañera por un plato de ducha")
    resolved(worker, first, "Licencia concedida.", reply="Puede empezar la obra.")
    new = opened(worker, service, "Cambiar la bañera por un plato de ducha")
    similar_resolved(actor=worker, case=new)  # the vectoriser is fitted once per process
    with CaptureQueriesContext(connection) as one:
        assert len(similar_resolved(actor=worker, case=new)) == 1
    for number in range(4):
        more = opened(worker, service, f"Cambiar la bañera por un plato de ducha {number}")
        resolved(worker, more, "Licencia concedida.", reply="Puede empezar la obra.")
    similar_resolved(actor=worker, case=new)
    with CaptureQueriesContext(connection) as five:
        assert len(similar_resolved(actor=worker, case=new)) == 5

    assert len(five) == len(one)
    # the last resolving time, who may read the best ranked, the cases shown, their steps, and
    # the audit entry (its head row read, the entry written, the head moved on)
    assert len(one) <= 7
