"""API of once-only data sharing: one agency asks another for what it holds on a party."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from ventanilla.access.actors import actor_of
from ventanilla.consent.services import DATA_CATEGORIES
from ventanilla.core.problems import PROBLEM_RESPONSES
from ventanilla.sharing import services

router = Router(tags=["consents"])


LegalBasisName = Literal["consent", "legal_obligation", "public_task", "vital_interest", "contract"]


class SharingRequestIn(Schema):
    model_config = ConfigDict(extra="forbid")
    holder: str = Field(max_length=40, description="Code of the agency that holds the data")
    purpose: str = Field(max_length=300, description="Why the data is needed (logged)")
    data_categories: list[str] = Field(min_length=1, max_length=len(DATA_CATEGORIES))
    legal_basis: LegalBasisName = Field(
        default="consent",
        description=(
            "`consent`: a consent in force to your agency must cover every category. Otherwise "
            "name the law in `legal_reference`; health and disability need consent."
        ),
    )
    legal_reference: str = Field(default="", max_length=200)
    requester: str | None = Field(
        default=None,
        max_length=40,
        description="Which of your agencies asks; needed only when you act for several",
    )


class SharingAnswerOut(Schema):
    id: UUID
    outcome: str
    holder: str
    requester: str
    purpose: str
    data_categories: list[str]
    legal_basis: str
    legal_reference: str
    consents: list[UUID]
    answered_at: datetime
    data: dict[str, Any] = Field(
        description="What the holder has: records, attributes and, for `cases`, cases and contacts"
    )


@router.post(
    "/parties/{party_id}/sharing-requests",
    operation_id="ventanilla_consent_api_request_sharing",
    response={201: SharingAnswerOut, **PROBLEM_RESPONSES},
    summary="Ask another agency for data it already holds on a party (once-only)",
    description=(
        "Granted only where a consent in force or a named legal basis covers every category. "
        "A refusal is a 403 problem of type `urn:ventanilla:problem:sharing-refused` carrying "
        "`sharing_request_id`; both the request and the answer are in the audit log."
    ),
)
def request_sharing(
    request: HttpRequest, party_id: UUID, payload: SharingRequestIn
) -> Status[dict[str, Any]]:
    answer = services.sharing_request(
        actor=actor_of(request),
        party_id=party_id,
        holder_code=payload.holder,
        purpose=payload.purpose,
        data_categories=payload.data_categories,
        legal_basis=payload.legal_basis,
        legal_reference=payload.legal_reference,
        requester_code=payload.requester,
    )
    row = answer.request
    return Status(
        201,
        {
            "id": row.pk,
            "outcome": row.outcome,
            "holder": payload.holder,
            "requester": row.requester.code,
            "purpose": row.purpose,
            "data_categories": row.data_categories,
            "legal_basis": row.legal_basis,
            "legal_reference": row.legal_reference,
            "consents": [consent.pk for consent in row.consents.all()],
            "answered_at": row.answered_at,
            "data": answer.data,
        },
    )
