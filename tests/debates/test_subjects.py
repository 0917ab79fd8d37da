"""Another kind of subject reuses the thread: registered once, its comments are posted, shown
through the same include, and moderated in the agency its resolver names, without this app
knowing the kind."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from tests.debates.conftest import citizen
from ventanilla.access.actors import Actor
from ventanilla.core.errors import NotFound, ValidationFailed
from ventanilla.debates import subjects
from ventanilla.debates.selectors import moderation_queue, thread_of
from ventanilla.debates.services import comment_post, comment_report
from ventanilla.debates.subjects import Subject, register_subject
from ventanilla.parties.models import Party

pytestmark = pytest.mark.django_db

# A kind no app registers, so the real proposals resolver is never shadowed.
KIND = "petition"
KEY = f"{KIND}:1234"


@pytest.fixture
def proposals(town: dict[str, Any]) -> Iterator[dict[str, Any]]:
    state: dict[str, Any] = {"open": True}

    def resolve(key: str) -> Subject | None:
        if key != KEY:
            return None
        return Subject(
            key=key,
            title="Más árboles en la plaza",
            link="/portal/petitions/1234/",
            agency_id=str(town["ayto"].pk),
            open=state["open"],
        )

    before = subjects._resolvers.get(KIND)
    register_subject(KIND, resolve)
    yield state
    if before is None:
        subjects._resolvers.pop(KIND, None)
    else:
        subjects._resolvers[KIND] = before


def test_a_proposals_comments_are_posted_shown_and_moderated(
    proposals: dict[str, Any], author: Party, other: Party, moderator: Actor
) -> None:
    comment = comment_post(actor=citizen(author), subject=KEY, body="Y bancos a la sombra")
    assert comment.subject_title == "Más árboles en la plaza"
    comment_report(actor=citizen(other), comment_id=comment.pk, reason="off_topic")
    [item] = moderation_queue(actor=moderator).reported
    assert item.where.title == "Más árboles en la plaza"
    assert item.where.link == "/portal/petitions/1234/"

    request = RequestFactory().get("/portal/petitions/1234/")
    html = Template(
        '{% include "portal/_comments.html" with thread=thread subject=subject %}'
    ).render(
        Context(
            {
                "request": request,
                "thread": thread_of(subject=KEY, viewer=citizen(other)),
                "subject": KEY,
                "csrf_token": "x",
            }
        )
    )
    assert "Y bancos a la sombra" in html
    assert f'name="subject" value="{KEY}"' in html
    assert 'name="next" value="/portal/petitions/1234/"' in html


def test_an_unknown_or_closed_subject_takes_no_comment(
    proposals: dict[str, Any], author: Party
) -> None:
    with pytest.raises(NotFound):
        comment_post(actor=citizen(author), subject=f"{KIND}:9", body="Hola")
    with pytest.raises(NotFound):
        comment_post(actor=citizen(author), subject="budget:1", body="Hola")
    proposals["open"] = False
    with pytest.raises(ValidationFailed):
        comment_post(actor=citizen(author), subject=KEY, body="Hola")
