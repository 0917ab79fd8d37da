"""Residence read from the register: who may support a proposal or vote in a budget."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import override_settings

from tests.factories import make_party
from ventanilla.parties.models import ContactPoint, Party
from ventanilla.parties.residence import (
    NotEligible,
    participant_check,
    party_with_residence,
    residence_of,
)
from ventanilla.parties.services import ContactPointInput

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 1)


def home(district: str = "Centro", **extra: object) -> ContactPointInput:
    return ContactPointInput(kind="postal", value="Calle Mayor 3", district=district, **extra)


def test_a_registered_adult_takes_part_in_their_district(actor) -> None:
    party = make_party(actor, contact_points=[home("Centro")], birth_date=date(1980, 1, 1))
    assert participant_check(party, district="centro", today=TODAY).district == "Centro"
    with pytest.raises(NotEligible) as refused:
        participant_check(party, district="Estación", today=TODAY)
    assert refused.value.reason == "other_district"
    assert "Centro" in refused.value.message


def test_no_current_address_here_is_no_residence(actor) -> None:
    nowhere = make_party(actor, birth_date=date(1980, 1, 1))
    with pytest.raises(NotEligible) as refused:
        participant_check(nowhere, today=TODAY)
    assert refused.value.reason == "not_resident"
    moved_away = make_party(actor, contact_points=[home()], birth_date=date(1980, 1, 1))
    ContactPoint.objects.filter(party=moved_away, kind="postal").update(
        valid_until=TODAY - timedelta(days=1)
    )
    assert residence_of(moved_away, today=TODAY) is None
    elsewhere = make_party(
        actor, contact_points=[home(municipality="Otro Pueblo")], birth_date=date(1980, 1, 1)
    )
    assert residence_of(elsewhere, today=TODAY) is None


def test_age_is_the_administrations_rule(actor) -> None:
    teen = make_party(actor, contact_points=[home()], birth_date=date(2010, 6, 2))
    with pytest.raises(NotEligible) as refused:
        participant_check(teen, today=TODAY)
    assert refused.value.reason == "under_age"
    assert participant_check(teen, today=TODAY + timedelta(days=1))
    with override_settings(VENTANILLA_PARTICIPATION_MIN_AGE=0):
        assert participant_check(teen, today=TODAY)


def test_organisations_and_erased_people_do_not_take_part(actor) -> None:
    firm = make_party(
        actor, kind="organisation", legal_name="Talleres SL", given_name="", family_name_1="",
        family_name_2="", birth_date=None, identifiers=[], contact_points=[home()],
    )  # fmt: skip
    with pytest.raises(NotEligible) as refused:
        participant_check(firm, today=TODAY)
    assert refused.value.reason == "not_a_person"
    gone = make_party(actor, contact_points=[home()], birth_date=date(1980, 1, 1))
    Party.objects.filter(pk=gone.pk).update(status=Party.Status.ERASED)
    gone.refresh_from_db()
    assert residence_of(gone, today=TODAY) is None
    assert ContactPoint.objects.filter(party=gone).exists()


def test_a_party_read_with_its_residence_answers_alike_and_reads_nothing_more(
    actor, django_assert_num_queries, settings
) -> None:
    """A support or a vote reads the person and their residence in one query; the answer is
    the one read apart: the preferred current address here, never an expired one or one in
    another municipality."""
    mixed = make_party(
        actor,
        contact_points=[
            home("Norte", municipality="Otro Pueblo", preferred=True),
            home("Sur"),
            home("Centro", preferred=True),
        ],
        birth_date=date(1980, 1, 1),
    )
    ContactPoint.objects.filter(party=mixed, district="Sur").update(valid_until=TODAY)
    moved_away = make_party(actor, contact_points=[home()], birth_date=date(1980, 1, 1))
    ContactPoint.objects.filter(party=moved_away).update(valid_until=TODAY - timedelta(days=1))
    cased = make_party(
        actor,
        contact_points=[home("Este", municipality=settings.VENTANILLA_MUNICIPALITY.lower())],
        birth_date=date(1980, 1, 1),
    )
    assert residence_of(cased, today=TODAY) is not None
    for party in (cased, mixed, moved_away):
        with django_assert_num_queries(1):
            read = party_with_residence(party.pk, today=TODAY)
            assert read is not None
            together = residence_of(read, today=TODAY)
        assert together == residence_of(party, today=TODAY)
    assert together is None
    # The address valid to this very day, once preferred, is the one.
    ContactPoint.objects.filter(party=mixed, district="Centro").update(preferred=False)
    ContactPoint.objects.filter(party=mixed, district="Sur").update(preferred=True)
    with django_assert_num_queries(1):
        read = party_with_residence(mixed.pk, today=TODAY)
        assert read is not None
        assert participant_check(read, today=TODAY).district == "Sur"
    # Another day is read afresh; an erased person is not read at all.
    assert residence_of(read, today=TODAY + timedelta(days=1)).district == "Centro"  # type: ignore[union-attr]
    Party.objects.filter(pk=mixed.pk).update(status=Party.Status.ERASED)
    assert party_with_residence(mixed.pk, today=TODAY) is None
