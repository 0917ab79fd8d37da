"""Every page survives any date already stored: rows written before the bounds held, or by hand
in SQL, at the ends of Python's calendar (year 1, year 9999) where moving a time to local time
overflows, or at the very edges the database still accepts. Each page answers 200 and shows them.

The values are written with the ORM, past the services that would refuse them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from tests.conftest import PASSWORD, portal_client, sign_in
from tests.factories import make_party
from ventanilla.access.actors import Actor
from ventanilla.cases.models import Case, CaseEvent
from ventanilla.cases.services import case_open
from ventanilla.catalog.models import Agency, PublicService
from ventanilla.consent.models import Consent
from ventanilla.interactions.models import Interaction
from ventanilla.parties.models import Party, ProfileChange

pytestmark = pytest.mark.django_db

YEAR_ONE = datetime(1, 1, 1, tzinfo=UTC)
YEAR_9999 = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)


@pytest.fixture
def party(actor: Actor, service: PublicService) -> Party:
    """A person whose record holds the most extreme dates each table can hold."""
    party = make_party(actor)
    Party.objects.filter(pk=party.pk).update(birth_date=date(1900, 1, 1))
    agency = Agency.objects.get(code="ayto")
    # The database's own limits for a contact (its CHECK constraint holds the rest out).
    for moment in (datetime(1970, 1, 1, tzinfo=UTC), datetime(2999, 12, 31, 23, 59, tzinfo=UTC)):
        Interaction.objects.create(
            party=party, channel_id="phone", agency=agency, occurred_at=moment, summary="Llamada"
        )
    ProfileChange.objects.create(
        party=party,
        changed_at=YEAR_ONE,
        changed_by="sql",
        field="given_name",
        old_value="A",
        new_value="B",
    )
    Consent.objects.create(
        party=party,
        purpose="Ayuda al alquiler",
        recipient=agency,
        data_categories=["income"],
        legal_basis="consent",
        granted_at=YEAR_ONE,
        withdrawn_at=YEAR_9999,
        channel_id="desk",
        recorded_by_label="sql",
    )
    case = case_open(actor=actor, party_id=party.pk, service_code=service.code, channel="desk")
    Case.objects.filter(pk=case.pk).update(
        opened_at=YEAR_ONE, due_date=date(9999, 12, 31), closed_at=YEAR_9999
    )
    CaseEvent.objects.filter(case=case).update(occurred_at=YEAR_ONE)
    return party


def test_the_360_page_shows_a_record_holding_the_ends_of_the_calendar(
    party: Party, agent_user: Any
) -> None:
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="es"), agent_user)

    response = client.get(f"/console/parties/{party.pk}/")

    assert response.status_code == 200
    assert "Llamada" in response.content.decode()


def test_the_case_page_shows_a_case_opened_in_year_one(party: Party, agent_user: Any) -> None:
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="es"), agent_user)
    case = Case.objects.get(party=party)

    assert client.get(f"/console/cases/{case.reference}/").status_code == 200
    assert client.get("/console/cases/").status_code == 200


@pytest.mark.parametrize(
    "page",
    ["/portal/me/", "/portal/me/my-data.html", "/portal/me/my-data.json", "/portal/me/cases/"],
)
def test_the_citizens_own_pages_show_the_ends_of_the_calendar(party: Party, page: str) -> None:
    client = portal_client(party, language="es")

    assert client.get(page).status_code == 200


def test_every_admin_list_opens_over_the_ends_of_the_calendar(party: Party) -> None:
    get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    client = sign_in(Client(), "root")

    for model in admin.site._registry:
        meta = model._meta
        response = client.get(f"/admin/{meta.app_label}/{meta.model_name}/")
        assert response.status_code == 200, f"{meta.label}: {response.status_code}"


@pytest.mark.parametrize(
    "path",
    ["/api/v1/parties/{id}", "/api/v1/parties/{id}/360", "/api/v1/parties/{id}/interactions"],
)
def test_the_api_reads_a_record_holding_the_ends_of_the_calendar(
    party: Party, api: Client, path: str
) -> None:
    response = api.get(path.format(id=party.pk))

    assert response.status_code == 200, response.content


def test_the_api_reads_a_case_opened_in_year_one(party: Party, api: Client) -> None:
    case = Case.objects.get(party=party)

    response = api.get(f"/api/v1/cases/{case.pk}")

    assert response.status_code == 200, response.content
    assert response.json()["opened_at"].startswith("0001-01-01")


def test_a_time_from_year_one_is_shown_as_stored_when_local_time_cannot_hold_it(
    party: Party, agent_user: Any
) -> None:
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), agent_user)

    with timezone.override("Europe/Madrid"):
        page = client.get(f"/console/parties/{party.pk}/").content.decode()

    assert "01/01/0001 00:00" in page  # the rectification's time, in UTC
