"""Old ids keep working after a merge: the API answers with the record that survived, and says
so, and a moved case answers under its reference as before."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.factories import make_party
from ventanilla.access.actors import Actor, actor_for_user
from ventanilla.cases.services import case_open
from ventanilla.catalog.models import PublicService
from ventanilla.merging.services import party_merge, party_unmerge


@pytest.fixture
def supervisor(make_staff: Any) -> Actor:
    return actor_for_user(make_staff("jefa", "ayto", "supervisor"))


def test_reading_a_merged_id_answers_with_the_survivor_and_says_so(
    api: Client, supervisor: Actor
) -> None:
    survivor, duplicate = make_party(supervisor), make_party(supervisor)
    party_merge(actor=supervisor, survivor_id=survivor.pk, merged_id=duplicate.pk, reason="Ella")

    answer = api.get(f"/api/v1/parties/{duplicate.pk}")

    assert answer.status_code == 200
    assert answer.json()["id"] == str(survivor.pk)
    assert answer.json()["resolved_from"] == str(duplicate.pk)
    assert answer["Content-Location"] == f"/api/v1/parties/{survivor.pk}"


def test_the_360_view_of_a_merged_id_is_the_survivors(
    api: Client, supervisor: Actor, service: PublicService
) -> None:
    survivor, duplicate = make_party(supervisor), make_party(supervisor)
    case = case_open(
        actor=supervisor, party_id=duplicate.pk, service_code=service.code, channel="desk"
    )
    party_merge(actor=supervisor, survivor_id=survivor.pk, merged_id=duplicate.pk, reason="Ella")

    view = api.get(f"/api/v1/parties/{duplicate.pk}/360")

    assert view.json()["party"]["id"] == str(survivor.pk)
    assert view.json()["party"]["resolved_from"] == str(duplicate.pk)
    assert view["Content-Location"] == f"/api/v1/parties/{survivor.pk}/360"
    assert [c["reference"] for c in view.json()["open_cases"]] == [case.reference]
    assert api.get(f"/api/v1/cases/{case.reference}").json()["party_id"] == str(survivor.pk)


def test_a_record_not_merged_answers_as_itself_and_again_once_a_merge_is_undone(
    api: Client, supervisor: Actor
) -> None:
    survivor, duplicate = make_party(supervisor), make_party(supervisor)
    party_merge(actor=supervisor, survivor_id=survivor.pk, merged_id=duplicate.pk, reason="Ella")
    party_unmerge(actor=supervisor, merged_id=duplicate.pk)

    answer = api.get(f"/api/v1/parties/{duplicate.pk}")

    assert answer.json()["id"] == str(duplicate.pk)
    assert answer.json()["resolved_from"] is None
    assert "Content-Location" not in answer
