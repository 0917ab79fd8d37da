"""Cases from another system in bulk (``case_open_many``): up to a thousand per call, each opened
by ``case_open`` as a case from the console or the API is (checked, routed, given its deadline,
audited, told to the citizen), each whole or not at all, each with its own result, and
idempotent by the sender's key (``external_id``, per agency): sending a key again gives back the
case opened the first time. Each item is its own transaction, so one refused item leaves the
others as they are and a call cut off half-way can be sent again whole."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.cases.models import Case, CaseKey
from ventanilla.cases.services import case_open
from ventanilla.catalog.models import Agency
from ventanilla.core.contention import retry_on_contention
from ventanilla.core.errors import DomainError, ValidationFailed
from ventanilla.interactions.services import acting_agency

MAX_ITEMS = 1000


@dataclass(frozen=True)
class CaseItem:
    """One case of a batch: what ``case_open`` takes, the sender's key, and the agency the key
    is kept for (the sender's own when it acts for one only)."""

    external_id: str
    party_id: Any
    service_code: str
    channel: str
    description: str = ""
    priority: str = Case.Priority.NORMAL
    location_text: str = ""
    latitude: float | None = None
    longitude: float | None = None
    district: str = ""
    form_data: dict[str, Any] = field(default_factory=dict)
    agency_code: str | None = None


@dataclass
class CaseItemResult:
    """``created`` (opened now), ``existing`` (its key was sent before: that case), or
    ``failed`` with the errors by field; nothing of a failed item is written."""

    index: int
    external_id: str
    status: str = "failed"
    case: Case | None = None
    errors: dict[str, str] = field(default_factory=dict)


def _earlier(agency: Agency, external_id: str) -> Case | None:
    key = (
        CaseKey.objects.filter(agency=agency, external_id=external_id)
        .select_related("case__service", "case__department")
        .first()
    )
    return key.case if key is not None else None


@retry_on_contention
def _open(actor: Actor, agency: Agency, item: CaseItem) -> Case:
    with transaction.atomic():
        case = case_open(
            actor=actor,
            party_id=item.party_id,
            service_code=item.service_code,
            channel=item.channel,
            description=item.description,
            priority=item.priority,
            location_text=item.location_text,
            latitude=item.latitude,
            longitude=item.longitude,
            district=item.district,
            form_data=item.form_data,
        )
        CaseKey.objects.create(agency=agency, external_id=item.external_id, case=case)
    return case


def _open_item(actor: Actor, agency: Agency, item: CaseItem, result: CaseItemResult) -> None:
    earlier = _earlier(agency, item.external_id)
    if earlier is not None:
        result.status, result.case = "existing", earlier
        return
    try:
        result.case = _open(actor, agency, item)
    except IntegrityError:
        # Another call opened this key between the look-up and the write: that case.
        result.case = _earlier(agency, item.external_id)
        if result.case is None:
            result.errors["external_id"] = _(
                "This key is being recorded by another call; send it again."
            )
            return
        result.status = "existing"
        return
    except ValidationFailed as error:
        result.errors.update(error.errors)
        return
    except DomainError as error:
        result.errors[error.field or "case"] = error.message
        return
    result.status = "created"


def case_open_many(*, actor: Actor, items: Sequence[CaseItem]) -> list[CaseItemResult]:
    """Open a batch of cases; one result per item, in the order given."""
    require(actor, Scope.CASES_WRITE)
    if not 1 <= len(items) <= MAX_ITEMS:
        raise ValidationFailed(
            {"items": _("Send from 1 to %(most)d cases at a time.") % {"most": MAX_ITEMS}}
        )
    agencies: dict[str | None, Agency | DomainError] = {}
    keys_in_call: set[tuple[Any, str]] = set()
    results = []
    for index, item in enumerate(items):
        result = CaseItemResult(index=index, external_id=item.external_id)
        results.append(result)
        if not item.external_id.strip() or len(item.external_id) > 100:
            result.errors["external_id"] = _(
                "Give your own key of this case (at most 100 characters)."
            )
            continue
        if item.agency_code not in agencies:
            try:
                agencies[item.agency_code] = acting_agency(
                    actor=actor, agency_code=item.agency_code
                )
            except DomainError as error:
                agencies[item.agency_code] = error
        agency = agencies[item.agency_code]
        if isinstance(agency, DomainError):
            result.errors["agency"] = agency.message
            continue
        if (agency.pk, item.external_id) in keys_in_call:
            result.errors["external_id"] = _("This key is given twice in this call.")
            continue
        keys_in_call.add((agency.pk, item.external_id))
        _open_item(actor, agency, item, result)
    return results
