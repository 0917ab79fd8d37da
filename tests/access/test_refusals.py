"""A refusal leaves exactly one audit entry, even when it is raised inside a transaction that is
rolled back with it: the door (a request, a command) writes it once that transaction is over."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from tests.conftest import sign_in
from tests.factories import make_party
from ventanilla.access.actors import Actor, actor_for_user
from ventanilla.access.guards import refusals_kept, require
from ventanilla.access.models import Scope
from ventanilla.audit.actions import Action
from ventanilla.audit.models import AuditEntry
from ventanilla.cases.models import Case, LifeEventRequest
from ventanilla.catalog.models import PublicService
from ventanilla.catalog.services import life_event_ensure
from ventanilla.core.errors import PermissionDenied

# Real commits and rollbacks: the refusal must survive the rollback of the service's transaction.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def analyst(make_staff: Any) -> Any:
    return make_staff("analista", "ayto", "analyst")


def api_client(user: Any) -> Client:
    client = sign_in(Client(), user)
    client.get("/portal/sign-in/")  # a page with a form sets the CSRF cookie
    return client


def last_entry() -> int:
    return AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


def refusals(after: int = 0) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=Action.ACCESS_DENIED, id__gt=after))


def test_an_analysts_refused_life_event_request_leaves_one_refusal(
    analyst: Any, actor: Actor, service: PublicService
) -> None:
    birth = life_event_ensure(code="nacimiento", kind="life", name_es="Nacimiento", name_en="Birth")
    service.life_events.add(birth)
    party = make_party(actor)
    client = api_client(analyst)
    last = last_entry()

    # When: the request opens its cases in one transaction, and the first case is refused.
    response = client.post(
        "/api/v1/life-event-requests",
        json.dumps({"party_id": str(party.pk), "life_event": "nacimiento", "channel": "desk"}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )

    # Then: nothing was opened, and the refusal is on record once.
    assert response.status_code == 403, response.content
    assert not LifeEventRequest.objects.exists() and not Case.objects.exists()
    [refused] = refusals(after=last)
    assert (refused.actor, refused.party_id) == ("analista", party.pk)
    assert refused.detail == {"scope": Scope.CASES_WRITE}
    assert refused.request_id == response["X-Request-ID"]


def test_a_refusal_outside_any_transaction_is_recorded_once(analyst: Any) -> None:
    client = api_client(analyst)
    last = last_entry()

    response = client.get("/api/v1/cases")

    assert response.status_code == 403
    [refused] = refusals(after=last)
    assert refused.detail == {"scope": Scope.CASES_READ}


def test_a_command_keeps_a_refusal_its_rolled_back_transaction_would_lose(analyst: Any) -> None:
    someone = actor_for_user(analyst)

    with refusals_kept():
        with pytest.raises(PermissionDenied), transaction.atomic():
            require(someone, Scope.CASES_WRITE)
        assert refusals() == []  # written once the command's work is over

    [refused] = refusals()
    assert refused.actor == "analista"


def test_without_a_door_a_refusal_is_written_at_once(analyst: Any) -> None:
    with pytest.raises(PermissionDenied):
        require(actor_for_user(analyst), Scope.CASES_WRITE)

    assert len(refusals()) == 1
