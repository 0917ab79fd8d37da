"""API of consents: record one for a party, withdraw one; ask another agency for what it holds."""

from __future__ import annotations

import base64
import binascii
import io
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from ventanilla.access.actors import actor_of
from ventanilla.consent import services
from ventanilla.consent.models import Consent
from ventanilla.core.dates import EndTime
from ventanilla.core.errors import ValidationFailed
from ventanilla.core.problems import PROBLEM_RESPONSES

router = Router(tags=["consents"])


class ConsentOut(Schema):
    id: UUID
    purpose: str
    recipient: str = Field(alias="recipient.code")
    recipient_name: str = Field(alias="recipient.name")
    data_categories: list[str]
    legal_basis: str
    granted_at: datetime
    expires_at: datetime | None
    withdrawn_at: datetime | None
    channel: str = Field(alias="channel_id")
    recorded_by: str = Field(alias="recorded_by_label")
    given_by: str = Field(
        description="`person` (portal), `desk` (signed document kept) or `agency` (its own "
        "record of another basis, which opens nothing held elsewhere)"
    )
    explicit: bool = Field(description="Explicit consent to health and disability data")
    has_evidence: bool = Field(description="The signed document is kept")

    @staticmethod
    def resolve_has_evidence(obj: Any) -> bool:
        return bool(obj.evidence_file)


class EvidenceIn(Schema):
    model_config = ConfigDict(extra="forbid")
    file_name: str = Field(min_length=1, max_length=200)
    content_base64: str = Field(
        min_length=1, description="The document the person signed (PDF, image, ODT, DOCX)"
    )


class ConsentIn(Schema):
    model_config = ConfigDict(extra="forbid")
    purpose: str = Field(min_length=1, max_length=200)
    recipient: str = Field(max_length=40, description="Code of the agency that may use the data")
    data_categories: list[str] = Field(min_length=1, max_length=len(services.DATA_CATEGORIES))
    legal_basis: Literal[
        "consent", "legal_obligation", "public_task", "vital_interest", "contract"
    ] = Field(
        default="consent",
        description=(
            "`consent`: given by the person at a desk; a signed-in member of staff records it "
            "with `evidence` (API keys cannot). Any other basis names your own agency, never "
            "covers health or disability, and opens nothing held by other agencies."
        ),
    )
    channel: str = Field(max_length=20, description="Where it was given (evidence)")
    expires_at: EndTime | None = None
    explicit: bool = Field(
        default=False,
        description="The signed document gives explicit consent to health and disability data",
    )
    evidence: EvidenceIn | None = None


class ConsentWithdrawIn(Schema):
    model_config = ConfigDict(extra="forbid")
    instruction: str = Field(
        min_length=1,
        max_length=280,
        description="How the person asked for the withdrawal (kept as evidence)",
    )
    channel: str = Field(max_length=20, description="Where the person asked")


def _evidence(payload: EvidenceIn | None) -> services.Evidence | None:
    if payload is None:
        return None
    try:
        content = base64.b64decode(payload.content_base64, validate=True)
    except (binascii.Error, ValueError) as error:
        raise ValidationFailed({"evidence": _("The document is not valid base64.")}) from error
    return services.Evidence(
        file_name=payload.file_name, content=io.BytesIO(content), size=len(content)
    )


@router.post(
    "/parties/{party_id}/consents",
    response={201: ConsentOut, **PROBLEM_RESPONSES},
    summary="Record a consent given at a desk (or your agency's own legal basis) of a party",
    description=(
        "The person is told by message. Only a consent the person gave opens data held by "
        "other agencies: see `legal_basis`."
    ),
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
        explicit=payload.explicit,
        evidence=_evidence(payload.evidence),
    )
    return Status(201, consent)


@router.post(
    "/consents/{consent_id}/withdraw",
    response={200: ConsentOut, **PROBLEM_RESPONSES},
    summary="Withdraw a consent on the person's instruction, with effect at once",
    description=(
        "Only a consent given to your agency; the person is told. The person can also "
        "withdraw any of their consents in the portal."
    ),
)
def withdraw_consent(request: HttpRequest, consent_id: UUID, payload: ConsentWithdrawIn) -> Consent:
    return services.consent_withdraw(
        actor=actor_of(request),
        consent_id=consent_id,
        instruction=payload.instruction,
        channel=payload.channel,
    )
