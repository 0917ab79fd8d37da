"""The case page's "Similar resolved cases" over HTTP, as staff read it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from tests.conftest import sign_in
from tests.factories import make_party
from ventanilla.access.actors import actor_for_user
from ventanilla.cases.services import case_note_add, case_open, case_transition
from ventanilla.catalog.models import PublicService
from ventanilla.precedents.selectors import forget_indexes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_kept_indexes() -> Iterator[None]:
    forget_indexes()
    yield
    forget_indexes()


def test_the_case_page_shows_how_a_similar_case_was_resolved_and_not_whose_it_was(
    make_staff: Any, service: PublicService
) -> None:
    user = make_staff("trabajadora", "urbanismo", "case_worker")
    worker = actor_for_user(user)
    someone = make_party(worker, given_name="Remedios", family_name_1="Quintanilla")
    earlier = case_open(
        actor=worker,
        party_id=someone.pk,
        service_code=service.code,
        channel="web",
        description="Cambiar la bañera por un plato de ducha",
    )
    case_transition(actor=worker, case_id=earlier.pk, action="accept")
    case_note_add(actor=worker, case_id=earlier.pk, text="Remedios, ya puede empezar.", public=True)
    case_transition(
        actor=worker,
        case_id=earlier.pk,
        action="resolve",
        reason="Licencia concedida sin visita: obra interior sin cambios de estructura.",
    )
    new = case_open(
        actor=worker,
        party_id=make_party(worker).pk,
        service_code=service.code,
        channel="web",
        description="Quiero cambiar la bañera por un plato de ducha",
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, user)

    page = client.get(f"/console/cases/{new.reference}/").content.decode()

    assert "Similar resolved cases" in page
    assert "share the most words with this one" in page
    assert f'href="/console/cases/{earlier.reference}/"' in page
    assert "very similar" in page
    assert "resolved on" in page and "in 0 days" in page
    assert "Licencia concedida sin visita: obra interior sin cambios de estructura." in page
    assert "Remedios" not in page
    assert "Quintanilla" not in page


def test_the_case_page_says_when_no_resolved_case_reads_like_it(
    make_staff: Any, service: PublicService
) -> None:
    user = make_staff("trabajadora", "urbanismo", "case_worker")
    worker = actor_for_user(user)
    new = case_open(
        actor=worker,
        party_id=make_party(worker).pk,
        service_code=service.code,
        channel="web",
        description="Quiero cambiar la bañera por un plato de ducha",
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, user)

    page = client.get(f"/console/cases/{new.reference}/").content.decode()

    assert "Similar resolved cases" in page
    assert "No resolved case of this service reads like this one." in page
