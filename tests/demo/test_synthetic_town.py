"""The synthetic municipality as seeded once: realistic, valid, searchable, and ready for more.

One town of 1,000 residents is seeded for the module inside a transaction that is rolled back at
the end, so each test only reads it (each test's own writes roll back with the test).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Count, Max, Min, Q
from stdnum.es import cif, dni, nie

from ventanilla.access.actors import Actor
from ventanilla.cases.models import Case, CaseEvent, CaseSequence, CaseStatus
from ventanilla.cases.services import case_open
from ventanilla.catalog.models import Channel
from ventanilla.core.text import fold
from ventanilla.demo.catalogue import ensure_catalogue
from ventanilla.demo.models import SyntheticTruth
from ventanilla.demo.synthetic import DISTORTIONS, REFERENCE_NOW, SeedSummary, seed_municipality
from ventanilla.demo.synthetic.resolutions import REJECTED, RESOLVED
from ventanilla.identity.models import SourceRecord
from ventanilla.interactions.models import Interaction
from ventanilla.parties.models import (
    ContactPoint,
    Identifier,
    NameToken,
    Party,
    Representation,
)
from ventanilla.parties.naming import name_fields, name_tokens, sort_name
from ventanilla.parties.selectors import party_search
from ventanilla.parties.validation import normalize_contact
from ventanilla.precedents.selectors import resolution_of

CITIZENS = 1_000
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def town(django_db_setup: None, django_db_blocker: Any) -> Iterator[SeedSummary]:
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_catalogue()
        summary = seed_municipality(citizens=CITIZENS, seed=11, progress=False, workers=0)
        yield summary
        transaction.set_rollback(True)


def test_the_town_has_the_residents_and_the_contacts_asked_for(town: SeedSummary) -> None:
    assert Party.objects.filter(kind="person").count() == CITIZENS
    assert Party.objects.filter(kind="organisation").count() == town.organisations > 0
    assert Interaction.objects.count() == town.interactions == CITIZENS * 10
    assert Case.objects.count() == town.cases > 0


def test_ages_follow_a_town_pyramid_with_about_one_minor_in_six(town: SeedSummary) -> None:
    births = list(Party.objects.filter(kind="person").values_list("birth_date", flat=True))
    today = REFERENCE_NOW.date()
    minors = sum(1 for birth in births if birth > today.replace(year=today.year - 18))
    seniors = sum(1 for birth in births if birth <= today.replace(year=today.year - 65))
    assert 0.12 < minors / len(births) < 0.24
    assert 0.12 < seniors / len(births) < 0.28


def test_every_minor_has_a_parent_who_represents_them(town: SeedSummary) -> None:
    adult_from = REFERENCE_NOW.date().replace(year=REFERENCE_NOW.year - 18)
    minors = Party.objects.filter(kind="person", birth_date__gt=adult_from)
    without = minors.exclude(represented_by__kind=Representation.Kind.PARENT)
    assert minors.exists()
    assert not without.exists()


def test_every_organisation_has_a_company_representative(town: SeedSummary) -> None:
    organisations = Party.objects.filter(kind="organisation")
    assert not organisations.exclude(
        represented_by__kind=Representation.Kind.COMPANY_REPRESENTATIVE
    ).exists()


def test_every_dni_nie_and_cif_is_valid_and_unique(town: SeedSummary) -> None:
    checks = {"dni": dni.is_valid, "nie": nie.is_valid, "cif": cif.is_valid}
    values = list(Identifier.objects.values_list("scheme", "value"))
    assert {scheme for scheme, _ in values} >= {"dni", "nie", "cif"}
    for scheme, value in values:
        if scheme in checks:
            assert checks[scheme](value), (scheme, value)
    assert len(values) == len(set(values))


def test_only_the_planted_wrong_check_letters_are_invalid_in_source_records(
    town: SeedSummary,
) -> None:
    wrong_letter = {
        pk
        for pk, distortions in SyntheticTruth.objects.values_list("source_record_id", "distortions")
        if "wrong_check_letter" in distortions
    }
    assert wrong_letter
    for pk, identifier in SourceRecord.objects.exclude(identifier="").values_list(
        "pk", "identifier"
    ):
        valid = dni.is_valid(identifier) or nie.is_valid(identifier)
        assert valid == (pk not in wrong_letter), identifier


def test_sort_names_and_name_tokens_are_those_the_services_compute(town: SeedSummary) -> None:
    tokens: dict[Any, set[str]] = {}
    for party_id, token in NameToken.objects.values_list("party_id", "token"):
        tokens.setdefault(party_id, set()).add(token)
    for party in Party.objects.all():
        assert party.sort_name == sort_name(**name_fields(party))
        assert tokens[party.pk] == set(name_tokens(**name_fields(party)))


def test_contact_points_are_normalised_as_the_services_normalise_them(town: SeedSummary) -> None:
    emails = list(ContactPoint.objects.filter(kind="email").values_list("value", "normalized"))
    assert len(emails) > CITIZENS // 2
    assert len({normalized for _, normalized in emails}) == len(emails)
    for value, normalized in emails[:200]:
        assert normalize_contact("email", value) == (value, normalized)
    phones = ContactPoint.objects.filter(kind="phone").values_list("value", "normalized")
    for value, normalized in phones[:200]:
        assert normalize_contact("phone", value) == (value, normalized)
    postal = ContactPoint.objects.filter(kind="postal", valid_until__isnull=True)
    assert postal.count() == Party.objects.count()
    assert not postal.filter(Q(district="") | Q(postal_code="")).exists()


def test_every_case_status_and_every_channel_appear(town: SeedSummary) -> None:
    statuses = set(Case.objects.values_list("status", flat=True))
    assert statuses == set(CaseStatus.values)
    channels = set(Interaction.objects.values_list("channel_id", flat=True).distinct())
    assert channels == set(Channel.objects.values_list("code", flat=True))


def test_cases_are_consistent_with_their_status_and_their_request(town: SeedSummary) -> None:
    cases = Case.objects.annotate(
        requests=Count("interactions", filter=Q(interactions__kind="request"))
    )
    assert not cases.exclude(requests=1).exists()
    assert not Case.objects.filter(is_open=True, closed_at__isnull=False).exists()
    assert not Case.objects.filter(is_open=False, closed_at__isnull=True).exists()
    assert not Case.objects.filter(satisfaction__isnull=False).exclude(status="closed").exists()
    assert Case.objects.filter(satisfaction__isnull=False).exists()
    for opened, due in Case.objects.values_list("opened_at", "due_date"):
        assert due > opened.astimezone(REFERENCE_NOW.tzinfo).date()
    old = Case.objects.filter(opened_at__lt=REFERENCE_NOW - timedelta(days=180))
    assert old.filter(status="closed").count() > 0.7 * old.count()


def test_interactions_span_three_years_and_august_is_quieter_than_september(
    town: SeedSummary,
) -> None:
    span = Interaction.objects.aggregate(first=Min("occurred_at"), last=Max("occurred_at"))
    assert span["last"] < REFERENCE_NOW
    assert span["first"] >= REFERENCE_NOW - timedelta(days=3 * 366)
    assert span["last"] - span["first"] > timedelta(days=3 * 365 - 10)
    months = Counter(Interaction.objects.values_list("occurred_at__month", flat=True))
    assert months[8] < 0.8 * months[9]
    desk = Interaction.objects.filter(channel_id="desk").values_list("occurred_at", flat=True)
    assert all(moment.astimezone(REFERENCE_NOW.tzinfo).weekday() < 5 for moment in desk)


def test_a_seeded_citizen_is_found_by_an_accentless_surname_prefix(
    town: SeedSummary, actor: Actor
) -> None:
    person = (
        Party.objects.filter(kind="person", family_name_1__regex=r"[áéíóúñÁÉÍÓÚÑ]")
        .exclude(family_name_2="")
        .order_by("sort_name")
        .first()
    )
    assert person is not None
    query = " ".join(
        (
            fold(person.given_name).split()[0],
            fold(person.family_name_1)[:4],
            fold(person.family_name_2)[:3],
        )
    )
    found = party_search(actor=actor, query=query, limit=200).items
    assert person in found


def test_source_records_carry_every_kind_of_distortion_and_some_strangers(
    town: SeedSummary,
) -> None:
    seen: set[str] = set()
    for distortions in SyntheticTruth.objects.values_list("distortions", flat=True):
        seen.update(distortions)
    assert seen == set(DISTORTIONS)
    assert SyntheticTruth.objects.filter(distortions=[]).exists()
    strangers = SourceRecord.objects.filter(truth__isnull=True)
    assert strangers.exists()
    assert SourceRecord.objects.count() == town.source_records
    distorted_people = (
        SyntheticTruth.objects.exclude(distortions=[]).values("party_id").distinct().count()
    )
    assert 0.02 * CITIZENS < distorted_people < 0.09 * CITIZENS


def test_a_swapped_birth_date_is_the_true_one_with_day_and_month_exchanged(
    town: SeedSummary,
) -> None:
    truths = SyntheticTruth.objects.select_related("source_record", "party").order_by("pk")
    truth = next(t for t in truths if "day_month_swapped" in t.distortions)
    true_birth: date = truth.party.birth_date  # type: ignore[assignment]
    assert truth.source_record.birth_date == true_birth.replace(
        day=true_birth.month, month=true_birth.day
    )


def test_case_sequences_are_ahead_of_every_seeded_reference(
    town: SeedSummary, actor: Actor
) -> None:
    highest: dict[int, int] = {}
    for reference in Case.objects.values_list("reference", flat=True):
        _prefix, year, number = reference.split("-")
        highest[int(year)] = max(highest.get(int(year), 0), int(number))
    sequences = dict(CaseSequence.objects.values_list("year", "last_number"))
    assert highest and all(sequences[year] >= number for year, number in highest.items())
    party = Party.objects.filter(kind="person").order_by("sort_name").first()
    assert party is not None
    case = case_open(
        actor=actor, party_id=party.pk, service_code="licencia-obra-menor", channel="web"
    )
    assert Case.objects.filter(reference=case.reference).count() == 1


def test_calls_and_visits_record_how_they_ended_and_other_channels_do_not(
    town: SeedSummary,
) -> None:
    by_channel = dict(
        Interaction.objects.filter(direction="inbound")
        .exclude(outcome="")
        .values_list("channel_id")
        .annotate(n=Count("id"))
    )
    assert set(by_channel) == {"phone", "desk"}
    assert not Interaction.objects.filter(direction="outbound").exclude(outcome="").exists()
    calls = Interaction.objects.filter(channel_id="phone", direction="inbound", case__isnull=True)
    answered = calls.filter(outcome="answered").count() / calls.count()
    assert 0.65 < answered < 0.9  # most calls are answered there and then
    assert (
        not Interaction.objects.filter(case__isnull=False, channel_id="desk")
        .exclude(outcome="case_opened")
        .filter(direction="inbound")
        .exists()
    )


def test_every_finished_case_says_how_it_was_resolved(town: SeedSummary) -> None:
    finished = Case.objects.filter(status__in=["resolved", "closed", "rejected"])
    resolving = CaseEvent.objects.filter(kind="transition", action__in=["resolve", "reject"])
    assert resolving.count() == finished.count() > 0
    assert not finished.exclude(events__in=resolving).exists()
    assert (
        not Case.objects.exclude(status__in=["resolved", "closed", "rejected"])
        .filter(events__in=resolving)
        .exists()
    )
    for case in finished.filter(service__code="alumbrado-publico")[:20]:
        event = case.events.get()
        assert event.public and event.occurred_at == case.closed_at
        assert resolution_of([event]) in RESOLVED["alumbrado-publico"]
    rejected = CaseEvent.objects.filter(action="reject").values_list("text", flat=True)
    assert set(rejected) <= set(REJECTED)
