"""The debate pages of the portal: a debate with its thread for visitors and citizens, posting
and replying through the thread's form, reporting, appealing, and returning only to a local
path."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import portal_client
from tests.debates.conftest import citizen
from ventanilla.access.actors import Actor
from ventanilla.debates.models import Appeal, Comment, Debate, Report
from ventanilla.debates.services import comment_hide, comment_post
from ventanilla.parties.models import Party

pytestmark = pytest.mark.django_db


def page(client: Client, debate: Debate) -> str:
    return client.get(f"/portal/debates/{debate.pk}/").content.decode()


def test_the_list_links_the_open_debates(debate: Debate) -> None:
    listing = Client(HTTP_ACCEPT_LANGUAGE="en").get("/portal/debates/").content.decode()
    assert f"/portal/debates/{debate.pk}/" in listing
    home = Client(HTTP_ACCEPT_LANGUAGE="en").get("/portal/").content.decode()
    assert "/portal/debates/" in home


def test_a_citizen_comments_and_replies_and_returns_to_the_debate(
    debate: Debate, author: Party, other: Party
) -> None:
    client = portal_client(author)
    where = f"/portal/debates/{debate.pk}/"
    sent = client.post(
        "/portal/comments/", {"subject": debate.subject, "body": "Buena idea", "next": where}
    )
    comment = Comment.objects.get()
    assert sent.status_code == 302 and sent["Location"] == f"{where}#c-{comment.pk}"
    reply = portal_client(other).post(
        "/portal/comments/",
        {"subject": debate.subject, "body": "No lo creo", "parent": comment.pk, "next": where},
    )
    assert reply.status_code == 302
    assert Comment.objects.get(body="No lo creo").parent == comment
    shown = page(Client(), debate)
    assert "Buena idea" in shown and "No lo creo" in shown


def test_the_form_returns_only_to_a_local_portal_path(debate: Debate, author: Party) -> None:
    sent = portal_client(author).post(
        "/portal/comments/",
        {"subject": debate.subject, "body": "Hola", "next": "https://evil.example/"},
    )
    assert sent["Location"].startswith("/portal/debates/")


def test_an_empty_comment_is_refused_with_a_message(debate: Debate, author: Party) -> None:
    client = portal_client(author)
    where = f"/portal/debates/{debate.pk}/"
    sent = client.post("/portal/comments/", {"subject": debate.subject, "body": " ", "next": where})
    assert sent.status_code == 302 and not Comment.objects.exists()
    assert 'role="status"' in client.get(where).content.decode()


def test_a_visitor_is_sent_to_sign_in(debate: Debate) -> None:
    sent = Client().post("/portal/comments/", {"subject": debate.subject, "body": "Hola"})
    assert sent.status_code == 302 and "sign-in" in sent["Location"]
    assert not Comment.objects.exists()


def test_reporting_and_appealing_through_the_thread(
    debate: Debate, author: Party, other: Party, moderator: Actor
) -> None:
    comment = comment_post(actor=citizen(author), subject=debate.subject, body="Texto")
    where = f"/portal/debates/{debate.pk}/"
    reporter = portal_client(other)
    reporter.post(f"/portal/comments/{comment.pk}/report/", {"reason": "offensive", "next": where})
    reporter.post(f"/portal/comments/{comment.pk}/report/", {"reason": "spam", "next": where})
    assert Report.objects.count() == 1
    comment_hide(actor=moderator, comment_id=comment.pk, reason="Falta al respeto")
    others: Any = page(reporter, debate)
    assert "Falta al respeto" in others and "Texto" not in others.split('data-testid="comments"')[1]
    client = portal_client(author)
    own = page(client, debate)
    assert "Falta al respeto" in own and "Texto" in own and 'data-testid="appeal-open"' in own
    client.post(f"/portal/comments/{comment.pk}/appeal/", {"text": "No falté", "next": where})
    assert Appeal.objects.get().comment == comment
    assert 'data-testid="appeal-status"' in page(client, debate)
