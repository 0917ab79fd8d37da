"""The data-protection officer's audit log page: filters by day and by kind of action, named in
the reader's language, a CSV download of what the filters show (itself recorded), and errors
beside the field for what cannot be a person or a date."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from freezegun import freeze_time

from tests.conftest import sign_in
from tests.factories import make_party
from ventanilla.access.actors import Actor
from ventanilla.audit.models import AuditEntry

pytestmark = pytest.mark.django_db
MADRID = ZoneInfo("Europe/Madrid")


def signed_in(username: str, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    sign_in(client, username)
    return client


@pytest.fixture
def dpo(make_staff: Any) -> Client:
    make_staff("dpd", "villanueva", "dpo")
    return signed_in("dpd")


def registered_on(actor: Actor, day: str, name: str) -> Any:
    with freeze_time(datetime.fromisoformat(f"{day}T10:00").replace(tzinfo=MADRID)):
        return make_party(actor, given_name=name)


def shown(response: Any) -> str:
    return response.content.decode()


def test_the_day_range_shows_only_the_entries_of_those_days(actor: Actor, dpo: Client) -> None:
    before = registered_on(actor, "2026-03-01", "Antes")
    within = registered_on(actor, "2026-03-10", "Dentro")
    after = registered_on(actor, "2026-03-21", "Despues")

    page = dpo.get(
        "/console/audit/", {"actor": "agente", "since": "2026-03-05", "until": "2026-03-20"}
    )

    body = shown(page)
    assert page.status_code == 200
    assert str(within.pk)[:8] in body
    assert str(before.pk)[:8] not in body
    assert str(after.pk)[:8] not in body


def test_the_last_day_of_the_range_is_included(actor: Actor, dpo: Client) -> None:
    party = registered_on(actor, "2026-03-20", "Ultimo")

    page = dpo.get("/console/audit/", {"since": "2026-03-20", "until": "2026-03-20"})

    assert str(party.pk)[:8] in shown(page)


def test_the_action_filter_shows_only_that_kind_of_action(actor: Actor, dpo: Client) -> None:
    party = make_party(actor)
    signed_in("agente").get(f"/console/parties/{party.pk}/")

    page = dpo.get("/console/audit/", {"actor": "agente", "action": "party.view_360"})

    body = shown(page)
    assert body.count('data-testid="audit-entry"') == 1
    assert "Opened the 360° view" in body


def test_the_actions_are_offered_by_their_names_in_the_readers_language(dpo: Client) -> None:
    english = shown(dpo.get("/console/audit/"))
    spanish = shown(signed_in("dpd", "es").get("/console/audit/"))

    assert '<option value="party.view_360">Opened the 360° view</option>' in english
    assert '<option value="party.view_360">Abrió la vista 360°</option>' in spanish
    assert ">party.view_360<" not in english + spanish


def test_an_invalid_date_is_an_error_beside_its_field_and_nothing_is_read(dpo: Client) -> None:
    page = dpo.get("/console/audit/", {"since": "31/02/2026"})

    body = shown(page)
    assert page.status_code == 422
    assert 'id="a-since-error"' in body
    assert "This is not a date" in body
    assert 'data-testid="audit-entry"' not in body
    assert not AuditEntry.objects.filter(action="audit.read").exists()


def test_a_range_that_ends_before_it_starts_is_an_error(dpo: Client) -> None:
    page = dpo.get("/console/audit/", {"since": "2026-03-20", "until": "2026-03-01"})

    assert page.status_code == 422
    assert "The last day comes before the first." in shown(page)


def test_a_mistyped_person_id_is_still_an_error_beside_the_field(dpo: Client) -> None:
    page = dpo.get("/console/audit/", {"party": "12345678Z", "since": "2026-03-01"})

    assert page.status_code == 422
    assert 'id="a-party-error"' in shown(page)


def test_a_day_typed_as_day_month_year_is_understood(actor: Actor, dpo: Client) -> None:
    party = registered_on(actor, "2026-12-07", "Diciembre")

    page = dpo.get("/console/audit/", {"since": "07/12/2026", "until": "07/12/2026"})

    assert page.status_code == 200
    assert str(party.pk)[:8] in shown(page)


def test_the_export_downloads_the_filtered_entries_as_csv(actor: Actor, dpo: Client) -> None:
    registered_on(actor, "2026-03-01", "Antes")
    within = registered_on(actor, "2026-03-10", "Dentro")
    page = shown(dpo.get("/console/audit/", {"actor": "agente", "since": "2026-03-05"}))
    assert "export=csv" in page

    download = dpo.get(
        "/console/audit/", {"actor": "agente", "since": "2026-03-05", "export": "csv"}
    )

    assert download["Content-Type"].startswith("text/csv")
    assert "attachment" in download["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert rows[0] == ["When", "Who", "Roles", "Agencies", "What", "Party", "Purpose"]
    assert [(row[1], row[4], row[5]) for row in rows[1:]] == [
        ("agente", "Registered a party", str(within.pk))
    ]
    assert rows[1][0] == "10/03/2026 10:00:00"


def test_the_export_names_columns_and_actions_in_spanish_for_a_spanish_reader(
    actor: Actor, make_staff: Any
) -> None:
    make_party(actor)
    make_staff("dpd", "villanueva", "dpo")

    download = signed_in("dpd", "es").get("/console/audit/", {"actor": "agente", "export": "csv"})

    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert rows[0][0] == "Cuándo"
    assert rows[1][4] == "Registró una persona"


def test_the_export_is_itself_recorded_in_the_audit_log(actor: Actor, dpo: Client) -> None:
    make_party(actor)

    dpo.get("/console/audit/", {"actor": "agente", "export": "csv"})

    record = AuditEntry.objects.filter(actor="dpd", action="audit.read").get()
    assert record.detail["format"] == "csv"
    assert record.detail["exported"] == 1


def test_an_agent_cannot_export_the_audit_log(agent_user: Any) -> None:
    download = signed_in("agente").get("/console/audit/", {"export": "csv"})

    assert download.status_code == 403
    assert AuditEntry.objects.filter(action="access.denied", actor="agente").exists()
