"""Setting the order in which agencies' registers are trusted: the whole order at once, audited,
only by those with the permission, and never half-written."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import make_party
from tests.merging.test_golden import day, register
from ventanilla.access.actors import Actor, actor_for_user
from ventanilla.audit.models import AuditEntry
from ventanilla.core.errors import PermissionDenied, ValidationFailed
from ventanilla.merging.golden import golden_record
from ventanilla.merging.models import SourceTrust
from ventanilla.merging.selectors import source_trust_order
from ventanilla.merging.services import source_trust_set


@pytest.fixture
def supervisor(make_staff: Any) -> Actor:
    return actor_for_user(make_staff("jefa", "ayto", "supervisor"))


def ranked() -> list[str]:
    return list(SourceTrust.objects.order_by("rank").values_list("agency__code", flat=True))


def test_the_order_is_set_whole_most_trusted_first(supervisor: Actor, town: Any) -> None:
    SourceTrust.objects.create(agency=town["ayto"], rank=1)

    source_trust_set(actor=supervisor, agency_codes=["salud", "padron"])

    assert ranked() == ["salud", "padron"]
    order = source_trust_order()
    assert [a.code for a in order.ranked] == ["salud", "padron"]
    assert [a.code for a in order.unranked] == ["villanueva", "ayto", "urbanismo"]


def test_setting_the_order_is_audited_with_the_order_before_and_after(
    supervisor: Actor, town: Any
) -> None:
    source_trust_set(actor=supervisor, agency_codes=["padron"])

    source_trust_set(actor=supervisor, agency_codes=["salud", "padron"])

    entry = AuditEntry.objects.filter(action="source_trust.set").latest("at")
    assert entry.actor == "jefa"
    assert entry.detail == {"before": ["padron"], "after": ["salud", "padron"]}


def test_an_agent_may_not_set_the_order_and_the_refusal_is_recorded(
    make_staff: Any, town: Any
) -> None:
    agent = actor_for_user(make_staff("agente", "ayto", "agent"))
    SourceTrust.objects.create(agency=town["padron"], rank=1)

    with pytest.raises(PermissionDenied):
        source_trust_set(actor=agent, agency_codes=["salud"])

    assert ranked() == ["padron"]
    assert AuditEntry.objects.filter(action="access.denied", actor="agente").exists()
    assert not AuditEntry.objects.filter(action="source_trust.set").exists()


def test_an_unknown_agency_changes_nothing(supervisor: Actor, town: Any) -> None:
    source_trust_set(actor=supervisor, agency_codes=["padron", "salud"])

    with pytest.raises(ValidationFailed) as refused:
        source_trust_set(actor=supervisor, agency_codes=["salud", "hacienda", "padron"])

    assert "hacienda" in refused.value.message
    assert ranked() == ["padron", "salud"]
    assert AuditEntry.objects.filter(action="source_trust.set").count() == 1


def test_an_agency_given_twice_changes_nothing(supervisor: Actor, town: Any) -> None:
    source_trust_set(actor=supervisor, agency_codes=["padron"])

    with pytest.raises(ValidationFailed):
        source_trust_set(actor=supervisor, agency_codes=["salud", "salud"])

    assert ranked() == ["padron"]


def test_an_empty_order_trusts_every_register_alike(supervisor: Actor, town: Any) -> None:
    source_trust_set(actor=supervisor, agency_codes=["padron", "salud"])

    source_trust_set(actor=supervisor, agency_codes=[])

    assert ranked() == []


def test_the_order_set_decides_between_registers_verified_the_same_day(
    supervisor: Actor, town: Any
) -> None:
    party = make_party(supervisor)
    register(party, town["padron"], day("2025-03-12"), phone="+34600000001")
    register(party, town["salud"], day("2025-03-12"), phone="+34600000002")

    source_trust_set(actor=supervisor, agency_codes=["padron", "salud"])
    first = golden_record(party)["phone"].agency_name
    source_trust_set(actor=supervisor, agency_codes=["salud", "padron"])
    then = golden_record(party)["phone"].agency_name

    assert (first, then) == (town["padron"].name, town["salud"].name)
