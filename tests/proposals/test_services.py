"""Publishing, supporting and answering proposals, and citing the cases that show a problem."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone
from freezegun import freeze_time

from tests.factories import make_party
from tests.proposals.conftest import publish
from ventanilla.access.actors import Actor, actor_for_user
from ventanilla.audit.models import AuditEntry
from ventanilla.cases.models import Case, CaseStatus
from ventanilla.cases.services import case_open
from ventanilla.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from ventanilla.events.models import Event
from ventanilla.interactions.models import Interaction
from ventanilla.notifications.models import Notification, NotificationEvent
from ventanilla.proposals.models import Proposal, ProposalEvidence, Support
from ventanilla.proposals.selectors import Evidence, evidence_of, proposals_to_answer
from ventanilla.proposals.services import (
    proposal_answer,
    proposal_cite_cases,
    proposal_support,
    proposal_withdraw,
)

pytestmark = pytest.mark.django_db


def test_a_resident_publishes_a_proposal_that_goes_on_their_history(
    author: Actor, town: Any
) -> None:
    proposal = publish(author, town)

    assert proposal.status == Proposal.Status.PUBLISHED
    assert str(proposal.author_id) == author.party_id
    contact = Interaction.objects.get(party_id=author.party_id)
    assert contact.relationship == Interaction.Relationship.PARTICIPATION
    assert "Más sombra en la plaza" in contact.summary


def test_only_registered_adult_residents_publish_or_support(
    registrar: Actor, make_resident: Callable[..., Actor], proposal: Proposal, town: Any
) -> None:
    teen = make_resident(birth_date=timezone.localdate() - timedelta(days=365 * 12))
    with pytest.raises(ValidationFailed) as refused:
        proposal_support(actor=teen, proposal_id=proposal.pk)
    assert "16" in refused.value.errors["proposal"]
    with pytest.raises(PermissionDenied):
        proposal_support(actor=registrar, proposal_id=proposal.pk)
    with pytest.raises(PermissionDenied):
        publish(Actor(label="anonymous"), town)
    assert Support.objects.count() == 0


def test_a_support_counts_once_and_goes_on_the_supporters_history(
    make_resident: Callable[..., Actor], proposal: Proposal
) -> None:
    neighbour = make_resident()

    counted = proposal_support(actor=neighbour, proposal_id=proposal.pk)
    with pytest.raises(Conflict) as again:
        proposal_support(actor=neighbour, proposal_id=proposal.pk)

    assert counted.supports_count == 1
    # The proposal given back is the one supported, its fields all there to read.
    assert (counted.pk, counted.agency_id) == (proposal.pk, proposal.agency_id)
    assert (counted.title, counted.summary) == (proposal.title, proposal.summary)
    assert str(again.value.message) == "Ya apoya esta propuesta."  # in the default language
    proposal.refresh_from_db()
    assert proposal.supports_count == 1 == Support.objects.filter(proposal=proposal).count()
    contact = Interaction.objects.get(party_id=neighbour.party_id)
    assert contact.relationship == Interaction.Relationship.PARTICIPATION
    assert contact.summary.startswith("Apoyó la propuesta")
    heard = Event.objects.get(type__endswith="interaction.recorded", party_id=neighbour.party_id)
    assert heard.data["agency"] == proposal.agency.code


@override_settings(VENTANILLA_PROPOSAL_SUPPORTS_NEEDED=3, VENTANILLA_PROPOSAL_ANSWER_DAYS=90)
def test_the_support_that_reaches_the_threshold_sets_the_answers_due_date(
    make_resident: Callable[..., Actor], proposal: Proposal
) -> None:
    with freeze_time("2026-03-01 10:00:00"):
        proposal_support(actor=make_resident(), proposal_id=proposal.pk)
        second = proposal_support(actor=make_resident(), proposal_id=proposal.pk)
    assert second.threshold_reached_at is None and second.answer_due is None

    with freeze_time("2026-03-02 10:00:00"):
        third = proposal_support(actor=make_resident(), proposal_id=proposal.pk)
    with freeze_time("2026-03-20 10:00:00"):
        fourth = proposal_support(actor=make_resident(), proposal_id=proposal.pk)

    assert third.answer_due == date(2026, 3, 2) + timedelta(days=90)
    assert fourth.supports_count == 4
    assert fourth.answer_due == third.answer_due  # reaching it again moves nothing
    assert fourth.threshold_reached_at == third.threshold_reached_at


def test_the_answer_is_recorded_audited_and_told_to_author_and_supporters(
    make_resident: Callable[..., Actor], author: Actor, proposal: Proposal, supervisor: Actor
) -> None:
    supporters = [make_resident(), make_resident()]
    for supporter in supporters:
        proposal_support(actor=supporter, proposal_id=proposal.pk)
    proposal_support(actor=author, proposal_id=proposal.pk)  # told once, not twice

    answered = proposal_answer(
        actor=supervisor,
        proposal_id=proposal.pk,
        decision=Proposal.Decision.PARTLY,
        text="Plantaremos diez árboles este otoño.",
    )

    assert answered.status == Proposal.Status.ANSWERED
    assert answered.answered_by_label == "jefa"
    assert AuditEntry.objects.filter(action="proposal.answer", object_id=str(proposal.pk)).exists()
    told = Notification.objects.filter(event=NotificationEvent.PARTICIPATION)
    people = {str(n.party_id) for n in told}
    assert people == {author.party_id, *(s.party_id for s in supporters)}
    email = told.filter(medium="email").first()
    assert email is not None
    assert f"/portal/proposals/{proposal.pk}/" in email.body
    assert "Aceptada en parte" in email.body
    with pytest.raises(ValidationFailed):
        proposal_support(actor=make_resident(), proposal_id=proposal.pk)
    with pytest.raises(Conflict):
        proposal_answer(
            actor=supervisor, proposal_id=proposal.pk, decision="accepted", text="Otra vez."
        )


def test_an_answer_needs_the_scope_a_decision_and_words(
    actor: Actor, proposal: Proposal, supervisor: Actor
) -> None:
    with pytest.raises(PermissionDenied):
        proposal_answer(actor=actor, proposal_id=proposal.pk, decision="accepted", text="Sí.")
    with pytest.raises(ValidationFailed) as refused:
        proposal_answer(actor=supervisor, proposal_id=proposal.pk, decision="maybe", text=" ")
    assert set(refused.value.errors) == {"decision", "answer"}
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.PUBLISHED


def test_staff_of_another_agency_do_not_see_the_proposal(
    make_staff: Callable[..., Any], proposal: Proposal
) -> None:
    elsewhere = actor_for_user(make_staff("otra", "salud", "supervisor"))
    with pytest.raises(NotFound):
        proposal_answer(actor=elsewhere, proposal_id=proposal.pk, decision="accepted", text="Sí.")
    assert proposals_to_answer(actor=elsewhere) == []


@override_settings(VENTANILLA_PROPOSAL_SUPPORTS_NEEDED=1)
def test_the_console_lists_those_due_first_soonest_first(
    author: Actor, make_resident: Callable[..., Actor], supervisor: Actor, town: Any
) -> None:
    quiet = publish(author, town, title="Sin apoyos")
    with freeze_time("2026-01-10"):
        later = publish(author, town, title="Vence después")
        proposal_support(actor=make_resident(), proposal_id=later.pk)
    with freeze_time("2026-01-05"):
        sooner = publish(author, town, title="Vence antes")
        proposal_support(actor=make_resident(), proposal_id=sooner.pk)

    assert [p.title for p in proposals_to_answer(actor=supervisor)] == [
        sooner.title,
        later.title,
        quiet.title,
    ]


def test_cited_cases_are_counted_by_how_they_are_going(
    actor: Actor, proposal: Proposal, supervisor: Actor, service: Any
) -> None:
    someone = make_party(actor)
    opened = [
        case_open(
            actor=actor,
            party_id=someone.pk,
            service_code=service.code,
            channel="desk",
            district=district,
        )
        for district in ["Centro", "Centro", "Centro", "Norte"]
    ]
    Case.objects.filter(pk=opened[1].pk).update(status=CaseStatus.IN_PROGRESS)
    Case.objects.filter(pk=opened[2].pk).update(status=CaseStatus.RESOLVED)

    proposal_cite_cases(
        actor=supervisor, proposal_id=proposal.pk, service_id=service.pk, district="centro"
    )
    [figures] = evidence_of(proposal)

    assert (figures.waiting, figures.in_progress, figures.resolved) == (1, 1, 1)
    assert figures.total == 3
    assert AuditEntry.objects.filter(action="proposal.evidence").count() == 1
    with pytest.raises(PermissionDenied):
        proposal_cite_cases(actor=actor, proposal_id=proposal.pk, service_id=service.pk)


@pytest.mark.parametrize(
    ("counts", "shown"),
    [
        ((6, 7, 8, 9), (6, 7, 8, 9, 30)),
        ((0, 7, 8, 0), (0, 7, 8, 0, 15)),
        # One small count alone would follow from the total: the smallest other goes too.
        ((2, 7, 8, 9), (None, None, 8, 9, 26)),
        ((2, 3, 8, 9), (None, None, 8, 9, 22)),
        # Too few in all: nothing but that.
        ((1, 0, 2, 0), (None, None, None, None, None)),
        ((0, 0, 0, 0), (0, 0, 0, 0, 0)),
    ],
)
def test_published_counts_hide_the_small_ones_and_what_would_reveal_them(
    proposal: Proposal, counts: tuple[int, int, int, int], shown: tuple[Any, ...]
) -> None:
    citation = ProposalEvidence(proposal=proposal)
    figures = Evidence(citation, *counts).published(threshold=5)
    published = (
        figures.waiting,
        figures.in_progress,
        figures.resolved,
        figures.closed_otherwise,
        figures.total,
    )
    assert published == shown
    # Only the counts that are small read "fewer than"; one hidden to protect them may be large.
    names = ("waiting", "in_progress", "resolved", "closed_otherwise")
    if 0 < sum(counts) < 5:
        assert figures.small == {*names, "total"}
    else:
        assert figures.small == {n for n, c in zip(names, counts, strict=True) if 0 < c < 5}


def test_cases_opened_before_the_date_given_are_not_cited(
    actor: Actor, proposal: Proposal, supervisor: Actor, service: Any
) -> None:
    someone = make_party(actor)
    with freeze_time("2025-01-10 10:00:00"):
        case_open(actor=actor, party_id=someone.pk, service_code=service.code, channel="desk")
    case_open(actor=actor, party_id=someone.pk, service_code=service.code, channel="desk")

    proposal_cite_cases(
        actor=supervisor,
        proposal_id=proposal.pk,
        service_id=service.pk,
        since=timezone.localdate() - timedelta(days=30),
    )

    assert [f.total for f in evidence_of(proposal)] == [1]


def test_the_author_withdraws_and_the_supporters_are_told(
    make_resident: Callable[..., Actor], author: Actor, proposal: Proposal, supervisor: Actor
) -> None:
    supporters = [make_resident(), make_resident()]
    for supporter in supporters:
        proposal_support(actor=supporter, proposal_id=proposal.pk)
    with pytest.raises(NotFound):  # only the author withdraws
        proposal_withdraw(actor=supporters[0], proposal_id=proposal.pk)
    with pytest.raises(PermissionDenied):
        proposal_withdraw(actor=supervisor, proposal_id=proposal.pk)

    with pytest.raises(ValidationFailed):  # a reason of at most 1,000 characters
        proposal_withdraw(actor=author, proposal_id=proposal.pk, reason="x" * 1001)

    withdrawn = proposal_withdraw(
        actor=author, proposal_id=proposal.pk, reason="  El ayuntamiento ya lo ha hecho.  "
    )

    assert withdrawn.status == Proposal.Status.WITHDRAWN
    assert withdrawn.withdrawal_reason == "El ayuntamiento ya lo ha hecho."
    entry = AuditEntry.objects.get(action="proposal.withdraw", object_id=str(proposal.pk))
    assert str(entry.party_id) == author.party_id
    assert entry.detail == {"supports": 2, "reason_given": True}
    told = Notification.objects.filter(event=NotificationEvent.PARTICIPATION, medium="email")
    assert {str(n.party_id) for n in told} == {s.party_id for s in supporters}
    assert all("Más sombra en la plaza" in n.body for n in told)
    assert all("El ayuntamiento ya lo ha hecho." in n.body for n in told)
    assert (
        Interaction.objects.filter(
            party_id=author.party_id, summary__startswith="Withdrew the proposal"
        ).exists()
        or Interaction.objects.filter(
            party_id=author.party_id, summary__startswith="Retiró la propuesta"
        ).exists()
    )
    with pytest.raises(NotFound):
        proposal_support(actor=make_resident(), proposal_id=proposal.pk)
    with pytest.raises(NotFound):  # once is enough
        proposal_withdraw(actor=author, proposal_id=proposal.pk)


def test_an_answered_proposal_cannot_be_withdrawn(
    author: Actor, proposal: Proposal, supervisor: Actor
) -> None:
    proposal_answer(
        actor=supervisor, proposal_id=proposal.pk, decision="rejected", text="No hay presupuesto."
    )
    with pytest.raises(Conflict):
        proposal_withdraw(actor=author, proposal_id=proposal.pk)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.ANSWERED
