"""Working across departments and agencies: transfers, tasks, duplicates, life events, and the
citizen's verdict at the end."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import make_party
from ventanilla.access.actors import Actor, actor_for_citizen, actor_for_user
from ventanilla.audit.actions import Action
from ventanilla.audit.models import AuditEntry
from ventanilla.cases import selectors, services
from ventanilla.cases.models import Case, CaseEvent, LifeEventRequest
from ventanilla.catalog.models import PublicService
from ventanilla.catalog.services import life_event_ensure, service_ensure
from ventanilla.core.errors import InvalidTransition, NotFound, PermissionDenied

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(make_staff: Any) -> Actor:
    return actor_for_user(make_staff("urb", "urbanismo", "case_worker"))


@pytest.fixture
def registrar(make_staff: Any) -> Actor:
    return actor_for_user(make_staff("pad", "padron", "case_worker"))


@pytest.fixture
def case(actor: Actor, service: PublicService) -> Case:
    party = make_party(actor)
    return services.case_open(
        actor=actor, party_id=party.pk, service_code=service.code, channel="desk"
    )


def test_a_transfer_hands_the_case_over_and_keeps_the_chain(
    worker: Actor, registrar: Actor, case: Case
) -> None:
    services.case_transfer(
        actor=worker, case_id=case.pk, department_code="padron", reason="Es del padrón", version=1
    )

    with pytest.raises(NotFound):
        selectors.case_get(actor=worker, case_id=case.pk)
    seen = selectors.case_get(actor=registrar, case_id=case.pk)
    hand_over = seen.events.get(kind="transfer")
    assert (hand_over.from_department.code, hand_over.to_department.code) == (
        "urbanismo",
        "padron",
    )
    assert hand_over.text == "Es del padrón"
    assert seen.routed_by == "transfer"


def test_a_task_lets_another_department_help_and_holds_the_resolution(
    worker: Actor, registrar: Actor, case: Case
) -> None:
    task = services.task_create(
        actor=worker, case_id=case.pk, department_code="padron", title="¿Vive aquí?"
    )
    services.case_transition(actor=worker, case_id=case.pk, action="accept", version=1)

    # The department asked can read the case it helps with, but not work on its status.
    assert selectors.case_get(actor=registrar, case_id=case.pk) == case
    with pytest.raises(NotFound):
        services.case_transition(actor=registrar, case_id=case.pk, action="start")
    with pytest.raises(InvalidTransition):
        services.case_transition(actor=worker, case_id=case.pk, action="resolve", reason="Hecho")
    with pytest.raises(NotFound):
        services.task_finish(actor=worker, task_id=task.pk, outcome="done")

    services.task_finish(actor=registrar, task_id=task.pk, outcome="done", result="Sí vive")
    services.case_transition(actor=worker, case_id=case.pk, action="resolve", reason="Concedida")

    kinds = [(e.kind, e.action) for e in selectors.case_events(case=case)]
    assert ("task", "create") in kinds and ("task", "done") in kinds


def test_declining_a_task_needs_a_reason(worker: Actor, registrar: Actor, case: Case) -> None:
    task = services.task_create(
        actor=worker, case_id=case.pk, department_code="padron", title="Revisar"
    )
    from ventanilla.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        services.task_finish(actor=registrar, task_id=task.pk, outcome="declined")


def test_a_nearby_request_of_another_department_is_not_offered_to_a_worker(
    actor: Actor, worker: Actor, registrar: Actor, service: PublicService
) -> None:
    # Given two requests at the same corner, the earlier one handed over to the register office.
    earlier, later = (
        services.case_open(
            actor=actor,
            party_id=make_party(actor).pk,
            service_code=service.code,
            channel="web",
            latitude=40.0,
            longitude=-3.7,
        )
        for _ in range(2)
    )
    services.case_transfer(
        actor=worker, case_id=earlier.pk, department_code="padron", reason="Es del padrón"
    )

    # Then the planning worker, who cannot open the earlier case, is not offered it either.
    assert selectors.likely_duplicates(actor=worker, case=later) == []
    offered = selectors.likely_duplicates(actor=registrar, case=later)
    assert [d.case for d in offered] == [earlier]


def test_the_requests_offered_as_duplicates_are_a_recorded_reading(
    actor: Actor, service: PublicService
) -> None:
    first, second = (
        services.case_open(
            actor=actor,
            party_id=make_party(actor).pk,
            service_code=service.code,
            channel="web",
            latitude=40.0,
            longitude=-3.7,
        )
        for _ in range(2)
    )

    selectors.likely_duplicates(actor=actor, case=second)

    entry = AuditEntry.objects.filter(action=Action.CASE_LIST).latest("id")
    assert entry.actor == actor.label
    assert entry.detail == {"likely_duplicates_of": str(second.pk), "shown": [str(first.pk)]}


def test_a_repeated_request_nearby_is_offered_as_a_duplicate_and_can_be_attached(
    actor: Actor, service: PublicService
) -> None:
    first, second, far = (
        services.case_open(
            actor=actor,
            party_id=make_party(actor).pk,
            service_code=service.code,
            channel="web",
            latitude=lat,
            longitude=-3.7,
        )
        for lat in (40.0, 40.0004, 40.01)
    )

    offered = selectors.likely_duplicates(actor=actor, case=second)
    assert [(d.case, d.metres) for d in offered] == [(first, 44)]
    assert selectors.likely_duplicates(actor=actor, case=far) == []

    services.case_mark_duplicate(actor=actor, case_id=second.pk, original_id=first.pk, version=1)
    second.refresh_from_db()
    assert (second.duplicate_of, second.status) == (first, "closed")
    assert first.events.filter(kind="duplicate", text=second.reference).exists()


def test_a_life_event_opens_a_case_in_every_agency_concerned_at_once(
    actor: Actor, service: PublicService, town: dict[str, Any]
) -> None:
    birth = life_event_ensure(code="nacimiento", kind="life", name_es="Nacimiento", name_en="Birth")
    service.life_events.add(birth)
    health = service_ensure(
        code="tarjeta-sanitaria", name_es="Tarjeta sanitaria", name_en="Health card",
        department=town["salud"], life_events=[birth],
    )  # fmt: skip
    party = make_party(actor)

    request = services.life_event_open(
        actor=actor, party_id=party.pk, life_event_code="nacimiento", channel="desk"
    )

    cases = list(request.cases.order_by("service__code"))
    assert [(c.service.code, c.department.code) for c in cases] == [
        ("licencia-obra-menor", "urbanismo"),
        ("tarjeta-sanitaria", "salud"),
    ]
    citizen = actor_for_citizen(party)
    combined = selectors.life_event_status(actor=citizen, request_id=request.pk)
    assert (combined.status, combined.done, len(combined.cases)) == ("in_progress", 0, 2)
    services.case_transition(actor=actor, case_id=cases[0].pk, action="accept")
    services.case_transition(
        actor=actor, case_id=cases[0].pk, action="ask_citizen", reason="Falta el libro de familia"
    )
    assert selectors.life_event_status(actor=citizen, request_id=request.pk).status == (
        "waiting_citizen"
    )
    # The town hall's staff follow their own part only.
    assert [c.service.code for c in selectors.life_event_status(
        actor=actor, request_id=request.pk).cases] == ["licencia-obra-menor"]  # fmt: skip
    assert health.cases.count() == 1


def test_a_life_event_that_fails_half_way_leaves_nothing(
    actor: Actor, service: PublicService
) -> None:
    birth = life_event_ensure(code="nacimiento", kind="life", name_es="Nacimiento", name_en="Birth")
    service.life_events.add(birth)
    party = make_party(actor)
    from ventanilla.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        services.life_event_open(
            actor=actor, party_id=party.pk, life_event_code="nacimiento", channel="pigeon"
        )
    assert not LifeEventRequest.objects.exists()
    assert not Case.objects.exists()


def close(actor: Actor, case: Case) -> None:
    for action, reason in [("accept", ""), ("resolve", "Concedida"), ("close", "")]:
        services.case_transition(actor=actor, case_id=case.pk, action=action, reason=reason)


@pytest.mark.parametrize(("reopens", "score", "status"), [(True, 1, "in_progress"),
    (False, 1, "closed"), (True, 4, "closed")])  # fmt: skip
def test_an_unhappy_answer_reopens_the_case_when_the_service_says_so(
    actor: Actor, case: Case, reopens: bool, score: int, status: str
) -> None:
    PublicService.objects.filter(pk=case.service_id).update(reopen_if_unhappy=reopens)
    close(actor, case)
    citizen = actor_for_citizen(case.party)

    services.satisfaction_record(actor=citizen, case_id=case.pk, score=score, comment="Regular")

    case.refresh_from_db()
    assert (case.satisfaction, case.status) == (score, status)
    with pytest.raises(InvalidTransition):
        services.satisfaction_record(actor=citizen, case_id=case.pk, score=5)
    assert CaseEvent.objects.filter(case=case, kind="satisfaction").count() == 1


def test_a_citizen_may_cancel_their_case_but_not_resolve_it(actor: Actor, case: Case) -> None:
    citizen = actor_for_citizen(case.party)
    with pytest.raises(PermissionDenied):
        services.case_transition(actor=citizen, case_id=case.pk, action="accept")
    stranger = actor_for_citizen(make_party(actor))
    with pytest.raises(NotFound):
        services.case_transition(actor=stranger, case_id=case.pk, action="cancel", reason="Ya no")

    services.case_transition(actor=citizen, case_id=case.pk, action="cancel", reason="Ya no")

    case.refresh_from_db()
    assert case.status == "cancelled"


def test_a_life_event_opens_services_whose_forms_are_asked_for_later(
    actor: Actor, service: PublicService
) -> None:
    from ventanilla.core.errors import ValidationFailed

    birth = life_event_ensure(code="nacimiento", kind="life", name_es="Nacimiento", name_en="Birth")
    service.life_events.add(birth)
    PublicService.objects.filter(pk=service.pk).update(
        input_schema={
            "type": "object",
            "properties": {"plano": {"type": "string", "title": "Plano"}},
            "required": ["plano"],
        }
    )
    party = make_party(actor)

    request = services.life_event_open(
        actor=actor, party_id=party.pk, life_event_code="nacimiento", channel="desk"
    )
    assert request.cases.get().form_data == {}
    with pytest.raises(ValidationFailed) as refused:
        services.life_event_open(
            actor=actor,
            party_id=party.pk,
            life_event_code="nacimiento",
            channel="desk",
            form_data={service.code: {"plano": 3}},
        )
    assert f"form_data.{service.code}.plano" in refused.value.errors
