"""The anonymous reporter: the one party that reports made without a name are recorded on. It is
made once, the console names it in the reader's language, and nobody can give it a name, merge
it or erase it (a name or contact given to it would go on every anonymous report)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from tests.conftest import sign_in
from tests.factories import make_party
from ventanilla.access.actors import Actor, actor_for_user
from ventanilla.cases.services import case_open, case_transition
from ventanilla.catalog.models import PublicService
from ventanilla.core.errors import Conflict
from ventanilla.merging.services import party_merge
from ventanilla.parties.models import Party
from ventanilla.parties.services import anonymous_reporter, party_update
from ventanilla.privacy.services import party_erase

pytestmark = pytest.mark.django_db


def test_it_is_made_once(actor: Actor) -> None:
    first = anonymous_reporter(actor=actor)

    assert anonymous_reporter(actor=actor).pk == first.pk
    assert Party.objects.filter(kind=Party.Kind.ANONYMOUS).count() == 1
    with translation.override("en"):
        assert first.display_name == "Anonymous reporter"


def test_nobody_names_merges_or_erases_it(make_staff: Any) -> None:
    actor = Actor(label="command:operator", sees_everything=True)
    anonymous = anonymous_reporter(actor=actor)
    someone = make_party(actor)

    attempts = [
        lambda: party_update(actor=actor, party_id=anonymous.pk, changes={"given_name": "Ana"}),
        lambda: party_merge(
            actor=actor, survivor_id=someone.pk, merged_id=anonymous.pk, reason="same"
        ),
        lambda: party_merge(
            actor=actor, survivor_id=anonymous.pk, merged_id=someone.pk, reason="same"
        ),
        lambda: party_erase(actor=actor, party_id=anonymous.pk, reason="asked"),
    ]
    for attempt in attempts:
        with translation.override("en"), pytest.raises(Conflict, match="anonymous reporter"):
            attempt()

    anonymous.refresh_from_db()
    someone.refresh_from_db()
    assert (anonymous.status, anonymous.given_name) == (Party.Status.ACTIVE, "")
    assert someone.status == Party.Status.ACTIVE


def test_the_api_does_not_register_another(api: Client) -> None:
    answer = api.post(
        "/api/v1/parties",
        json.dumps({"kind": "anonymous"}),
        content_type="application/json",
    )

    assert answer.status_code in (400, 422)
    assert answer["Content-Type"].startswith("application/problem+json")
    assert not Party.objects.filter(kind=Party.Kind.ANONYMOUS).exists()


@pytest.mark.parametrize(
    ("language", "name"), [("en", "Anonymous reporter"), ("es", "Persona anónima")]
)
def test_the_console_names_it_in_the_readers_language(
    make_staff: Any, service: PublicService, language: str, name: str
) -> None:
    worker = make_staff("tramitadora", "urbanismo", "case_worker")
    actor = actor_for_user(worker)
    case = case_open(
        actor=actor,
        party_id=anonymous_reporter(actor=actor).pk,
        service_code=service.code,
        channel="open311",
    )
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE=language), worker)

    page = client.get(f"/console/cases/{case.reference}/").content.decode()

    assert name in page
    # Nobody to reply to: the case takes internal notes only.
    assert 'data-testid="no-reply"' in page and 'value="public"' not in page
    # Nor anyone to ask for more: the step is not offered once the case is under way.
    case_transition(actor=actor, case_id=case.pk, action="accept")
    page = client.get(f"/console/cases/{case.reference}/").content.decode()
    assert 'value="start"' in page and 'value="ask_citizen"' not in page


def test_its_page_says_what_it_is_and_offers_no_correction_or_merge(make_staff: Any) -> None:
    supervisor = make_staff("supervisora", "ayto", "supervisor")
    anonymous = anonymous_reporter(actor=Actor(label="command:operator", sees_everything=True))
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="es"), supervisor)

    page = client.get(f"/console/parties/{anonymous.pk}/").content.decode()
    person = client.get(f"/console/parties/{make_party(actor_for_user(supervisor)).pk}/")

    assert "Persona anónima" in page and 'data-testid="anonymous-reporter"' in page
    assert "/edit/" not in page and "/merge/" not in page
    assert "/sharing/" not in page and "/consents/new/" not in page
    assert "/edit/" in person.content.decode()
