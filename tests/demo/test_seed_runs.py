"""Running the seed: the same seed gives the same town, and a second run never duplicates it."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.utils import timezone

from ventanilla.cases.models import Case, CaseSequence
from ventanilla.demo.catalogue import DEMO_PASSWORD, STAFF, ensure_catalogue
from ventanilla.demo.models import SeedRun, SyntheticTruth
from ventanilla.demo.synthetic import SeedRefused, seed_municipality
from ventanilla.identity.models import SourceRecord
from ventanilla.interactions.models import Interaction
from ventanilla.parties.models import (
    ContactPoint,
    Identifier,
    NameToken,
    Party,
    ProfileAttribute,
    Representation,
)

pytestmark = pytest.mark.django_db
CITIZENS = 300


def digest() -> str:
    """A fingerprint of every generated row (catalogue keys are left out: they are not seeded)."""
    parts = [
        Party.objects.order_by("id").values_list(
            "id", "created_at", "sort_name", "birth_date", "sex", "accessibility_needs"
        ),
        NameToken.objects.order_by("party_id", "token").values_list("party_id", "token"),
        Identifier.objects.order_by("id").values_list("id", "party_id", "scheme", "value"),
        ContactPoint.objects.order_by("id").values_list("id", "party_id", "kind", "normalized"),
        ProfileAttribute.objects.order_by("id").values_list("id", "party_id", "name", "value"),
        Representation.objects.order_by("id").values_list(
            "id", "representative_id", "represented_id", "kind", "valid_until"
        ),
        Case.objects.order_by("id").values_list(
            "id", "reference", "party_id", "service__code", "status", "opened_at", "closed_at"
        ),
        Interaction.objects.order_by("id").values_list(
            "id", "party_id", "channel_id", "agency__code", "kind", "case_id", "occurred_at",
            "summary",
        ),
        SourceRecord.objects.order_by("id").values_list(
            "id", "agency__code", "source_key", "given_name", "family_name_1", "identifier"
        ),
        SyntheticTruth.objects.order_by("source_record_id").values_list(
            "source_record_id", "party_id", "distortions"
        ),
    ]  # fmt: skip
    hasher = hashlib.sha256()
    for rows in parts:
        for row in rows:
            hasher.update(repr(row).encode())
    return hasher.hexdigest()


def forget_the_town() -> None:
    for model in (SyntheticTruth, SourceRecord, Interaction, Case, CaseSequence, Party, SeedRun):
        model.objects.all().delete()


def test_the_same_seed_gives_the_same_town_whoever_makes_the_rows() -> None:
    ensure_catalogue()
    seed_municipality(citizens=CITIZENS, seed=3, progress=False, workers=0)
    first = digest()
    forget_the_town()
    # One forked process makes the rows this time, while this one writes them.
    seed_municipality(citizens=CITIZENS, seed=3, progress=False, workers=1)
    assert digest() == first
    forget_the_town()
    seed_municipality(citizens=CITIZENS, seed=4, progress=False, workers=0)
    assert digest() != first


def test_chunks_beyond_the_first_are_written_too() -> None:
    ensure_catalogue()
    summary = seed_municipality(
        citizens=5_200, seed=5, interactions_per_citizen=1, progress=False, workers=1
    )
    assert Party.objects.filter(kind="person").count() == 5_200 == summary.citizens
    assert Interaction.objects.count() == 5_200 == summary.interactions
    assert summary.rows > 5_200 and summary.rows_per_second > 0


def test_seeding_twice_with_the_same_seed_changes_nothing() -> None:
    out = StringIO()
    call_command("seed", citizens=CITIZENS, seed=3, no_progress=True, stdout=out)
    assert f"{CITIZENS:,} citizens" in out.getvalue()
    assert "rows/s" in out.getvalue()
    counts = (Party.objects.count(), Interaction.objects.count(), Case.objects.count())
    fingerprint = digest()
    again = StringIO()
    call_command("seed", citizens=CITIZENS, seed=3, no_progress=True, stdout=again)
    assert "already seeded" in again.getvalue()
    assert (Party.objects.count(), Interaction.objects.count(), Case.objects.count()) == counts
    assert digest() == fingerprint
    assert SeedRun.objects.get().finished_at is not None


def test_another_seed_on_a_seeded_database_is_refused() -> None:
    call_command("seed", citizens=50, seed=3, no_progress=True, stdout=StringIO())
    with pytest.raises(CommandError, match="seed 3"):
        call_command("seed", citizens=50, seed=4, no_progress=True, stdout=StringIO())
    assert SeedRun.objects.count() == 1


def test_an_unfinished_run_is_refused_with_how_to_reset() -> None:
    ensure_catalogue()
    SeedRun.objects.create(seed=3, citizens=50, started_at=timezone.now())
    with pytest.raises(SeedRefused, match="ventanilla flush"):
        seed_municipality(citizens=50, seed=3, progress=False)
    assert not Party.objects.exists()


def test_a_database_with_parties_of_its_own_is_refused() -> None:
    ensure_catalogue()
    Party.objects.create(kind="person", given_name="Ana", family_name_1="Ruiz", sort_name="x")
    with pytest.raises(SeedRefused, match="empty database"):
        seed_municipality(citizens=50, seed=3, progress=False)
    assert not SeedRun.objects.exists()


def test_the_catalogue_can_be_ensured_twice_and_the_staff_can_log_in() -> None:
    ensure_catalogue()
    ensure_catalogue()
    for staff in STAFF:
        sign_in_form = RequestFactory().post("/accounts/login/")  # django-axes needs a request
        user = authenticate(sign_in_form, username=staff.username, password=DEMO_PASSWORD)
        assert user is not None
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
