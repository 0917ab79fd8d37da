"""The console's queue of likely duplicates: a supervisor sees the pairs waiting, opens one, reads
both records field by field with what spoke for and against, and decides; the next pair opens."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import sign_in
from tests.identity.test_matching import SYSTEM, plant
from ventanilla.catalog.models import Agency
from ventanilla.identity.matching import identity_match
from ventanilla.identity.models import MatchReview

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor(make_staff: Any) -> Any:
    return make_staff("jefa", "ayto", "supervisor")


@pytest.fixture
def planted(town: dict[str, Agency]) -> dict[str, Any]:
    planted = plant(town)
    identity_match(actor=SYSTEM)
    return planted


def carmen_review(planted: dict[str, Any]) -> MatchReview:
    pair = [planted["carmen"], planted["carmen_maybe"]]
    return MatchReview.objects.get(record__in=pair, other_record__in=pair)


def test_the_queue_lists_the_pairs_waiting_most_likely_first_in_spanish(
    planted: dict[str, Any], supervisor: Any
) -> None:
    client = sign_in(Client(), supervisor)
    waiting = MatchReview.objects.filter(status="open").count()

    page = client.get("/console/matches/").content.decode()

    assert "Posibles duplicados" in page
    assert f"{waiting} pareja" in page
    assert "Remedios Escribano Olmedo" in page
    assert "Servicio de Salud" in page
    assert "+ Apellidos" in page
    assert "/console/matches/" in client.get("/console/home/").content.decode()


def test_one_pair_side_by_side_with_the_weights_in_english(
    planted: dict[str, Any], supervisor: Any
) -> None:
    review = carmen_review(planted)
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), supervisor)

    page = client.get(f"/console/matches/{review.pk}/").content.decode()

    assert "Are they the same person?" in page
    assert f"{round(review.probability * 100)} % likely to be one person" in page
    assert "one surname missing" in page
    assert "20/04/1951" in page
    assert " against" in page and " for" in page
    assert "Same person: link them" in page
    assert "Not the same person" in page


def test_deciding_links_the_pair_and_opens_the_next_one(
    planted: dict[str, Any], supervisor: Any
) -> None:
    review = carmen_review(planted)
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), supervisor)

    decided = client.post(f"/console/matches/{review.pk}/", {"decision": "same"}, follow=True)

    review.refresh_from_db()
    assert review.status == MatchReview.Status.LINKED
    page = decided.content.decode()
    assert "Linked: both records are now one person&#x27;s, and the merge can be undone." in page
    following = MatchReview.objects.filter(status="open").order_by("-probability").first()
    expected = f"/console/matches/{following.pk}/" if following else "/console/matches/"
    assert decided.redirect_chain[-1][0] == expected


def test_not_the_same_person_keeps_them_apart_in_spanish(
    planted: dict[str, Any], supervisor: Any
) -> None:
    review = carmen_review(planted)
    client = sign_in(Client(), supervisor)

    decided = client.post(f"/console/matches/{review.pk}/", {"decision": "different"}, follow=True)

    review.refresh_from_db()
    assert review.status == MatchReview.Status.NOT_SAME
    assert "Se mantienen separados" in decided.content.decode()


def test_a_pair_already_decided_says_who_decided_it(
    planted: dict[str, Any], supervisor: Any
) -> None:
    review = carmen_review(planted)
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), supervisor)
    client.post(f"/console/matches/{review.pk}/", {"decision": "different"})

    again = client.post(f"/console/matches/{review.pk}/", {"decision": "same"}, follow=True)

    assert "This pair was already decided by jefa" in again.content.decode()
    review.refresh_from_db()
    assert review.status == MatchReview.Status.NOT_SAME


def test_a_decision_without_a_choice_changes_nothing(
    planted: dict[str, Any], supervisor: Any
) -> None:
    review = carmen_review(planted)
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), supervisor)

    answer = client.post(f"/console/matches/{review.pk}/", {"decision": "maybe"}, follow=True)

    assert "Choose “same person” or “not the same person”." in answer.content.decode()
    review.refresh_from_db()
    assert review.status == MatchReview.Status.OPEN


def test_a_front_line_agent_is_not_offered_the_queue(
    planted: dict[str, Any], agent_user: Any
) -> None:
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), agent_user)

    assert client.get("/console/matches/").status_code == 403
    assert "/console/matches/" not in client.get("/console/home/").content.decode()


def test_an_unknown_pair_is_not_found(planted: dict[str, Any], supervisor: Any) -> None:
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), supervisor)

    missing = client.get("/console/matches/00000000-0000-0000-0000-000000000000/")

    assert missing.status_code == 404
