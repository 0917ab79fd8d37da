"""The acts of a participatory budget, each in its phase, by residents of the right district;
the secret vote within the district's money, once per resident."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.db import connection

from tests.budgets.conftest import EUR, OPERATOR, ballots_cast, move_to, resident_of
from ventanilla.access.actors import Actor, actor_for_citizen
from ventanilla.audit.models import AuditEntry
from ventanilla.budgets.models import Ballot, Budget, Phase, Project, ProjectSupport, Voter
from ventanilla.budgets.selectors import has_voted
from ventanilla.budgets.services import (
    budget_phase_advance,
    budget_vote,
    district_amount_set,
    project_execution_update,
    project_propose,
    project_review,
    project_support,
    voter_hash,
)
from ventanilla.core.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from ventanilla.interactions.models import Interaction
from ventanilla.merging.services import party_merge

pytestmark = pytest.mark.django_db


def test_a_resident_proposes_for_their_own_district_in_the_proposals_phase(
    budget: Budget, make_resident: Callable[..., Actor]
) -> None:
    citizen = make_resident("Norte")

    project = project_propose(
        actor=citizen, budget_id=budget.pk, district="", title="Huerto", description="Un huerto"
    )

    assert project.district.district == "Norte"
    assert str(project.proposed_by_id) == citizen.party_id
    assert project.review == Project.Review.PENDING
    contact = Interaction.objects.get(party_id=citizen.party_id)
    assert contact.relationship == Interaction.Relationship.PARTICIPATION


def test_a_proposal_for_another_district_or_out_of_phase_is_refused(
    budget: Budget, make_resident: Callable[..., Actor]
) -> None:
    citizen = make_resident("Norte")
    with pytest.raises(ValidationFailed) as refused:
        project_propose(
            actor=citizen, budget_id=budget.pk, district="Centro", title="X", description="Y"
        )
    assert "Norte" in refused.value.errors["budget"]
    move_to(budget, Phase.SUPPORTS)
    with pytest.raises(ValidationFailed):
        project_propose(actor=citizen, budget_id=budget.pk, district="", title="X", description="Y")
    assert not Project.objects.exists()


def test_non_residents_and_minors_do_not_take_part_where_residents_only(
    budget: Budget, actor: Actor
) -> None:
    from tests.factories import make_party

    outsider = actor_for_citizen(make_party(actor, birth_date=date(1980, 1, 1)))
    minor = actor_for_citizen(resident_of(actor, "Centro", birth_date=date(2020, 1, 1)))
    for who in (outsider, minor):
        with pytest.raises(ValidationFailed):
            project_propose(actor=who, budget_id=budget.pk, district="", title="X", description="Y")
    assert not Project.objects.exists()


def test_review_needs_a_cost_when_feasible_and_a_reason_when_not(
    projects: dict[str, Project],
) -> None:
    project = projects["parque"]
    with pytest.raises(ValidationFailed) as no_cost:
        project_review(actor=OPERATOR, project_id=project.pk, feasible=True, cost_cents=None)
    assert "cost" in no_cost.value.errors
    with pytest.raises(ValidationFailed) as no_reason:
        project_review(actor=OPERATOR, project_id=project.pk, feasible=False, reason=" ")
    assert "reason" in no_reason.value.errors
    assert projects["piscina"].review == Project.Review.NOT_FEASIBLE
    assert projects["piscina"].review_reason == "No"


def test_a_citizen_cannot_review_or_move_the_phase(
    budget: Budget, projects: dict[str, Project], make_resident: Callable[..., Actor]
) -> None:
    citizen = make_resident("Centro")
    with pytest.raises(PermissionDenied):
        project_review(actor=citizen, project_id=projects["parque"].pk, feasible=False, reason="x")
    with pytest.raises(PermissionDenied):
        budget_phase_advance(actor=citizen, budget_id=budget.pk, to_phase=Phase.REVIEW)
    budget.refresh_from_db()
    assert budget.phase == Phase.PROPOSALS


def test_the_phase_moves_forward_one_step_at_a_time_and_is_audited(
    budget: Budget, projects: dict[str, Project]
) -> None:
    with pytest.raises(InvalidTransition):
        budget_phase_advance(actor=OPERATOR, budget_id=budget.pk, to_phase=Phase.VOTING)

    moved = budget_phase_advance(actor=OPERATOR, budget_id=budget.pk, to_phase=Phase.REVIEW)

    assert moved.phase == Phase.REVIEW
    entry = AuditEntry.objects.filter(action="budget.change").order_by("-id").first()
    assert entry is not None
    assert entry.detail == {"change": "phase", "from": "proposals", "to": "review"}
    with pytest.raises(InvalidTransition):  # a second click on the same button
        budget_phase_advance(actor=OPERATOR, budget_id=budget.pk, to_phase=Phase.REVIEW)


def test_district_money_is_fixed_once_voting_opens(voting: Budget) -> None:
    with pytest.raises(ValidationFailed):
        district_amount_set(
            actor=OPERATOR, budget_id=voting.pk, district="Centro", amount_cents=1 * EUR
        )


def test_a_resident_supports_a_feasible_project_of_their_district_once(
    budget: Budget, projects: dict[str, Project], make_resident: Callable[..., Actor]
) -> None:
    citizen = make_resident("Centro")
    with pytest.raises(ValidationFailed):  # not the supports phase yet
        project_support(actor=citizen, project_id=projects["parque"].pk)
    move_to(budget, Phase.SUPPORTS)

    project_support(actor=citizen, project_id=projects["parque"].pk)

    with pytest.raises(Conflict):
        project_support(actor=citizen, project_id=projects["parque"].pk)
    with pytest.raises(ValidationFailed):  # another district
        project_support(actor=citizen, project_id=projects["carril"].pk)
    with pytest.raises(ValidationFailed):  # not feasible
        project_support(actor=citizen, project_id=projects["piscina"].pk)
    projects["parque"].refresh_from_db()
    assert projects["parque"].supports == 1
    assert ProjectSupport.objects.count() == 1


def test_a_vote_keeps_a_ballot_that_names_no_one_and_a_voter_hash(
    voting: Budget, projects: dict[str, Project], make_resident: Callable[..., Actor]
) -> None:
    citizen = make_resident("Centro")

    ballot = budget_vote(
        actor=citizen,
        budget_id=voting.pk,
        project_ids=[projects["parque"].pk, projects["bancos"].pk],
    )

    assert ballot.district.district == "Centro"
    assert ballot.project_ids == sorted([str(projects["parque"].pk), str(projects["bancos"].pk)])
    assert Voter.objects.get(budget=voting).voter == voter_hash(
        budget_id=voting.pk, party_id=citizen.party_id
    )
    took_part = Interaction.objects.get(party_id=citizen.party_id)
    assert "Parque" not in took_part.summary and "Bancos" not in took_part.summary
    assert "votación" in took_part.summary  # in the installation's language


def test_the_ballot_table_has_no_link_to_a_person_and_no_time() -> None:
    columns = {f.column for f in Ballot._meta.concrete_fields}
    assert columns == {"id", "budget_id", "district_id", "project_ids"}
    with connection.cursor() as cursor:
        described = connection.introspection.get_table_description(cursor, Ballot._meta.db_table)
    assert {c.name for c in described} == columns
    relations = {f.related_model for f in Ballot._meta.get_fields() if f.is_relation}
    assert relations == {Budget, Ballot._meta.get_field("district").related_model}
    assert {f.column for f in Voter._meta.concrete_fields} == {"id", "budget_id", "voter"}


def test_a_second_vote_of_the_same_resident_is_refused(
    voting: Budget, projects: dict[str, Project], make_resident: Callable[..., Actor]
) -> None:
    citizen = make_resident("Centro")
    budget_vote(actor=citizen, budget_id=voting.pk, project_ids=[projects["fuente"].pk])
    with pytest.raises(Conflict):
        budget_vote(actor=citizen, budget_id=voting.pk, project_ids=[projects["bancos"].pk])
    assert ballots_cast() == 1


def test_a_record_merged_after_voting_does_not_let_the_same_person_vote_again(
    voting: Budget, projects: dict[str, Project], actor: Actor
) -> None:
    first = resident_of(actor, "Centro", given_name="Ana")
    second = resident_of(actor, "Centro", given_name="Ana María")
    budget_vote(
        actor=actor_for_citizen(first), budget_id=voting.pk, project_ids=[projects["fuente"].pk]
    )
    party_merge(actor=OPERATOR, survivor_id=second.pk, merged_id=first.pk, reason="La misma")
    # The vote page knows it too: it offers no ballot to be refused.
    assert has_voted(actor=actor_for_citizen(second), budget=voting)

    with pytest.raises(Conflict):
        budget_vote(
            actor=actor_for_citizen(second),
            budget_id=voting.pk,
            project_ids=[projects["bancos"].pk],
        )
    assert ballots_cast() == 1


def test_a_choice_over_the_districts_money_is_refused(
    voting: Budget, projects: dict[str, Project], make_resident: Callable[..., Actor]
) -> None:
    citizen = make_resident("Centro")
    with pytest.raises(ValidationFailed) as refused:
        budget_vote(
            actor=citizen,
            budget_id=voting.pk,
            project_ids=[projects["parque"].pk, projects["bancos"].pk, projects["fuente"].pk],
        )
    # In the reader's language: Spanish groups thousands with a (non-breaking) space.
    assert "110\xa0000 €" in refused.value.errors["projects"]
    assert "100\xa0000 €" in refused.value.errors["projects"]
    assert not ballots_cast() and not Voter.objects.exists()


@pytest.mark.parametrize(
    ("chosen", "told"),
    [
        (["carril"], "Elija solo proyectos viables de su distrito, Centro."),
        (["fuente", "piscina"], "Elija solo proyectos viables de su distrito, Centro."),
        ([], "Elija al menos un proyecto."),
        (["fuente", "not-a-uuid"], "Elija entre los proyectos mostrados."),
    ],
    ids=["other district", "one not feasible", "nothing", "garbage"],
)
def test_a_ballot_holds_only_feasible_projects_of_the_voters_district(
    voting: Budget,
    projects: dict[str, Project],
    make_resident: Callable[..., Actor],
    chosen: list[str],
    told: str,
) -> None:
    citizen = make_resident("Centro")
    ids: list[Any] = [projects[name].pk if name in projects else name for name in chosen]
    with pytest.raises(ValidationFailed) as refused:
        budget_vote(actor=citizen, budget_id=voting.pk, project_ids=ids)
    assert refused.value.errors == {"projects": told}
    assert not ballots_cast()


def test_only_residents_vote_and_outside_the_voting_phase_no_one(
    budget: Budget, projects: dict[str, Project], make_resident: Callable[..., Actor], actor: Actor
) -> None:
    citizen = make_resident("Centro")
    with pytest.raises(ValidationFailed):
        budget_vote(actor=citizen, budget_id=budget.pk, project_ids=[projects["fuente"].pk])
    move_to(budget, Phase.VOTING)
    from tests.factories import make_party

    outsider = actor_for_citizen(make_party(actor, birth_date=date(1980, 1, 1)))
    with pytest.raises(ValidationFailed):
        budget_vote(actor=outsider, budget_id=budget.pk, project_ids=[projects["fuente"].pk])
    with pytest.raises(PermissionDenied):
        budget_vote(actor=OPERATOR, budget_id=budget.pk, project_ids=[projects["fuente"].pk])
    assert not ballots_cast()


def test_execution_follow_up_comes_after_the_results(
    voting: Budget, projects: dict[str, Project]
) -> None:
    project = projects["parque"]
    with pytest.raises(ValidationFailed):
        project_execution_update(actor=OPERATOR, project_id=project.pk, execution="in_progress")
    move_to(voting, Phase.EXECUTION)

    updated = project_execution_update(
        actor=OPERATOR, project_id=project.pk, execution="in_progress", note="Obras en marzo"
    )

    assert updated.execution == Project.Execution.IN_PROGRESS
    assert updated.execution_note == "Obras en marzo"


def test_the_registers_district_in_other_letters_votes_in_its_district(
    voting: Budget, projects: dict[str, Project], actor: Actor
) -> None:
    # The register writes "CENTRO"; the budget's money is for "Centro".
    citizen = actor_for_citizen(resident_of(actor, "CENTRO"))

    ballot = budget_vote(actor=citizen, budget_id=voting.pk, project_ids=[projects["fuente"].pk])

    assert ballot.district.district == "Centro"
    assert ballots_cast() == 1
