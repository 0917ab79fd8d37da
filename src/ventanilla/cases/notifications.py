"""What the citizen is told about their case (placeholder until the outbox lands)."""

from __future__ import annotations

from ventanilla.cases.models import Case, Notification


def notify_case(*, case: Case, event: str, text: str = "") -> list[Notification]:
    return []
