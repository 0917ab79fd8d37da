"""How the service classifier does in production, read from its decision log: per model
version, how many suggestions staff settled and how many of those they accepted, against the
accuracy the version showed on held-out cases when it was trained. No person is read."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from ventanilla.cases.models import Case
from ventanilla.catalog.models import PublicService
from ventanilla.classifier.models import ModelDecision
from ventanilla.classifier.services import model_cards

# A version is flagged when staff accept fewer of its suggestions than its evaluation promised,
# by more than this, once enough of them are settled to tell.
FLAG_MARGIN = 0.05
FLAG_MINIMUM = 30


@dataclass(frozen=True)
class VersionAccuracy:
    version: str
    suggestions: int
    applied: int
    settled: int
    accepted: int
    evaluated_accuracy: float | None

    @property
    def accepted_rate(self) -> float | None:
        return self.accepted / self.settled if self.settled else None

    @property
    def flagged(self) -> bool:
        rate = self.accepted_rate
        return (
            rate is not None
            and self.evaluated_accuracy is not None
            and self.settled >= FLAG_MINIMUM
            and rate < self.evaluated_accuracy - FLAG_MARGIN
        )


def production_accuracy() -> list[VersionAccuracy]:
    """One row per model version that made a suggestion, newest first."""
    rows = (
        ModelDecision.objects.values("model_version")
        .annotate(
            suggestions=Count("id"),
            applied=Count("id", filter=Q(applied=True)),
            settled=Count("id", filter=~Q(outcome=ModelDecision.Outcome.PENDING)),
            accepted=Count("id", filter=Q(outcome=ModelDecision.Outcome.ACCEPTED)),
        )
        .order_by("-model_version")
    )
    evaluated = {
        version: card["metrics"].get(card["model_name"], {}).get("accuracy")
        for version, card in model_cards().items()
    }
    return [
        VersionAccuracy(
            version=row["model_version"],
            suggestions=row["suggestions"],
            applied=row["applied"],
            settled=row["settled"],
            accepted=row["accepted"],
            evaluated_accuracy=evaluated.get(row["model_version"]),
        )
        for row in rows
    ]


@dataclass(frozen=True)
class CaseSuggestion:
    service_code: str
    service_name: str
    confidence: float
    applied: bool
    outcome: str


def case_suggestion(case: Case) -> CaseSuggestion | None:
    """The model's latest suggestion for ``case``, with the service's name in the active
    language, for the case page (the caller has already read the case)."""
    decision = (
        ModelDecision.objects.filter(case=case)
        .order_by("-created_at")
        .values("suggested_service", "confidence", "applied", "outcome")
        .first()
    )
    if decision is None:
        return None
    service = PublicService.objects.filter(code=decision["suggested_service"]).first()
    return CaseSuggestion(
        service_code=decision["suggested_service"],
        service_name=service.name if service is not None else decision["suggested_service"],
        confidence=decision["confidence"],
        applied=decision["applied"],
        outcome=decision["outcome"],
    )
