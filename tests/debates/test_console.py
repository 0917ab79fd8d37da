"""Moderation in the console: the queue with where each comment was posted and why it was
reported, hiding with a reason (refused without one, the error next to the field), deciding an
appeal, opening a debate; and the menu entry for those who moderate only."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import sign_in
from tests.debates.conftest import citizen
from ventanilla.audit.models import AuditEntry
from ventanilla.core.errors import ValidationFailed
from ventanilla.debates.models import Appeal, Comment, Debate
from ventanilla.debates.services import comment_appeal, comment_hide, comment_post, comment_report
from ventanilla.parties.models import Party

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor(make_staff: Any) -> Client:
    return sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), make_staff("jefa", "ayto", "supervisor"))


def reported(debate: Debate, author: Party, other: Party) -> Comment:
    comment = comment_post(actor=citizen(author), subject=debate.subject, body="Sois unos inútiles")
    comment_report(actor=citizen(other), comment_id=comment.pk, reason="offensive", text="Insulta")
    return comment


def test_the_queue_says_where_and_why_never_the_key(
    supervisor: Client, debate: Debate, author: Party, other: Party
) -> None:
    comment = reported(debate, author, other)
    page = supervisor.get("/console/moderation/").content.decode()
    assert "Sois unos inútiles" in page and "Insulting or offensive (1)" in page
    assert "Peatonalizar la calle Mayor" in page and "Insulta" in page
    assert f"debate:{debate.pk}" not in page
    assert f"/portal/debates/{debate.pk}/#c-{comment.pk}" in page


def test_hiding_without_a_reason_shows_the_error_next_to_the_field(
    supervisor: Client, debate: Debate, author: Party, other: Party
) -> None:
    comment = reported(debate, author, other)
    refused = supervisor.post("/console/moderation/", {"hide": comment.pk, "reason": " "})
    assert refused.status_code == 422
    assert f'id="reason-error-{comment.pk}"' in refused.content.decode()
    comment.refresh_from_db()
    assert not comment.is_hidden
    done = supervisor.post("/console/moderation/", {"hide": comment.pk, "reason": "Insultos"})
    assert done.status_code == 302
    comment.refresh_from_db()
    assert comment.is_hidden and comment.hidden_reason == "Insultos"


def test_an_appeal_is_upheld_from_the_queue(
    supervisor: Client, debate: Debate, author: Party, other: Party, moderator: Any
) -> None:
    comment = reported(debate, author, other)
    comment_hide(actor=moderator, comment_id=comment.pk, reason="Insultos")
    appeal = comment_appeal(actor=citizen(author), comment_id=comment.pk, text="Era ironía")
    page = supervisor.get("/console/moderation/").content.decode()
    assert "Era ironía" in page
    supervisor.post("/console/moderation/", {"appeal": appeal.pk, "decision": "uphold"})
    appeal.refresh_from_db()
    comment.refresh_from_db()
    assert appeal.status == Appeal.Status.UPHELD and not comment.is_hidden


def test_a_supervisor_opens_a_debate(supervisor: Client, town: Any) -> None:
    sent = supervisor.post(
        "/console/debates/new/",
        {"agency": "ayto", "title": "Carril bici", "body": "¿Dónde?", "residents_only": "1"},
    )
    assert sent.status_code == 302
    debate = Debate.objects.get()
    assert debate.residents_only and debate.agency.code == "ayto"
    refused = supervisor.post("/console/debates/new/", {"agency": "ayto", "title": ""})
    assert refused.status_code == 422 and Debate.objects.count() == 1


def test_the_menu_offers_moderation_to_moderators_only(supervisor: Client, make_staff: Any) -> None:
    assert "/console/moderation/" in supervisor.get("/console/").content.decode()
    agent = sign_in(Client(), make_staff("mostrador", "ayto", "agent"))
    assert "/console/moderation/" not in agent.get("/console/").content.decode()
    assert agent.get("/console/moderation/").status_code == 403


def test_a_moderator_closes_a_debate_and_it_takes_no_more_comments(
    supervisor: Client, debate: Debate, author: Party, make_staff: Any
) -> None:
    comment_post(actor=citizen(author), subject=debate.subject, body="A favor")
    page = supervisor.get("/console/moderation/").content.decode()
    row = page.split('data-testid="debate-row"')[1].split("</tr>")[0]
    assert "Peatonalizar la calle Mayor" in row and ">1<" in row and ">Open<" in row

    closed = supervisor.post("/console/moderation/", {"close": debate.pk}, follow=True)

    text = closed.content.decode()
    assert "is closed: its comments stay for anyone to read" in text
    assert "Closed on" in text and 'data-testid="debate-close"' not in text
    debate.refresh_from_db()
    assert not debate.is_open()
    with pytest.raises(ValidationFailed):
        comment_post(actor=citizen(author), subject=debate.subject, body="Tarde")
    entry = AuditEntry.objects.filter(action="debate.change", object_id=str(debate.pk)).last()
    assert entry is not None and entry.detail == {"change": "closed"}
    # Twice: said plainly, nothing changes.
    again = supervisor.post("/console/moderation/", {"close": debate.pk}, follow=True)
    assert "This debate is already closed." in again.content.decode()
    # Staff of another agency do not see it, nor can they close it.
    other = sign_in(
        Client(HTTP_ACCEPT_LANGUAGE="es"), make_staff("otra", "urbanismo", "supervisor")
    )
    assert "Peatonalizar" not in other.get("/console/moderation/").content.decode()
    refused = other.post("/console/moderation/", {"close": debate.pk}, follow=True)
    assert "No existe ese debate." in refused.content.decode()


def test_the_debates_list_speaks_spanish(
    supervisor: Client, debate: Debate, make_staff: Any
) -> None:
    spanish = sign_in(Client(HTTP_ACCEPT_LANGUAGE="es"), make_staff("jefa2", "ayto", "supervisor"))
    page = spanish.get("/console/moderation/").content.decode()
    assert "Debates" in page and "Cerrar ahora" in page and ">Abierto<" in page
