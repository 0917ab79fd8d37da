"""Training the service classifier on closed cases, keeping it on disk by version, suggesting a
service for a request written in free text, and the log of each suggestion and what staff did.

A model is one file in ``VENTANILLA_CLASSIFIER_DIR`` (``service-classifier-v<N>.joblib``) holding
the fitted pipeline with its version, date, training size and held-out figures; the newest is
the one used. No file, no suggestion: intake works as it did without a model."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import joblib
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ventanilla.access.actors import Actor
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_record
from ventanilla.cases.models import Case, CaseStatus
from ventanilla.cases.services import case_service_set
from ventanilla.catalog.models import PublicService
from ventanilla.classifier import learning
from ventanilla.classifier.models import ModelDecision

logger = logging.getLogger("ventanilla.classifier")

SYSTEM = Actor(label="system:classifier", sees_everything=True)
FILE_PATTERN = re.compile(r"^service-classifier-v(\d+)\.joblib$")
# Cases that end like this were never a request for their service.
NOT_LEARNT = (CaseStatus.CANCELLED,)


@dataclass(frozen=True)
class TrainedModel:
    version: str
    trained_at: datetime
    training_size: int
    metrics: dict[str, Any]
    model: learning.Linear
    departments: dict[str, str]
    path: Path

    def suggest(self, text: str) -> Suggestion:
        code, confidence = self.model.suggest([text])[0]
        return Suggestion(
            service_code=code,
            department_code=self.departments.get(code, ""),
            confidence=confidence,
            model_version=self.version,
        )


@dataclass(frozen=True)
class Suggestion:
    service_code: str
    department_code: str
    confidence: float
    model_version: str

    @property
    def confident(self) -> bool:
        return self.confidence >= settings.VENTANILLA_CLASSIFIER_THRESHOLD


# -- Learning ----------------------------------------------------------------------------------


def training_data(*, purpose: str) -> tuple[list[str], list[str]]:
    """The text and service of every finished case whose service has a department of its own
    (a general service that routing places teaches nothing). One audit entry records the read."""
    rows = list(
        Case.objects.filter(is_open=False, service__department__isnull=False)
        .exclude(status__in=NOT_LEARNT)
        .exclude(description="")
        .order_by("opened_at", "id")
        .values_list("description", "service__code")
    )
    with transaction.atomic():
        audit_record(
            actor=SYSTEM,
            action=Action.CASE_LIST,
            object_type="case",
            purpose=purpose,
            detail={"cases": len(rows)},
        )
    return [text for text, _ in rows], [code for _, code in rows]


def catalogue_texts() -> tuple[list[str], list[str]]:
    """The catalogue's own words for each service that has a department (names and
    descriptions, Spanish and English): learnt alongside the cases, so a service seldom asked
    for, or asked for in English, still has words."""
    texts, labels = [], []
    for code, *words in PublicService.objects.filter(
        active=True, department__isnull=False
    ).values_list("code", "name_es", "name_en", "description_es", "description_en"):
        for text in words:
            if text:
                texts.append(text)
                labels.append(code)
    return texts, labels


def learning_split(texts: list[str], labels: list[str], seed: int) -> learning.Split:
    data = learning.split(texts, labels, seed=seed)
    extra_texts, extra_labels = catalogue_texts()
    data.train_texts += extra_texts
    data.train_labels += extra_labels
    return data


def service_names() -> dict[str, str]:
    return {
        code: f"{name_es} {name_en}"
        for code, name_es, name_en in PublicService.objects.values_list(
            "code", "name_es", "name_en"
        )
    }


def model_evaluate(*, seed: int = learning.SEED) -> tuple[list[learning.Score], learning.Split]:
    """Every contender fitted on the same four fifths of the closed cases, scored on the rest."""
    texts, labels = training_data(purpose="evaluating the service classifier")
    data = learning_split(texts, labels, seed)
    scores = [
        learning.score(name, model, data) for name, model in learning.contenders(service_names())
    ]
    return scores, data


def model_train(*, seed: int = learning.SEED, directory: Path | None = None) -> TrainedModel:
    """Fit the model on four fifths of the closed cases, score it and the baselines on the
    fifth held out, and save it as the next version."""
    texts, labels = training_data(purpose="training the service classifier")
    data = learning_split(texts, labels, seed)
    metrics: dict[str, Any] = {}
    model: learning.Linear | None = None
    for name, contender in learning.contenders(service_names()):
        metrics[name] = learning.score(name, contender, data).as_dict()
        if name == learning.MODEL_NAME:
            assert isinstance(contender, learning.Linear)  # noqa: S101 - the chosen model
            model = contender
    assert model is not None  # noqa: S101 - MODEL_NAME is one of the contenders
    return model_save(
        model=model,
        training_size=len(data.train_texts),
        metrics={**metrics, "held_out": len(data.test_texts), "left_out": data.dropped},
        directory=directory,
    )


def model_save(
    *,
    model: learning.Linear,
    training_size: int,
    metrics: dict[str, Any],
    directory: Path | None = None,
) -> TrainedModel:
    """Keep a fitted model as the next version, with a card (JSON) beside it."""
    folder = directory or settings.VENTANILLA_CLASSIFIER_DIR
    folder.mkdir(parents=True, exist_ok=True)
    number = max((n for n, _ in _versions(folder)), default=0) + 1
    departments = {
        code: department or ""
        for code, department in PublicService.objects.values_list("code", "department__code")
    }
    trained = TrainedModel(
        version=f"v{number}",
        trained_at=timezone.now(),
        training_size=training_size,
        metrics=metrics,
        model=model,
        departments=departments,
        path=folder / f"service-classifier-v{number}.joblib",
    )
    payload = {
        "version": trained.version,
        "trained_at": trained.trained_at.isoformat(),
        "training_size": trained.training_size,
        "metrics": trained.metrics,
        "model_name": learning.MODEL_NAME,
        "pipeline": model.pipeline,
        "departments": departments,
    }
    partial = trained.path.with_suffix(".part")
    joblib.dump(payload, partial, compress=3)
    # The card beside it, readable without loading the model (and by a person).
    card = {key: value for key, value in payload.items() if key != "pipeline"}
    trained.path.with_suffix(".json").write_text(json.dumps(card, indent=2) + "\n")
    partial.replace(trained.path)
    _loaded.clear()
    return trained


def _versions(folder: Path) -> list[tuple[int, Path]]:
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        match = FILE_PATTERN.match(path.name)
        if match:
            found.append((int(match.group(1)), path))
    return sorted(found)


_loaded: dict[tuple[Path, float], TrainedModel] = {}


def current_model(directory: Path | None = None) -> TrainedModel | None:
    """The newest saved model, loaded once per process and again when a newer one appears."""
    versions = _versions(directory or settings.VENTANILLA_CLASSIFIER_DIR)
    if not versions:
        return None
    path = versions[-1][1]
    key = (path, path.stat().st_mtime)
    cached = _loaded.get(key)
    if cached is not None:
        return cached
    payload = joblib.load(path)
    trained = TrainedModel(
        version=payload["version"],
        trained_at=datetime.fromisoformat(payload["trained_at"]),
        training_size=payload["training_size"],
        metrics=payload["metrics"],
        model=learning.Linear(payload["pipeline"]),
        departments=payload["departments"],
        path=path,
    )
    _loaded.clear()
    _loaded[key] = trained
    return trained


def model_cards(directory: Path | None = None) -> dict[str, dict[str, Any]]:
    """Each saved version's card (date, training size, held-out figures), by version."""
    cards = {}
    for _, path in _versions(directory or settings.VENTANILLA_CLASSIFIER_DIR):
        card_path = path.with_suffix(".json")
        if card_path.exists():
            card = json.loads(card_path.read_text())
            cards[card["version"]] = card
    return cards


