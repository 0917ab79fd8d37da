"""The models' doors for dates: their validators (model forms) and the database's CHECK constraints
refuse what the services refuse; and upgrading a database that holds dates stored before the
bounds mends them, so the constraints can be added, keeping what a birth date was in the party's
change history."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from tests.factories import make_party
from ventanilla.access.actors import Actor
from ventanilla.catalog.models import Agency
from ventanilla.interactions.models import Interaction
from ventanilla.parties.models import Party, Representation


def test_a_model_form_refuses_a_representation_ending_in_year_9999(
    actor: Actor,
) -> None:
    party, other = make_party(actor), make_party(actor)
    row = Representation(
        representative=party,
        represented=other,
        kind="authorised_person",
        valid_from=date(2020, 1, 1),
        valid_until=date(9999, 12, 31),
    )

    with pytest.raises(ValidationError) as refused:
        row.full_clean()

    assert set(refused.value.message_dict) == {"valid_until"}


def test_the_database_refuses_a_contact_in_year_one_written_past_the_services(
    actor: Actor,
) -> None:
    party = make_party(actor)
    with pytest.raises(IntegrityError), transaction.atomic():
        Interaction.objects.create(
            party=party,
            channel_id="web",
            agency=Agency.objects.get(code="ayto"),
            occurred_at=datetime(1, 1, 1, tzinfo=UTC),
            summary="x",
        )


def test_the_database_refuses_a_birth_date_in_year_one_written_past_the_services(
    actor: Actor,
) -> None:
    party = make_party(actor)
    with pytest.raises(IntegrityError), transaction.atomic():
        Party.objects.filter(pk=party.pk).update(birth_date=date(1, 1, 1))


BEFORE_BOUNDS = [
    ("parties", "0005_portal_sign_in_token"),
    ("interactions", "0002_interaction_attachment"),
]


def migrate(targets: list[tuple[str, str]] | None = None) -> Any:
    """Migrate to ``targets`` (every app to its latest when None); the apps as they stand then."""
    executor = MigrationExecutor(connection)
    plan_targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(plan_targets)
    executor.loader.build_graph()
    return executor.loader.project_state(plan_targets).apps


@pytest.fixture
def before_bounds(transactional_db: None, town: Any) -> Iterator[Any]:
    """The schema as it was before the bounds, with the town's agencies and channels."""
    yield migrate(BEFORE_BOUNDS)
    migrate()


def test_a_birth_date_in_year_one_becomes_unknown_and_stays_in_the_history(
    before_bounds: Any,
) -> None:
    party = before_bounds.get_model("parties", "Party").objects.create(
        given_name="Ana", family_name_1="Ruiz", sort_name="ruiz ana", birth_date=date(1, 1, 1)
    )

    apps = migrate()

    assert apps.get_model("parties", "Party").objects.get(pk=party.pk).birth_date is None
    change = apps.get_model("parties", "ProfileChange").objects.get(party_id=party.pk)
    assert (change.field, change.old_value, change.new_value) == ("birth_date", "0001-01-01", None)


def test_a_contact_dated_in_year_9999_is_dated_when_it_was_recorded(before_bounds: Any) -> None:
    party = before_bounds.get_model("parties", "Party").objects.create(
        given_name="Ana", family_name_1="Ruiz", sort_name="ruiz ana"
    )
    agency = before_bounds.get_model("catalog", "Agency").objects.get(code="ayto")
    contact = before_bounds.get_model("interactions", "Interaction").objects.create(
        party_id=party.pk,
        channel_id="phone",
        agency_id=agency.pk,
        occurred_at=datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC),
        summary="Llamada",
    )

    apps = migrate()

    mended = apps.get_model("interactions", "Interaction").objects.get(pk=contact.pk)
    assert mended.occurred_at == contact.created_at
