"""API of consents: record one for a party, withdraw one."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from ventanilla.api.auth import actor_of
from ventanilla.api.problems import PROBLEM_RESPONSES
from ventanilla.consent import services
from ventanilla.consent.models import Consent
from ventanilla.parties.api import ConsentOut

router = Router(tags=["consents"])


class ConsentIn(Schema):
    model_config = ConfigDict(extra="forbid")
    purpose: str = Field(min_length=1, max_length=200)
    recipient: str = Field(max_length=40, description="Code of the agency that may use the data")
    data_categories: list[str] = Field(min_length=1, max_length=len(services.DATA_CATEGORIES))
    legal_basis: Literal[
        "consent", "legal_obligation", "public_task", "vital_interest", "contract"
    ] = "consent"
    channel: str = Field(max_length=20, description="Where it was given (evidence)")
    expires_at: datetime | None = None


@router.post(
    "/parties/{party_id}/consents",
    response={201: ConsentOut, **PROBLEM_RESPONSES},
    summary="Record a consent (or another legal basis) of a party",
)
def record_consent(request: HttpRequest, party_id: UUID, payload: ConsentIn) -> Status[Consent]:
    consent = services.consent_record(
        actor=actor_of(request),
        party_id=party_id,
        purpose=payload.purpose,
        recipient_code=payload.recipient,
        data_categories=payload.data_categories,
        legal_basis=payload.legal_basis,
        channel=payload.channel,
        expires_at=payload.expires_at,
    )
    return Status(201, consent)


@router.post(
    "/consents/{consent_id}/withdraw",
    response={200: ConsentOut, **PROBLEM_RESPONSES},
    summary="Withdraw a consent, with effect at once",
)
def withdraw_consent(request: HttpRequest, consent_id: UUID) -> Consent:
    return services.consent_withdraw(actor=actor_of(request), consent_id=consent_id)
