"""Merging two records of one person moves every row to the survivor, and undoing it gives back
exactly what was there; both are allowed to supervisors and administrators, and audited."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db.models import ForeignObjectRel
from django.utils import translation

from tests.factories import make_party
from tests.merging.dump import dump_of
from ventanilla.access.actors import Actor, actor_for_citizen, actor_for_user
from ventanilla.audit.models import AuditEntry
from ventanilla.cases.models import Case
from ventanilla.cases.services import case_open
from ventanilla.catalog.models import PublicService
from ventanilla.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from ventanilla.interactions.services import interaction_record
from ventanilla.merging.models import MergeRecord
from ventanilla.merging.services import RELATIONS, party_merge, party_unmerge
from ventanilla.parties.models import ContactPoint, Party, ProfileAttribute, Representation
from ventanilla.parties.services import ContactPointInput
from ventanilla.privacy.selectors import disclosures_of_party


@pytest.fixture
def supervisor(make_staff: Any) -> Actor:
    return actor_for_user(make_staff("jefa", "ayto", "supervisor"))


def test_every_relation_to_a_party_says_whether_a_merge_moves_it() -> None:
    relations = {
        f"{relation.related_model._meta.label}.{relation.field.name}"
        for relation in Party._meta.get_fields(include_hidden=True)
        if isinstance(relation, ForeignObjectRel)
    }

    undeclared = sorted(relations - set(RELATIONS))
    stale = sorted(set(RELATIONS) - relations)
    assert not undeclared, f"say in merging/services.py what a merge does with: {undeclared}"
    assert not stale, f"these no longer point at a party: {stale}"
    assert all(relation.why.strip() for relation in RELATIONS.values())


def test_a_merge_moves_cases_and_interactions_and_keeps_the_case_reference(
    supervisor: Actor, service: PublicService
) -> None:
    survivor, duplicate = make_party(supervisor), make_party(supervisor)
    case = case_open(
        actor=supervisor, party_id=duplicate.pk, service_code=service.code, channel="desk"
    )
    interaction_record(
        actor=supervisor, party_id=duplicate.pk, channel="phone", summary="Pregunta por la obra"
    )

    party_merge(
        actor=supervisor, survivor_id=survivor.pk, merged_id=duplicate.pk, reason="Mismo DNI"
    )

    moved = Case.objects.get(reference=case.reference)
    assert moved.party_id == survivor.pk
    assert duplicate.interactions.count() == 0
    assert survivor.interactions.filter(summary="Pregunta por la obra").exists()
    duplicate.refresh_from_db()
    assert duplicate.status == Party.Status.MERGED
    assert duplicate.merged_into_id == survivor.pk


def test_the_same_email_on_both_records_stays_behind_and_comes_back_on_undo(
    supervisor: Actor,
) -> None:
    shared = [ContactPointInput(kind="email", value="ana@example.org", preferred=True)]
    survivor = make_party(supervisor, contact_points=shared)
    duplicate = make_party(supervisor, contact_points=shared)
    before = dump_of(survivor, duplicate)

    party_merge(
        actor=supervisor, survivor_id=survivor.pk, merged_id=duplicate.pk, reason="Mismo correo"
    )

    emails = ContactPoint.objects.filter(party=survivor, normalized="ana@example.org")
    assert emails.count() == 1
    party_unmerge(actor=supervisor, merged_id=duplicate.pk)
    assert dump_of(survivor, duplicate) == before


def test_a_moved_preferred_phone_is_no_longer_preferred_until_the_merge_is_undone(
    supervisor: Actor,
) -> None:
    survivor = make_party(
        supervisor, contact_points=[ContactPointInput("phone", "612345678", preferred=True)]
    )
    duplicate = make_party(
        supervisor, contact_points=[ContactPointInput("phone", "698765432", preferred=True)]
    )

    party_merge(actor=supervisor, survivor_id=survivor.pk, merged_id=duplicate.pk, reason="Ella")

    assert survivor.contact_points.filter(preferred=True).count() == 1
    party_unmerge(actor=supervisor, merged_id=duplicate.pk)
    assert duplicate.contact_points.get().preferred


def test_a_representation_between_the_two_records_is_not_turned_into_acting_for_oneself(
    supervisor: Actor,
) -> None:
    survivor, duplicate = make_party(supervisor), make_party(supervisor)
    Representation.objects.create(
        representative=duplicate,
        represented=survivor,
        kind="authorised_person",
        valid_from=date(2024, 1, 1),
    )

    party_merge(actor=supervisor, survivor_id=survivor.pk, merged_id=duplicate.pk, reason="Ella")

    assert Representation.objects.get().representative_id == duplicate.pk


def test_undoing_a_merge_leaves_with_the_survivor_what_was_added_since(
    supervisor: Actor,
) -> None:
    survivor, duplicate = make_party(supervisor), make_party(supervisor)
    interaction_record(actor=supervisor, party_id=duplicate.pk, channel="phone", summary="Antes")
    party_merge(actor=supervisor, survivor_id=survivor.pk, merged_id=duplicate.pk, reason="Ella")
    interaction_record(actor=supervisor, party_id=survivor.pk, channel="phone", summary="Después")

    party_unmerge(actor=supervisor, merged_id=duplicate.pk)

    assert [i.summary for i in survivor.interactions.all()] == ["Después"]
    assert [i.summary for i in duplicate.interactions.all()] == ["Antes"]
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into_id) == (Party.Status.ACTIVE, None)


def test_a_fact_both_records_hold_keeps_the_survivors_value(supervisor: Actor) -> None:
    survivor, duplicate = make_party(supervisor), make_party(supervisor)
    ProfileAttribute.objects.create(party=survivor, name="occupation", value="docente")
    ProfileAttribute.objects.create(party=duplicate, name="occupation", value="maestra")

    party_merge(actor=supervisor, survivor_id=survivor.pk, merged_id=duplicate.pk, reason="Ella")

    assert survivor.attributes.get(name="occupation").value == "docente"


def test_a_front_line_agent_may_not_merge_and_nothing_changes(
    actor: Actor, supervisor: Actor
) -> None:
    survivor, duplicate = make_party(supervisor), make_party(supervisor)
    before = dump_of(survivor, duplicate)

    with pytest.raises(PermissionDenied):
        party_merge(actor=actor, survivor_id=survivor.pk, merged_id=duplicate.pk, reason="Ella")

    assert dump_of(survivor, duplicate) == before
    assert not MergeRecord.objects.exists()


def test_a_merge_needs_a_reason_and_two_different_active_records(supervisor: Actor) -> None:
    survivor, duplicate = make_party(supervisor), make_party(supervisor)

    with pytest.raises(ValidationFailed):
        party_merge(actor=supervisor, survivor_id=survivor.pk, merged_id=duplicate.pk, reason="")
    with pytest.raises(ValidationFailed):
        party_merge(actor=supervisor, survivor_id=survivor.pk, merged_id=survivor.pk, reason="Sí")
    party_merge(actor=supervisor, survivor_id=survivor.pk, merged_id=duplicate.pk, reason="Ella")
    with pytest.raises(Conflict):
        party_merge(
            actor=supervisor, survivor_id=survivor.pk, merged_id=duplicate.pk, reason="Otra vez"
        )


def test_a_record_not_merged_cannot_be_unmerged(supervisor: Actor) -> None:
    party = make_party(supervisor)

    with pytest.raises(NotFound):
        party_unmerge(actor=supervisor, merged_id=party.pk)


def test_records_merged_earlier_into_the_merged_one_follow_it_and_come_back(
    supervisor: Actor,
) -> None:
    first, second, third = (make_party(supervisor) for _ in range(3))
    party_merge(actor=supervisor, survivor_id=second.pk, merged_id=third.pk, reason="Ella")

    party_merge(actor=supervisor, survivor_id=first.pk, merged_id=second.pk, reason="Ella")
    third.refresh_from_db()
    assert third.merged_into_id == first.pk
    party_unmerge(actor=supervisor, merged_id=second.pk)
    third.refresh_from_db()
    assert third.merged_into_id == second.pk


def test_merge_and_undo_are_in_the_audit_log_of_both_people(supervisor: Actor) -> None:
    survivor, duplicate = make_party(supervisor), make_party(supervisor)

    party_merge(actor=supervisor, survivor_id=survivor.pk, merged_id=duplicate.pk, reason="Ella")
    party_unmerge(actor=supervisor, merged_id=duplicate.pk)

    for party in (survivor, duplicate):
        actions = list(
            AuditEntry.objects.filter(party_id=party.pk, object_type="merge")
            .order_by("id")
            .values_list("action", flat=True)
        )
        assert actions == ["party.merge", "party.unmerge"]


def test_each_persons_disclosure_log_says_in_words_that_their_records_were_merged(
    supervisor: Actor,
) -> None:
    survivor, duplicate = make_party(supervisor), make_party(supervisor)

    party_merge(actor=supervisor, survivor_id=survivor.pk, merged_id=duplicate.pk, reason="Ella")

    with translation.override("es"):
        shown = disclosures_of_party(actor=actor_for_citizen(survivor)).items
    merge = next(item for item in shown if item.action == "party.merge")
    assert merge.what == "Unió en uno dos registros de la misma persona"
    assert merge.who == "Supervisor"
