"""Rectification: the desk and the API correct a profile through the same service, and every
correction is kept with its old value, who made it and when — until the person is erased."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.factories import make_party
from ventanilla.access.actors import Actor
from ventanilla.parties.models import Party, ProfileChange
from ventanilla.parties.services import party_update
from ventanilla.privacy.services import party_erase

pytestmark = pytest.mark.django_db


def test_a_correction_through_the_api_keeps_the_old_value_in_the_360_view(
    api: Client, actor: Actor
) -> None:
    party = make_party(actor, given_name="Ana", family_name_1="Ruis")

    api.patch(
        f"/api/v1/parties/{party.pk}",
        json.dumps({"family_name_1": "Ruiz"}),
        content_type="application/json",
    )
    view = api.get(f"/api/v1/parties/{party.pk}/360").json()

    assert [(c["field"], c["old_value"], c["new_value"]) for c in view["changes"]] == [
        ("family_name_1", "Ruis", "Ruiz")
    ]
    assert view["changes"][0]["changed_by"] == "api:sede-electronica"


def test_sending_the_same_values_records_no_correction(actor: Actor) -> None:
    party = make_party(actor, given_name="Ana")

    party_update(actor=actor, party_id=party.pk, changes={"given_name": "Ana"})

    assert not ProfileChange.objects.exists()


def test_at_the_desk_an_agent_corrects_a_misspelt_surname(actor: Actor, agent_user: Any) -> None:
    party = make_party(actor, given_name="Lucía", family_name_1="Ortego", family_name_2="Gil")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(agent_user)
    url = f"/console/parties/{party.pk}/edit/"

    form = client.get(url)
    response = client.post(
        url,
        {
            "given_name": "Lucía",
            "family_name_1": "Ortega",
            "family_name_2": "Gil",
            "birth_date": party.birth_date.isoformat(),
            "sex": "",
            "preferred_language": "es",
            "education_level": "",
        },
    )

    assert form.status_code == 200 and 'value="Ortego"' in form.content.decode()
    assert response.status_code == 302
    page = client.get(f"/console/parties/{party.pk}/").content.decode()
    assert "Corrections to this record" in page and "Ortego → Ortega" in page
    found = client.get("/console/", {"q": "lucia ortega"}, HTTP_HX_REQUEST="true")
    assert str(party.pk) in found.content.decode()


def test_at_the_desk_a_bad_correction_is_explained_and_changes_nothing(
    actor: Actor, agent_user: Any
) -> None:
    party = make_party(actor, given_name="Lucía", family_name_1="Ortega")
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(agent_user)

    response = client.post(
        f"/console/parties/{party.pk}/edit/",
        {"given_name": "", "family_name_1": "Ortega", "birth_date": "31/02/1990"},
    )

    assert response.status_code == 422
    assert 'id="birth_date-error"' in response.content.decode()
    assert Party.objects.get(pk=party.pk).given_name == "Lucía"
    assert not ProfileChange.objects.exists()


def test_erasure_removes_the_old_values_too(actor: Actor) -> None:
    party = make_party(actor, given_name="Ana", family_name_1="Ruis")
    party_update(actor=actor, party_id=party.pk, changes={"family_name_1": "Ruiz"})

    party_erase(actor=actor, party_id=party.pk, reason="Solicitud del interesado")

    assert not ProfileChange.objects.filter(party=party).exists()
