"""Likely matches a person decides: both records side by side with the model's reasons, "same
person" joins them (merging two people when each had one), "not the same person" keeps them
apart for good, and decisions count as training labels in the next run."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

import pytest
from django.utils import translation

from tests.factories import valid_dni
from tests.identity.test_matching import GIVEN, SURNAMES, SYSTEM, plant, record
from ventanilla.access.actors import actor_for_user
from ventanilla.audit.models import AuditEntry
from ventanilla.catalog.models import Agency
from ventanilla.core.errors import Conflict, PermissionDenied
from ventanilla.identity import linkage
from ventanilla.identity.features import prepare
from ventanilla.identity.matching import identity_match
from ventanilla.identity.models import MatchModel, MatchReview, SourceRecord
from ventanilla.identity.reviews import (
    LEVELS,
    review_decide,
    review_get,
    reviews_waiting,
    reviews_waiting_count,
)
from ventanilla.merging.linking import match_review_link
from ventanilla.merging.models import MergeRecord
from ventanilla.merging.services import party_unmerge
from ventanilla.parties.models import Party


@pytest.fixture
def supervisor(make_staff: Any) -> Any:
    return actor_for_user(make_staff("jefa", "ayto", "supervisor"))


@pytest.fixture
def planted(town: dict[str, Agency]) -> dict[str, Any]:
    planted = plant(town)
    identity_match(actor=SYSTEM)
    return planted


def carmen_review(planted: dict[str, Any]) -> MatchReview:
    pair = [planted["carmen"], planted["carmen_maybe"]]
    return MatchReview.objects.get(record__in=pair, other_record__in=pair)


def party_of(source: SourceRecord) -> Any:
    source.refresh_from_db()
    return source.party_id


def test_the_reviewer_sees_both_records_field_by_field_with_the_reasons_in_spanish(
    planted: dict[str, Any], supervisor: Any
) -> None:
    review = carmen_review(planted)

    with translation.override("es"):
        pending = review_get(actor=supervisor, review_id=review.pk, purpose="Revisar")
        rows = {e.label: e for e in pending.evidence}

    assert {pending.left.name, pending.right.name} == {
        "Remedios Escribano Olmedo",
        "Remedios Escribano",
    }
    assert {pending.left.source, pending.right.source} == {"Servicio de Salud", "Padrón"}
    assert rows["Apellidos"].level == "falta un apellido"
    assert rows["Apellidos"].verdict == "for"
    assert rows["Domicilio"].verdict == "against"
    assert rows["Fecha de nacimiento"].verdict == "neutral"
    assert 50 <= pending.percent < 99
    read = AuditEntry.objects.filter(action="identity.review_read", object_id=str(review.pk))
    assert set(read.values_list("party_id", flat=True)) == {
        party_of(planted["carmen"]),
        party_of(planted["carmen_maybe"]),
    }


def test_every_level_the_model_can_name_has_words_for_the_reviewer() -> None:
    labels = {
        level.get("label_for_charts")
        for comparison in linkage.settings()["comparisons"]
        for level in comparison["comparison_levels"]
    }

    assert labels <= set(LEVELS)


def test_same_person_merges_the_two_people_and_names_the_reviewer(
    planted: dict[str, Any], supervisor: Any
) -> None:
    review = carmen_review(planted)
    first, second = party_of(planted["carmen"]), party_of(planted["carmen_maybe"])
    older = Party.objects.filter(pk__in=[first, second]).order_by("created_at", "id").first()
    assert older is not None

    decided, merge = match_review_link(actor=supervisor, review_id=review.pk)

    assert decided.status == MatchReview.Status.LINKED
    assert merge is not None and merge.survivor_id == older.pk
    assert party_of(planted["carmen"]) == party_of(planted["carmen_maybe"]) == older.pk
    assert planted["carmen"].decided_by == supervisor.label
    assert f"{round(review.probability * 100)}%" in merge.reason
    assert (
        reviews_waiting_count(actor=supervisor) == MatchReview.objects.filter(status="open").count()
    )
    assert AuditEntry.objects.filter(action="identity.review", party_id=older.pk).exists()


def test_the_merge_a_review_made_can_be_undone(planted: dict[str, Any], supervisor: Any) -> None:
    review = carmen_review(planted)
    before = {party_of(planted["carmen"]), party_of(planted["carmen_maybe"])}
    _decided, merge = match_review_link(actor=supervisor, review_id=review.pk)
    assert merge is not None

    party_unmerge(actor=supervisor, merged_id=merge.merged_id)

    assert {party_of(planted["carmen"]), party_of(planted["carmen_maybe"])} == before
    assert MergeRecord.objects.get(pk=merge.pk).unmerged_at is not None


def test_a_record_no_one_holds_is_linked_to_the_registered_person(
    planted: dict[str, Any], supervisor: Any, town: dict[str, Agency]
) -> None:
    isabel = planted["isabel"]
    stray = record(town["salud"], "H99", given_name="Isabel", family_name_1="Acosta")
    review = MatchReview.objects.create(
        record=stray,
        party=isabel,
        model=MatchModel.objects.get(),
        probability=0.8,
        comparisons=[{"comparison": "surnames", "level": "one surname missing", "weight": 4.0}],
    )

    _decided, merge = match_review_link(actor=supervisor, review_id=review.pk)

    assert merge is None
    assert party_of(stray) == isabel.pk
    stray.refresh_from_db()
    assert stray.decided_by == supervisor.label
    assert stray.match_score == pytest.approx(0.8)


def test_not_the_same_person_is_kept_and_never_put_to_anyone_again(
    planted: dict[str, Any], supervisor: Any, town: dict[str, Agency]
) -> None:
    review = carmen_review(planted)
    apart = {party_of(planted["carmen"]), party_of(planted["carmen_maybe"])}

    review_decide(actor=supervisor, review_id=review.pk, same=False)
    record(town["padron"], "A77", given_name="Remedios", family_name_1="Escribano",
           family_name_2="Olmedo", postal_code="41809")  # fmt: skip
    identity_match(actor=SYSTEM)

    review.refresh_from_db()
    assert review.status == MatchReview.Status.NOT_SAME
    assert {party_of(planted["carmen"]), party_of(planted["carmen_maybe"])} == apart
    pair = [planted["carmen"], planted["carmen_maybe"]]
    assert MatchReview.objects.filter(record__in=pair, other_record__in=pair).count() == 1


def test_a_pair_decided_once_cannot_be_decided_again(
    planted: dict[str, Any], supervisor: Any
) -> None:
    review = carmen_review(planted)
    review_decide(actor=supervisor, review_id=review.pk, same=False)

    with translation.override("en"), pytest.raises(Conflict) as refused:
        match_review_link(actor=supervisor, review_id=review.pk)

    assert "already decided by" in refused.value.message
    assert "Not the same person" in refused.value.message
    assert party_of(planted["carmen"]) != party_of(planted["carmen_maybe"])


def test_a_front_line_agent_may_not_review(planted: dict[str, Any], actor: Any) -> None:
    review = carmen_review(planted)

    with pytest.raises(PermissionDenied):
        reviews_waiting(actor=actor)
    with pytest.raises(PermissionDenied):
        review_decide(actor=actor, review_id=review.pk, same=True)
    assert reviews_waiting_count(actor=actor) == 0
    review.refresh_from_db()
    assert review.status == MatchReview.Status.OPEN


def test_pairs_people_linked_count_in_the_next_training_run(
    planted: dict[str, Any], supervisor: Any, town: dict[str, Agency], monkeypatch: Any
) -> None:
    monkeypatch.setattr(linkage, "LABELS_FOR_M", 1)
    match_review_link(actor=supervisor, review_id=carmen_review(planted).pk)
    record(town["padron"], "A78", given_name="Nuevo", family_name_1="Registro",
           birth_date=date(1999, 9, 9))  # fmt: skip

    summary = identity_match(actor=SYSTEM)

    assert summary.labels == 1
    entry = AuditEntry.objects.filter(action="identity.match").latest("at")
    assert entry.detail["labels"] == 1


def test_labels_change_what_the_model_learns() -> None:
    """The same records trained with and without people's labels give other m probabilities."""
    rng = random.Random(5)
    rows = []
    for n in range(150):
        given, (first, second) = rng.choice(GIVEN), rng.sample(SURNAMES, 2)
        born = date(rng.randint(1930, 2010), rng.randint(1, 12), rng.randint(1, 28))
        dni = valid_dni(30_000_000 + n * 7919)
        for copy in range(2):
            swapped = copy and n % 3 == 0
            values = {
                "given_name": given if not copy else given.upper(),
                "family_name_1": second if swapped else first,
                "family_name_2": first if swapped else second,
                "birth_date": born.replace(day=born.month, month=born.day)
                if copy and n % 5 == 0 and born.day <= 12
                else born,
                "identifier": dni if not copy or n % 2 else "",
                "postal_code": f"4180{(n + copy * (n % 4 == 0)) % 10}",
            }
            rows.append({"unique_id": f"r:{n}:{copy}", "origin": "record", **prepare(values)})
    table = linkage.rows_table(rows)
    labels = [(f"r:{n}:0", f"r:{n}:1") for n in range(0, 150, 3)]
    original = linkage.LABELS_FOR_M
    try:
        linkage.LABELS_FOR_M = 10
        with_labels = linkage.train_and_score(table, labels=labels).model
    finally:
        linkage.LABELS_FOR_M = original
    without = linkage.train_and_score(table).model

    def m_of(model: dict[str, Any]) -> dict[str, list[Any]]:
        return {
            comparison["output_column_name"]: [
                level.get("m_probability") for level in comparison["comparison_levels"]
            ]
            for comparison in model["comparisons"]
        }

    learnt, unlabelled = m_of(with_labels), m_of(without)
    assert [name for name in learnt if learnt[name] != unlabelled[name]]
