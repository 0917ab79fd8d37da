"""The golden record: the most recently verified register wins each attribute, then the agency
the administration trusts more; refreshing applies the winning name and birth date as a kept
correction, and the 360° page says where each value came from."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import uuid4

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import sign_in
from tests.factories import make_party
from ventanilla.access.actors import Actor, actor_for_user
from ventanilla.catalog.models import Agency
from ventanilla.identity.models import SourceRecord
from ventanilla.merging.golden import golden_record
from ventanilla.merging.models import SourceTrust
from ventanilla.merging.services import party_refresh_golden
from ventanilla.parties.models import Party


@pytest.fixture
def supervisor(make_staff: Any) -> Actor:
    return actor_for_user(make_staff("jefa", "ayto", "supervisor"))


def register(party: Party, agency: Agency, verified: datetime, **values: Any) -> SourceRecord:
    record = SourceRecord.objects.create(
        # A key as registries give it: short (PostgreSQL holds it to 60 characters), one each.
        agency=agency,
        source_key=f"{agency.code}-{uuid4().hex[:12]}",
        party=party,
        **values,
    )
    SourceRecord.objects.filter(pk=record.pk).update(updated_at=verified)
    return record


def day(text: str) -> datetime:
    return timezone.make_aware(datetime.fromisoformat(f"{text}T10:00"))


def test_the_most_recently_verified_register_wins(supervisor: Actor, town: Any) -> None:
    party = make_party(supervisor)
    register(party, town["padron"], day("2025-03-12"), email="nueva@example.org")
    register(party, town["salud"], day("2024-01-05"), email="vieja@example.org")

    golden = golden_record(party)

    assert golden["email"].value == {"email": "nueva@example.org"}
    assert golden["email"].agency_name == "Padrón"
    assert golden["email"].verified_on == date(2025, 3, 12)


def test_on_the_same_day_the_more_trusted_agency_wins(supervisor: Actor, town: Any) -> None:
    party = make_party(supervisor)
    register(party, town["padron"], day("2025-03-12"), phone="+34600000001")
    register(party, town["salud"], day("2025-03-12"), phone="+34600000002")
    SourceTrust.objects.create(agency=town["salud"], rank=1)
    SourceTrust.objects.create(agency=town["padron"], rank=2)

    assert golden_record(party)["phone"].value == {"phone": "+34600000002"}


def test_a_value_that_failed_validation_never_wins(supervisor: Actor, town: Any) -> None:
    party = make_party(supervisor)
    register(party, town["padron"], day("2025-03-12"), email="x@", flags={"email": "not an email"})
    register(party, town["salud"], day("2020-01-01"), email="buena@example.org")

    assert golden_record(party)["email"].value == {"email": "buena@example.org"}


def test_refreshing_applies_the_winning_name_and_birth_date_as_a_kept_correction(
    supervisor: Actor, town: Any
) -> None:
    party = make_party(supervisor, given_name="Isabel", family_name_1="Acosta")
    register(
        party,
        town["padron"],
        day("2025-03-12"),
        given_name="María Isabel",
        family_name_1="Acosta",
        family_name_2="Fernández",
        birth_date=date(1978, 5, 2),
    )

    party_refresh_golden(actor=supervisor, party_id=party.pk)

    party.refresh_from_db()
    assert party.display_name == "María Isabel Acosta Fernández"
    assert party.birth_date == date(1978, 5, 2)
    assert party.changes.filter(field="given_name", old_value="Isabel").exists()


def test_the_360_page_says_where_the_name_came_from_in_both_languages(
    supervisor: Actor, town: Any, make_staff: Any
) -> None:
    party = make_party(supervisor, given_name="Isabel", family_name_1="Acosta", family_name_2="")
    register(party, town["padron"], day("2025-03-12"), given_name="Isabel", family_name_1="Acosta")
    user = make_staff("jefa", "ayto", "supervisor")

    spanish = sign_in(Client(), user).get(f"/console/parties/{party.pk}/").content.decode()
    english = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), user)
    page = english.get(f"/console/parties/{party.pk}/").content.decode()

    assert "de: Padrón, verificado el 12/03/2025" in spanish
    assert "from: Register, verified 12/03/2025" in page