# -- Intake ------------------------------------------------------------------------------------


def suggest(text: str) -> Suggestion | None:
    """The service the current model reads in ``text``; None without a model or a text. A
    model that cannot be read is logged and treated as none: intake must go on."""
    if not text.strip():
        return None
    try:
        model = current_model()
    except (OSError, ValueError, KeyError, EOFError) as error:
        logger.warning("the service classifier could not be loaded: %s", error)
        return None
    if model is None:
        return None
    suggestion = model.suggest(text)
    active = PublicService.objects.filter(code=suggestion.service_code, active=True).exists()
    return suggestion if active else None


def input_digest(text: str) -> str:
    """A keyed digest of the text: the same text is recognised, no text can be read back."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def decision_record(
    *, suggestion: Suggestion, text: str, door: str, case: Case | None, applied: bool
) -> ModelDecision:
    """Log one suggestion: made by which model, on what (digest and length), how sure, and
    whether it was applied to ``case``."""
    return ModelDecision.objects.create(
        model_version=suggestion.model_version,
        door=door[:20],
        input_digest=input_digest(text),
        input_length=len(text),
        suggested_service=suggestion.service_code,
        confidence=round(suggestion.confidence, 4),
        applied=applied,
        case=case,
    )


# -- What staff did ----------------------------------------------------------------------------


def decision_settle(
    *, actor: Actor, case_id: Any, service_code: str, version: int | None = None
) -> Case:
    """Staff set (or keep) the service of a case the model made a suggestion for: the case is
    put under that service, and each pending suggestion of it is marked accepted or changed."""
    with transaction.atomic():
        case = case_service_set(
            actor=actor, case_id=case_id, service_code=service_code, version=version
        )
        _settle(case_ids=[case.pk], final={case.pk: service_code}, label=actor.label)
    return case


def decisions_settle_finished() -> int:
    """Settle the suggestions whose case is finished without staff saying anything: the service
    the case ended under is the one staff kept. Returns how many were settled."""
    finished = dict(
        Case.objects.filter(
            is_open=False, model_decisions__outcome=ModelDecision.Outcome.PENDING
        ).values_list("pk", "service__code")
    )
    if not finished:
        return 0
    return _settle(case_ids=list(finished), final=finished, label="system:case-finished")


def _settle(*, case_ids: list[Any], final: dict[Any, str], label: str) -> int:
    now = timezone.now()
    settled = 0
    pending = ModelDecision.objects.select_for_update().filter(
        case_id__in=case_ids, outcome=ModelDecision.Outcome.PENDING
    )
    with transaction.atomic():
        for decision in pending:
            service = final[decision.case_id]
            decision.outcome = (
                ModelDecision.Outcome.ACCEPTED
                if service == decision.suggested_service
                else ModelDecision.Outcome.CHANGED
            )
            decision.final_service = service
            decision.settled_at = now
            decision.settled_by = label[:150]
            decision.save(
                update_fields=["outcome", "final_service", "settled_at", "settled_by", "updated_at"]
            )
            settled += 1
    return settled
