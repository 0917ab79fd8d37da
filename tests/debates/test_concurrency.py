"""Racing clicks count once: a citizen's double report, two moderators hiding the same comment
at once, an author's double appeal. The database's unique constraints and the comment's row
lock refuse the second."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from tests.debates.conftest import citizen
from ventanilla.access.actors import Actor, actor_for_user
from ventanilla.audit.models import AuditEntry
from ventanilla.core.errors import Conflict
from ventanilla.debates.models import Appeal, Comment, Debate, Report
from ventanilla.debates.services import comment_appeal, comment_hide, comment_post, comment_report
from ventanilla.notifications.models import Notification
from ventanilla.parties.models import Party

pytestmark = pytest.mark.django_db(transaction=True)

RUNS = 6


def race(calls: list[Callable[[], Any]]) -> tuple[int, list[BaseException]]:
    """Run ``calls`` at once; how many were refused as a conflict, and what else failed."""
    start = threading.Barrier(len(calls))
    refused: list[Conflict] = []
    failures: list[BaseException] = []

    def run(call: Callable[[], Any]) -> None:
        try:
            start.wait()
            call()
        except Conflict as clash:
            refused.append(clash)
        except BaseException as failure:  # noqa: BLE001 - reported to the test below
            failures.append(failure)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(refused), failures


def test_racing_reports_of_one_citizen_count_once(
    debate: Debate, author: Party, other: Party
) -> None:
    comment = comment_post(actor=citizen(author), subject=debate.subject, body="Hola")
    report = lambda: comment_report(  # noqa: E731
        actor=citizen(other), comment_id=comment.pk, reason="spam"
    )

    refused, failures = race([report] * RUNS)

    assert failures == [] and refused == RUNS - 1
    assert Report.objects.count() == 1


def test_two_moderators_hiding_at_once_hide_once_and_tell_the_author_once(
    debate: Debate, author: Party, moderator: Actor, make_staff: Any
) -> None:
    second = actor_for_user(make_staff("otra", "ayto", "supervisor"))
    comment = comment_post(actor=citizen(author), subject=debate.subject, body="Hola")
    told_before = Notification.objects.filter(party=author).count()

    refused, failures = race(
        [
            lambda: comment_hide(actor=moderator, comment_id=comment.pk, reason="Uno"),
            lambda: comment_hide(actor=second, comment_id=comment.pk, reason="Otro"),
        ]
    )

    assert failures == [] and refused == 1
    assert Comment.objects.get().hidden_reason in {"Uno", "Otro"}
    assert AuditEntry.objects.filter(action="comment.moderate").count() == 1
    told = Notification.objects.filter(party=author).count() - told_before
    assert told == Notification.objects.filter(party=author, event="participation").count()
    assert told >= 1


def test_racing_appeals_of_the_author_count_once(
    debate: Debate, author: Party, moderator: Actor
) -> None:
    comment = comment_post(actor=citizen(author), subject=debate.subject, body="Hola")
    comment_hide(actor=moderator, comment_id=comment.pk, reason="Uno")
    appeal = lambda: comment_appeal(  # noqa: E731
        actor=citizen(author), comment_id=comment.pk, text="No"
    )

    refused, failures = race([appeal] * RUNS)

    assert failures == [] and refused == RUNS - 1
    assert Appeal.objects.count() == 1
