"""Taking part in a debate and moderating it: comments and replies on the person's history, the
residents' rule, reports once, hiding with a reason by a moderator only, what the author and
the others then read, and the author's one appeal."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.debates.conftest import citizen, resident_of
from tests.factories import make_party
from ventanilla.access.actors import Actor
from ventanilla.audit.models import AuditEntry
from ventanilla.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from ventanilla.debates.models import Appeal, Comment, Debate, Report
from ventanilla.debates.selectors import moderation_queue, thread_of
from ventanilla.debates.services import (
    appeal_decide,
    comment_appeal,
    comment_hide,
    comment_post,
    comment_report,
    debate_close,
    debate_open,
)
from ventanilla.interactions.models import Interaction
from ventanilla.notifications.models import Notification
from ventanilla.parties.models import Party

pytestmark = pytest.mark.django_db


def post(party: Party, debate: Debate, body: str = "Sí, con más terrazas.", **kw: Any) -> Comment:
    return comment_post(actor=citizen(party), subject=debate.subject, body=body, **kw)


def test_a_comment_goes_on_the_citizens_history_as_participation(
    debate: Debate, author: Party
) -> None:
    comment = post(author, debate)
    assert comment.depth == 0 and comment.author == author
    contact = Interaction.objects.get(party=author)
    assert contact.relationship == Interaction.Relationship.PARTICIPATION
    assert "Peatonalizar la calle Mayor" in contact.summary


def test_replies_nest_two_levels_and_then_stay_flat(
    debate: Debate, author: Party, other: Party
) -> None:
    top = post(author, debate)
    reply = post(other, debate, "No", parent_id=top.pk)
    deeper = post(author, debate, "¿Por qué?", parent_id=reply.pk)
    deepest = post(other, debate, "Por el ruido", parent_id=deeper.pk)
    assert (reply.depth, deeper.depth, deepest.depth) == (1, 2, 2)
    assert deepest.parent_id == reply.pk
    thread = thread_of(subject=debate.subject, viewer=None)
    assert thread.count == 4
    [root] = thread.comments
    assert [e.body for e in root.replies[0].replies] == ["¿Por qué?", "Por el ruido"]


def test_a_reply_at_the_last_level_is_refused_when_the_comment_it_joins_is_hidden(
    debate: Debate, author: Party, other: Party, moderator: Actor
) -> None:
    top = post(author, debate)
    reply = post(other, debate, "No", parent_id=top.pk)
    deeper = post(author, debate, "¿Por qué?", parent_id=reply.pk)
    comment_hide(actor=moderator, comment_id=reply.pk, reason="Insultos")
    with pytest.raises(ValidationFailed):
        post(other, debate, "Por el ruido", parent_id=deeper.pk)
    assert Comment.objects.filter(parent=reply).count() == 1


def test_a_reply_must_be_to_a_comment_of_the_same_subject(
    debate: Debate, moderator: Actor, town: dict[str, Any], author: Party
) -> None:
    elsewhere = debate_open(actor=moderator, agency_id=town["ayto"].pk, title="Otro", body="…")
    foreign = post(author, elsewhere)
    with pytest.raises(ValidationFailed) as refused:
        post(author, debate, parent_id=foreign.pk)
    assert "parent" in refused.value.errors


def test_only_signed_in_citizens_comment_and_not_on_closed_debates(
    debate: Debate, moderator: Actor, author: Party
) -> None:
    with pytest.raises(PermissionDenied):
        comment_post(actor=moderator, subject=debate.subject, body="Hola")
    with pytest.raises(ValidationFailed):
        post(author, debate, "   ")
    with pytest.raises(NotFound):
        comment_post(actor=citizen(author), subject="debate:nothing", body="Hola")
    Debate.objects.filter(pk=debate.pk).update(
        opens_at=timezone.now() - timedelta(days=3), closes_at=timezone.now() - timedelta(days=1)
    )
    with pytest.raises(ValidationFailed):
        post(author, debate)
    assert not Comment.objects.exists()


def test_a_residents_only_debate_takes_comments_from_residents_of_its_district(
    moderator: Actor, agent: Actor, town: dict[str, Any], author: Party
) -> None:
    debate = debate_open(
        actor=moderator,
        agency_id=town["ayto"].pk,
        title="Plaza del Centro",
        body="…",
        district="Centro",
        residents_only=True,
    )
    with pytest.raises(ValidationFailed):
        post(author, debate)
    with pytest.raises(ValidationFailed):
        post(resident_of(agent, "Estación"), debate)
    assert post(resident_of(agent, "Centro"), debate).pk


def test_a_citizen_reports_a_comment_once(debate: Debate, author: Party, other: Party) -> None:
    comment = post(author, debate)
    comment_report(actor=citizen(other), comment_id=comment.pk, reason="offensive")
    with pytest.raises(Conflict):
        comment_report(actor=citizen(other), comment_id=comment.pk, reason="spam")
    with pytest.raises(ValidationFailed):
        comment_report(actor=citizen(author), comment_id=comment.pk, reason="spam")
    assert Report.objects.count() == 1


def test_hiding_needs_the_scope_and_a_reason(
    debate: Debate, author: Party, agent: Actor, moderator: Actor
) -> None:
    comment = post(author, debate)
    with pytest.raises(PermissionDenied):
        comment_hide(actor=agent, comment_id=comment.pk, reason="Insultos")
    with pytest.raises(ValidationFailed):
        comment_hide(actor=moderator, comment_id=comment.pk, reason="  ")
    comment.refresh_from_db()
    assert not comment.is_hidden
    comment_hide(actor=moderator, comment_id=comment.pk, reason="Insultos")
    comment.refresh_from_db()
    assert comment.is_hidden and comment.hidden_reason == "Insultos"
    assert AuditEntry.objects.filter(action="comment.moderate", object_id=str(comment.pk)).exists()


def test_a_moderator_of_another_agency_may_not_hide(
    debate: Debate, author: Party, make_staff: Any
) -> None:
    from ventanilla.access.actors import actor_for_user

    outsider = actor_for_user(make_staff("sanidad", "salud", "supervisor"))
    comment = post(author, debate)
    with pytest.raises(PermissionDenied):
        comment_hide(actor=outsider, comment_id=comment.pk, reason="Insultos")
    assert moderation_queue(actor=outsider).reported == []


def test_the_author_reads_the_reason_and_the_text_others_only_the_reason(
    debate: Debate, author: Party, other: Party, moderator: Actor
) -> None:
    comment = post(author, debate, "Texto ofensivo")
    comment_hide(actor=moderator, comment_id=comment.pk, reason="Falta al respeto")
    [mine] = thread_of(subject=debate.subject, viewer=citizen(author)).comments
    assert mine.hidden and mine.body == "Texto ofensivo" and mine.reason == "Falta al respeto"
    assert mine.may_appeal
    for viewer in (citizen(other), None):
        [theirs] = thread_of(subject=debate.subject, viewer=viewer).comments
        assert theirs.body == "" and theirs.reason == "Falta al respeto"
        assert not theirs.may_appeal


def test_the_author_is_told_of_the_hiding(debate: Debate, author: Party, moderator: Actor) -> None:
    comment = post(author, debate)
    comment_hide(actor=moderator, comment_id=comment.pk, reason="Datos personales")
    told = Notification.objects.filter(party=author, event="participation")
    assert told.exists()
    assert any("Datos personales" in n.body for n in told)


def test_only_the_author_appeals_a_hidden_comment_and_once(
    debate: Debate, author: Party, other: Party, moderator: Actor
) -> None:
    comment = post(author, debate)
    with pytest.raises(ValidationFailed):
        comment_appeal(actor=citizen(author), comment_id=comment.pk, text="Es justo")
    comment_hide(actor=moderator, comment_id=comment.pk, reason="Insultos")
    with pytest.raises(NotFound):
        comment_appeal(actor=citizen(other), comment_id=comment.pk, text="Es justo")
    comment_appeal(actor=citizen(author), comment_id=comment.pk, text="No insulté a nadie")
    with pytest.raises(Conflict):
        comment_appeal(actor=citizen(author), comment_id=comment.pk, text="Otra vez")
    assert Appeal.objects.count() == 1
    [mine] = thread_of(subject=debate.subject, viewer=citizen(author)).comments
    assert mine.appeal_status == "pending" and not mine.may_appeal


def test_an_upheld_appeal_shows_the_comment_again_and_tells_the_author(
    debate: Debate, author: Party, other: Party, moderator: Actor
) -> None:
    comment = post(author, debate, "Mi opinión")
    comment_hide(actor=moderator, comment_id=comment.pk, reason="Insultos")
    appeal = comment_appeal(actor=citizen(author), comment_id=comment.pk, text="No insulté")
    assert [w.appeal for w in moderation_queue(actor=moderator).appeals] == [appeal]
    before = Notification.objects.filter(party=author).count()
    appeal_decide(actor=moderator, appeal_id=appeal.pk, upheld=True, note="Tiene razón")
    [theirs] = thread_of(subject=debate.subject, viewer=citizen(other)).comments
    assert not theirs.hidden and theirs.body == "Mi opinión"
    assert Notification.objects.filter(party=author).count() > before
    assert moderation_queue(actor=moderator).appeals == []
    with pytest.raises(Conflict):
        appeal_decide(actor=moderator, appeal_id=appeal.pk, upheld=False)


def test_a_dismissed_appeal_keeps_the_comment_hidden(
    debate: Debate, author: Party, moderator: Actor
) -> None:
    comment = post(author, debate)
    comment_hide(actor=moderator, comment_id=comment.pk, reason="Insultos")
    appeal = comment_appeal(actor=citizen(author), comment_id=comment.pk, text="No")
    appeal_decide(actor=moderator, appeal_id=appeal.pk, upheld=False)
    comment.refresh_from_db()
    assert comment.is_hidden


def test_the_queue_puts_the_most_reported_first_with_their_reasons(
    debate: Debate, author: Party, other: Party, agent: Actor, moderator: Actor
) -> None:
    once = post(author, debate, "Una vez")
    twice = post(other, debate, "Dos veces")
    comment_report(actor=citizen(other), comment_id=once.pk, reason="spam")
    comment_report(actor=citizen(author), comment_id=twice.pk, reason="offensive", text="Insulta")
    third = resident_of(agent, "Centro")
    comment_report(actor=citizen(third), comment_id=twice.pk, reason="offensive")
    queue = moderation_queue(actor=moderator)
    assert [r.comment for r in queue.reported] == [twice, once]
    assert queue.reported[0].count == 2
    assert queue.reported[0].details == ["Insulta"]
    assert queue.reported[0].where.title == "Peatonalizar la calle Mayor"
    comment_hide(actor=moderator, comment_id=twice.pk, reason="Insultos")
    assert [r.comment for r in moderation_queue(actor=moderator).reported] == [once]


def test_a_thread_costs_one_query_however_long(
    debate: Debate, author: Party, django_assert_max_num_queries: Any
) -> None:
    for n in range(12):
        post(author, debate, f"Comentario {n}")
    with django_assert_max_num_queries(2):
        assert thread_of(subject=debate.subject, viewer=citizen(author)).count == 12


def test_a_debate_not_yet_open_cannot_be_closed(moderator: Actor, town: dict[str, Any]) -> None:
    later = debate_open(
        actor=moderator,
        agency_id=town["ayto"].pk,
        title="Horario de la biblioteca",
        body="¿Abrir los domingos?",
        opens_at=timezone.now() + timedelta(days=3),
    )
    with pytest.raises(Conflict):
        debate_close(actor=moderator, debate_id=later.pk)
    later.refresh_from_db()
    assert later.closes_at is None


def test_only_moderators_close_a_debate(agent: Actor, debate: Debate) -> None:
    with pytest.raises(PermissionDenied):
        debate_close(actor=agent, debate_id=debate.pk)
    debate.refresh_from_db()
    assert debate.is_open()


def test_a_comment_shown_again_returns_to_the_queue_only_with_new_reports(
    debate: Debate, author: Party, other: Party, agent: Actor, moderator: Actor
) -> None:
    comment = post(author, debate, "Mi opinión")
    comment_report(actor=citizen(other), comment_id=comment.pk, reason="offensive")
    comment_hide(actor=moderator, comment_id=comment.pk, reason="Insultos")
    appeal = comment_appeal(actor=citizen(author), comment_id=comment.pk, text="No insulté")
    appeal_decide(actor=moderator, appeal_id=appeal.pk, upheld=True)

    assert moderation_queue(actor=moderator).reported == []

    third = make_party(agent, given_name="Rosa", family_name_1="Luna")
    comment_report(actor=citizen(third), comment_id=comment.pk, reason="spam")
    [item] = moderation_queue(actor=moderator).reported
    assert item.comment == comment and item.count == 1


def test_another_agencys_busy_threads_do_not_hide_this_moderators_own(
    debate: Debate,
    author: Party,
    other: Party,
    moderator: Actor,
    make_staff: Any,
    town: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ventanilla.access.actors import actor_for_user
    from ventanilla.debates import selectors
    from ventanilla.debates.services import debate_open

    monkeypatch.setattr(selectors, "QUEUE_LIMIT", 2)
    health = actor_for_user(make_staff("sanidad", "salud", "supervisor"))
    theirs = debate_open(
        actor=health, agency_id=town["salud"].pk, title="Horario del centro de salud", body="¿?"
    )
    for n in range(3):  # more reported comments elsewhere than a page holds, each reported more
        busy = post(author, theirs, f"Allí {n}")
        comment_report(actor=citizen(other), comment_id=busy.pk, reason="spam")
        comment_report(
            actor=citizen(resident_of(moderator, tag=f"t{n}")), comment_id=busy.pk, reason="spam"
        )
    mine = post(author, debate, "Aquí")
    comment_report(actor=citizen(other), comment_id=mine.pk, reason="offensive")

    assert [r.comment for r in moderation_queue(actor=moderator).reported] == [mine]
    assert len(moderation_queue(actor=health).reported) == 2
