"""The console's merge: a supervisor finds the other record, sees both side by side and merges
them with a reason; the old record's page leads to the survivor, where the merge can be undone.
Front-line agents are not offered it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import sign_in
from tests.factories import make_party
from ventanilla.access.actors import actor_for_user
from ventanilla.parties.models import Party

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor(make_staff: Any) -> Any:
    return make_staff("jefa", "ayto", "supervisor")


def test_a_supervisor_merges_a_duplicate_found_by_search_and_undoes_it_in_english(
    supervisor: Any,
) -> None:
    actor = actor_for_user(supervisor)
    ana = make_party(actor, given_name="Ana", family_name_1="Ruiz", family_name_2="Gil")
    copy = make_party(actor, given_name="Ana", family_name_1="Ruiz", family_name_2="")
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), supervisor)

    found = client.get(f"/console/parties/{ana.pk}/merge/", {"q": "ana ruiz"})
    both = client.get(f"/console/parties/{ana.pk}/merge/", {"other": str(copy.pk)})
    merged = client.post(
        f"/console/parties/{ana.pk}/merge/", {"other": str(copy.pk), "reason": "Same DNI"}
    )

    assert f"?other={copy.pk}" in found.content.decode()
    assert f"?other={ana.pk}" not in found.content.decode()
    assert "Is merged into it" in both.content.decode()
    assert merged.status_code == 302
    old = client.get(f"/console/parties/{copy.pk}/", follow=True)
    assert old.redirect_chain == [(f"/console/parties/{ana.pk}/", 302)]
    page = old.content.decode()
    assert "The record you opened was merged into this one" in page
    assert "Undo the merge of Ana Ruiz" in page

    undone = client.post(f"/console/parties/{copy.pk}/unmerge/", follow=True)

    assert "both records are as they were" in undone.content.decode()
    copy.refresh_from_db()
    assert copy.status == Party.Status.ACTIVE


def test_a_merge_without_a_reason_is_refused_next_to_the_field_in_spanish(
    supervisor: Any,
) -> None:
    actor = actor_for_user(supervisor)
    ana, copy = make_party(actor), make_party(actor)
    client = sign_in(Client(), supervisor)

    refused = client.post(f"/console/parties/{ana.pk}/merge/", {"other": str(copy.pk)})

    assert refused.status_code == 422
    assert 'id="reason-error"' in refused.content.decode()
    copy.refresh_from_db()
    assert copy.status == Party.Status.ACTIVE


def test_a_front_line_agent_is_not_offered_a_merge(agent_user: Any, supervisor: Any) -> None:
    ana = make_party(actor_for_user(supervisor))
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), agent_user)

    page = client.get(f"/console/parties/{ana.pk}/").content.decode()

    assert "Merge with another person" not in page
    assert client.get(f"/console/parties/{ana.pk}/merge/").status_code == 403


def test_a_merge_naming_no_record_says_so_and_changes_nothing(supervisor: Any) -> None:
    ana = make_party(actor_for_user(supervisor))
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), supervisor)

    refused = client.post(
        f"/console/parties/{ana.pk}/merge/", {"other": "not-a-record", "reason": "Same DNI"}
    )

    assert refused.status_code == 422
    assert "No such party." in refused.content.decode()
