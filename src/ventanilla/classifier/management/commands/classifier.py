"""`ventanilla classifier train | evaluate | predict | accuracy`: the service classifier."""

from __future__ import annotations

import argparse
import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ventanilla.classifier import learning
from ventanilla.classifier.selectors import production_accuracy
from ventanilla.classifier.services import (
    current_model,
    decisions_settle_finished,
    model_evaluate,
    model_train,
)

BATCH = 2_000


class Command(BaseCommand):
    help = (
        "The service classifier: `train` learns from closed cases and saves a new version; "
        "`evaluate` compares it with the baselines on held-out cases; `predict` reads a CSV "
        "with a `text` column and writes `service_code` and `confidence`; `accuracy` shows "
        "how staff received each version's suggestions."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("action", choices=["train", "evaluate", "predict", "accuracy"])
        parser.add_argument("--seed", type=int, default=learning.SEED, help="split seed")
        parser.add_argument("--input", type=Path, help="predict: CSV file with a `text` column")
        parser.add_argument("--output", type=Path, help="predict: CSV file written")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "train":
                self.train(options["seed"])
            elif action == "evaluate":
                self.evaluate(options["seed"])
            elif action == "predict":
                self.predict(options["input"], options["output"])
            else:
                self.accuracy()
        except ValueError as error:
            raise CommandError(str(error)) from error

    def train(self, seed: int) -> None:
        trained = model_train(seed=seed)
        figures = trained.metrics[learning.MODEL_NAME]
        self.stdout.write(
            f"Saved service classifier {trained.version} to {trained.path}: trained on "
            f"{trained.training_size:,} closed cases; on {trained.metrics['held_out']:,} held "
            f"out, accuracy {figures['accuracy']:.3f}, macro-F1 {figures['macro_f1']:.3f}."
        )

    def evaluate(self, seed: int) -> None:
        scores, data = model_evaluate(seed=seed)
        self.stdout.write(
            f"{len(data.train_texts):,} cases to learn from, {len(data.test_texts):,} held out, "
            f"{len(set(data.train_labels))} services."
        )
        self.stdout.write(f"{'model':<22}{'accuracy':>10}{'macro-F1':>10}{'fit s':>8}")
        for score in scores:
            self.stdout.write(
                f"{score.name:<22}{score.accuracy:>10.3f}{score.macro_f1:>10.3f}"
                f"{score.fit_seconds:>8.1f}"
            )

    def predict(self, source: Path | None, target: Path | None) -> None:
        if source is None or target is None:
            raise CommandError("predict needs --input FILE.csv and --output FILE.csv")
        model = current_model()
        if model is None:
            raise CommandError("No trained model: run `ventanilla classifier train` first.")
        try:
            with source.open(newline="", encoding="utf-8-sig") as handle:
                reader = csv.DictReader(handle)
                fields = list(reader.fieldnames or [])
                if "text" not in fields:
                    raise CommandError(f"{source} has no `text` column (it has: {fields}).")
                rows = list(reader)
        except (OSError, UnicodeDecodeError, csv.Error) as error:
            raise CommandError(f"Could not read {source}: {error}") from error
        out = [f for f in fields if f not in ("service_code", "confidence")]
        out += ["service_code", "confidence"]
        texts = [row.get("text") or "" for row in rows]
        with target.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=out, extrasaction="ignore")
            writer.writeheader()
            for start in range(0, len(rows), BATCH):
                batch = texts[start : start + BATCH]
                for row, (code, confidence) in zip(
                    rows[start : start + BATCH], model.model.suggest(batch), strict=True
                ):
                    writer.writerow(
                        {**row, "service_code": code, "confidence": f"{confidence:.4f}"}
                    )
        self.stdout.write(
            f"Wrote {len(rows):,} suggestions of model {model.version} to {target}.",
        )

    def accuracy(self) -> None:
        settled = decisions_settle_finished()
        if settled:
            self.stdout.write(f"Settled {settled:,} suggestions of finished cases.")
        rows = production_accuracy()
        if not rows:
            self.stdout.write("No suggestion made yet.")
            return
        self.stdout.write(
            f"{'version':<9}{'suggested':>10}{'applied':>9}{'settled':>9}{'accepted':>10}"
            f"{'evaluated':>11}"
        )
        for row in rows:
            rate = f"{row.accepted_rate:.1%}" if row.accepted_rate is not None else "-"
            evaluated = (
                f"{row.evaluated_accuracy:.1%}" if row.evaluated_accuracy is not None else "-"
            )
            flag = "  BELOW ITS EVALUATION" if row.flagged else ""
            self.stdout.write(
                f"{row.version:<9}{row.suggestions:>10,}{row.applied:>9,}{row.settled:>9,}"
                f"{rate:>10}{evaluated:>11}{flag}"
            )
