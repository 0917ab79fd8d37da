"""The service classifier learnt from a small seeded town: trained and saved by version,
evaluated against the baselines on held-out cases, and used on a CSV of texts."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from ventanilla.cases.models import Case
from ventanilla.classifier.services import TrainedModel, current_model, model_evaluate, model_train
from ventanilla.demo.catalogue import ensure_catalogue
from ventanilla.demo.synthetic import seed_municipality

pytestmark = [pytest.mark.django_db, pytest.mark.long]


@pytest.fixture(scope="module")
def trained(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TrainedModel, Any]]:
    folder = tmp_path_factory.mktemp("models")
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_catalogue()
        seed_municipality(citizens=1_500, seed=7, progress=False, workers=0)
        model = model_train(directory=folder)
        scores, data = model_evaluate()
        yield model, {score.name: score for score in scores}
        transaction.set_rollback(True)


@pytest.fixture
def in_use(trained: tuple[TrainedModel, Any], settings: Any) -> TrainedModel:
    settings.VENTANILLA_CLASSIFIER_DIR = trained[0].path.parent
    return trained[0]


def test_training_saves_a_numbered_version_with_its_date_size_and_figures(
    in_use: TrainedModel,
) -> None:
    assert in_use.version == "v1"
    assert in_use.path.name == "service-classifier-v1.joblib"
    card = json.loads(in_use.path.with_suffix(".json").read_text())
    assert card["version"] == "v1" and card["trained_at"]
    assert card["training_size"] == in_use.training_size > 500
    finished = Case.objects.filter(is_open=False).count()
    assert in_use.training_size < finished
    assert 0 < card["metrics"]["char-word-tfidf-lr"]["macro_f1"] <= 1
    loaded = current_model()
    assert loaded is not None and loaded.version == "v1"


def test_the_model_beats_the_majority_and_keyword_baselines_on_held_out_cases(
    trained: tuple[TrainedModel, Any],
) -> None:
    scores = trained[1]
    model, majority, keywords = (
        scores["char-word-tfidf-lr"],
        scores["majority"],
        scores["keywords"],
    )
    assert model.accuracy > majority.accuracy + 0.3
    assert model.macro_f1 > majority.macro_f1 + 0.3
    assert model.macro_f1 > keywords.macro_f1
    assert model.macro_f1 >= scores["word-tfidf-lr"].macro_f1 - 0.02


def test_evaluate_prints_accuracy_and_macro_f1_for_each_contender(
    trained: tuple[TrainedModel, Any],
) -> None:
    out = StringIO()
    call_command("classifier", "evaluate", stdout=out)

    lines = out.getvalue().splitlines()
    assert "held out" in lines[0]
    assert "accuracy" in lines[1] and "macro-F1" in lines[1]
    names = [line.split()[0] for line in lines[2:]]
    assert names == ["majority", "keywords", "word-tfidf-lr", "char-word-tfidf-lr"]


def test_predict_reads_a_csv_of_texts_and_writes_the_service_and_its_confidence(
    in_use: TrainedModel, tmp_path: Path
) -> None:
    source = tmp_path / "in.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text"])
        writer.writerow(["1", "la farola de mi calle esta apagada desde el lunes"])
        writer.writerow(["2", "Hay un bache enorme en la calzada, casi me caigo con la moto"])
        writer.writerow(["3", "The street light outside my house has been off for days"])
        writer.writerow(["4", "necesito cita con mi medico de familia, tengo fiebre"])
        writer.writerow(["5", ""])
    target = tmp_path / "out.csv"

    call_command("classifier", "predict", "--input", source, "--output", target, stdout=StringIO())

    with target.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["id"] for row in rows] == ["1", "2", "3", "4", "5"]
    assert [row["service_code"] for row in rows[:4]] == [
        "alumbrado-publico",
        "desperfectos-calzada",
        "alumbrado-publico",
        "cita-medico",
    ]
    assert all(0 < float(row["confidence"]) <= 1 for row in rows)
    assert float(rows[0]["confidence"]) > float(rows[4]["confidence"])


def test_predict_refuses_a_csv_without_a_text_column(in_use: TrainedModel, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("id,body\n1,farola\n", encoding="utf-8")

    with pytest.raises(CommandError, match="no `text` column"):
        call_command("classifier", "predict", "--input", source, "--output", tmp_path / "o.csv")
    assert not (tmp_path / "o.csv").exists()


def test_predict_without_a_trained_model_says_how_to_get_one(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("text\nfarola\n", encoding="utf-8")

    with pytest.raises(CommandError, match="classifier train"):
        call_command("classifier", "predict", "--input", source, "--output", tmp_path / "o.csv")
