"""The people registered before candidate keys existed get theirs from the migration, so a
typo'd registration finds them too."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from ventanilla.parties.matchkeys import typed_keys

BEFORE_KEYS = [("parties", "0007_dates_within_plausible_bounds")]


def migrate(targets: list[tuple[str, str]] | None = None) -> Any:
    executor = MigrationExecutor(connection)
    plan_targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(plan_targets)
    executor.loader.build_graph()
    return executor.loader.project_state(plan_targets).apps


@pytest.fixture
def before_keys(transactional_db: None) -> Iterator[Any]:
    yield migrate(BEFORE_KEYS)
    migrate()


def test_people_registered_before_get_their_keys_and_organisations_none(before_keys: Any) -> None:
    Party = before_keys.get_model("parties", "Party")
    person = Party.objects.create(
        given_name="Isabel",
        family_name_1="Acosta",
        family_name_2="Fernández",
        birth_date=date(1978, 4, 11),
        sort_name="acosta fernandez isabel",
    )
    Party.objects.create(kind="organisation", legal_name="Talleres Acosta SL", sort_name="t")

    apps = migrate()

    keys = set(apps.get_model("parties", "PartyKey").objects.values_list("party_id", "key"))
    assert {party for party, _ in keys} == {person.pk}
    typo = typed_keys({"given_name": "Isabel", "family_name_1": "Acotsa"})
    assert typo & {key for _, key in keys}
