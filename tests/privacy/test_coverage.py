"""Every relation to a person is declared in ``privacy.coverage`` — what the export hands over,
what erasure removes, what it keeps and why — and the export and erasure do what it says."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.db.models import ForeignObjectRel, Q

from ventanilla.access.actors import Actor, actor_for_citizen
from ventanilla.parties.models import Party
from ventanilla.privacy.coverage import COVERAGE, NAMED_BY_ID, Erasure
from ventanilla.privacy.export import party_export

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField, models.FileField)


def models_holding_data_of(model: type[models.Model], seen: set[str]) -> set[str]:
    """Every model that points at ``model`` (hidden relations too), and every model that points
    at those in turn: the rows of a case or a contact are the person's as much as the case."""
    for relation in model._meta.get_fields(include_hidden=True):
        if not isinstance(relation, ForeignObjectRel):
            continue
        # The link rows of a many-to-many (a sharing request's consents) are their ends' data.
        if relation.related_model._meta.auto_created:
            continue
        label = relation.related_model._meta.label
        if label not in seen:
            seen.add(label)
            models_holding_data_of(relation.related_model, seen)
    return seen


def text_fields(label: str) -> set[str]:
    """The fields that can hold words about a person: text, free text, JSON and files. A choice
    from a closed list is a code, not words about anyone."""
    return {
        f.name
        for f in apps.get_model(label)._meta.concrete_fields
        if isinstance(f, TEXT_FIELDS) and not f.choices
    }


def personal_fields(label: str) -> set[str]:
    return text_fields(label) - set(COVERAGE[label].not_personal)


def rows_of(label: str, people: list[Party]) -> models.QuerySet[Any]:
    cover = COVERAGE[label]
    reach = Q()
    for lookup in cover.rows:
        reach |= Q(**{f"{lookup}__in": [p.pk for p in people]})
    return apps.get_model(label)._default_manager.filter(reach)


def people_of(party: Party) -> list[Party]:
    return [party, *Party.objects.filter(merged_into=party)]


# --- The declaration is complete and says why ---


def test_every_model_that_points_at_a_person_is_declared() -> None:
    held = models_holding_data_of(Party, {"parties.Party"})

    undeclared = sorted(held - set(COVERAGE))
    stale = sorted(set(COVERAGE) - held)
    assert not undeclared, f"declare in privacy/coverage.py what happens to: {undeclared}"
    assert not stale, f"these no longer point at a person: {stale}"


@pytest.mark.parametrize("label", sorted(COVERAGE))
def test_every_personal_field_is_exported_or_erased(label: str) -> None:
    cover = COVERAGE[label]

    erased = text_fields(label) if cover.erasure == Erasure.DELETE else set(cover.erased)
    neither = sorted(personal_fields(label) - set(cover.exported) - erased)
    assert not neither, f"{label}: export or erase these, or say they are no personal data"


@pytest.mark.parametrize("label", sorted(COVERAGE))
def test_every_field_left_after_erasure_says_why(label: str) -> None:
    cover = COVERAGE[label]
    if cover.erasure == Erasure.DELETE:
        return

    fields = text_fields(label)
    named = [*cover.erased, *cover.kept, *cover.not_personal]
    unexplained = sorted(fields - set(named))
    twice = sorted({name for name in named if named.count(name) > 1})
    assert not unexplained, f"{label}: erase these, or say why they are kept"
    assert not twice, f"{label}: each field is erased, kept or not personal, once: {twice}"
    assert all(why.strip() for why in [*cover.kept.values(), *cover.not_personal.values()])


@pytest.mark.parametrize("label", sorted(COVERAGE))
def test_the_declaration_names_only_fields_and_lookups_that_exist(label: str) -> None:
    cover = COVERAGE[label]
    model = apps.get_model(label)
    names = {f.name for f in model._meta.concrete_fields}

    for name in [*cover.exported, *cover.erased, *cover.kept, *cover.not_personal]:
        assert name in names, f"{label} has no field {name}"
    assert set(cover.erased) <= text_fields(label)
    assert cover.erasure != Erasure.REWRITE or cover.erased
    assert not cover.export_only or cover.not_exported
    assert cover.sections or cover.not_exported, f"{label}: export it, or say why not"
    rows_of(label, [])  # a lookup that leads nowhere raises FieldError here


def test_rows_named_by_id_only_are_models_too() -> None:
    for label, why in NAMED_BY_ID.items():
        assert "party_id" in {f.name for f in apps.get_model(label)._meta.concrete_fields}
        assert why.strip()


# --- The export hands over what is declared ---


def _leaves(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in _leaves(v)]
    return [str(value)] if value not in (None, "") else []


def test_every_declared_section_comes_out_for_a_person_who_has_every_kind(
    full_record: dict[str, Any], citizen: Party, actor: Actor
) -> None:
    document = party_export(actor=actor, party_id=citizen.pk)

    empty = sorted(
        f"{label}: {key}"
        for label, cover in COVERAGE.items()
        for key in cover.sections
        if not document.get(key)
    )
    assert not empty, f"these sections came out empty for a person who has every kind: {empty}"


def test_the_export_holds_every_value_it_declares(
    full_record: dict[str, Any], citizen: Party, actor: Actor
) -> None:
    text = "\n".join(_leaves(party_export(actor=actor, party_id=citizen.pk)))
    own_label = actor_for_citizen(citizen).label  # shown as "you", not as the label

    missing = []
    for label, cover in COVERAGE.items():
        files = {
            f.name
            for f in apps.get_model(label)._meta.concrete_fields
            if isinstance(f, models.FileField)
        }
        shown = [name for name in cover.exported if name not in files]  # copies go in the zip
        if not shown:
            continue
        for row in rows_of(label, people_of(citizen)).filter(**cover.export_only).values(*shown):
            missing += [
                f"{label}.{name}: {leaf}"
                for name, value in row.items()
                for leaf in _leaves(value)
                if leaf != own_label and leaf not in text
            ]
    assert not missing, f"declared as exported, but not in the export: {missing}"
