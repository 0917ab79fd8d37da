"""Whatever two records of one person hold — cases, contacts, consents, identifiers, the same
email on both, facts, people acting for them or for each other — merging them and undoing the
merge gives back every row exactly as it was."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import make_party, valid_dni
from tests.merging.dump import dump_of
from ventanilla.access.actors import Actor, actor_for_user
from ventanilla.cases.services import case_open
from ventanilla.catalog.models import Agency, Channel, PublicService
from ventanilla.consent.models import Consent
from ventanilla.interactions.services import interaction_record
from ventanilla.merging.services import party_merge, party_unmerge
from ventanilla.parties.models import (
    ContactPoint,
    Identifier,
    Party,
    ProfileAttribute,
    Representation,
)

EMAILS = ["ana@example.org", "ana.garcia@example.org", "casa@example.org"]
FACTS = ["occupation", "household_size"]


@st.composite
def holdings(draw: st.DrawFn) -> dict[str, Any]:
    """What one of the two records holds; drawn from small pools, so both often share some."""
    return {
        "cases": draw(st.integers(0, 2)),
        "interactions": draw(st.integers(0, 2)),
        "consents": draw(st.integers(0, 2)),
        "identifiers": draw(st.integers(0, 2)),
        "emails": draw(st.lists(st.tuples(st.sampled_from(EMAILS), st.booleans()), max_size=3)),
        "facts": draw(st.lists(st.sampled_from(FACTS), unique=True, max_size=2)),
        # Acting for the other record, for a third person, or represented by a third person.
        "represents_other": draw(st.booleans()),
        "represents_third": draw(st.booleans()),
        "represented_by_third": draw(st.booleans()),
    }


def give(
    party: Party, other: Party, third: Party, held: dict[str, Any], actor: Actor, code: str
) -> None:
    for _ in range(held["cases"]):
        case_open(actor=actor, party_id=party.pk, service_code=code, channel="desk")
    for n in range(held["interactions"]):
        interaction_record(actor=actor, party_id=party.pk, channel="phone", summary=f"Llamada {n}")
    for n in range(held["consents"]):
        Consent.objects.create(
            party=party,
            purpose=f"Avisos {n}",
            recipient=Agency.objects.get(code="ayto"),
            data_categories=["contact"],
            legal_basis="public_task",
            granted_at=timezone.now(),
            channel=Channel.objects.get(code="desk"),
            recorded_by_label="jefa",
        )
    for _ in range(held["identifiers"]):
        Identifier.objects.create(party=party, scheme="passport", value=valid_dni())
    for email, preferred in held["emails"]:
        ContactPoint.objects.create(
            party=party, kind="email", value=email, normalized=email, preferred=preferred
        )
    for name in held["facts"]:
        ProfileAttribute.objects.create(party=party, name=name, value=str(party.pk)[:4])
    since = date(2025, 3, 12)
    pairs = [
        (held["represents_other"], party, other),
        (held["represents_third"], party, third),
        (held["represented_by_third"], third, party),
    ]
    for wanted, representative, represented in pairs:
        if wanted:
            Representation.objects.create(
                representative=representative,
                represented=represented,
                kind="authorised_person",
                valid_from=since,
            )


@pytest.mark.django_db
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(survivor_holds=holdings(), duplicate_holds=holdings())
def test_merging_two_records_and_undoing_it_gives_back_every_row_exactly(
    make_staff: Any,
    service: PublicService,
    survivor_holds: dict[str, Any],
    duplicate_holds: dict[str, Any],
) -> None:
    supervisor = actor_for_user(make_staff("jefa", "ayto", "supervisor"))
    with transaction.atomic():
        survivor, duplicate, third = (make_party(supervisor, contact_points=[]) for _ in range(3))
        give(survivor, duplicate, third, survivor_holds, supervisor, service.code)
        give(duplicate, survivor, third, duplicate_holds, supervisor, service.code)
        before = dump_of(survivor, duplicate, third)

        party_merge(
            actor=supervisor, survivor_id=survivor.pk, merged_id=duplicate.pk, reason="Ella"
        )
        assert not duplicate.cases.exists() and not duplicate.interactions.exists()
        assert not duplicate.consents.exists() and not duplicate.identifiers.exists()
        party_unmerge(actor=supervisor, merged_id=duplicate.pk)

        assert dump_of(survivor, duplicate, third) == before
        transaction.set_rollback(True)  # the next example starts from an empty town again
