"""Opening a case. The lifecycle (transitions, routing, escalation) arrives with the cases issue."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_record
from ventanilla.cases.models import Case, CaseSequence
from ventanilla.catalog.models import Channel, PublicService
from ventanilla.core.calendar import add_working_days
from ventanilla.core.errors import ValidationFailed
from ventanilla.interactions.models import Interaction
from ventanilla.parties.models import Party

MAX_DESCRIPTION = 4000


def next_case_reference(year: int) -> str:
    """The next reference of ``year`` (AY-2026-000123); call inside a transaction."""
    CaseSequence.objects.get_or_create(year=year)
    CaseSequence.objects.filter(year=year).update(last_number=F("last_number") + 1)
    number = CaseSequence.objects.get(year=year).last_number
    return f"{settings.VENTANILLA_CASE_PREFIX}-{year}-{number:06d}"


def case_open(
    *,
    actor: Actor,
    party_id: Any,
    service_code: str,
    channel: str,
    description: str = "",
    priority: str = Case.Priority.NORMAL,
    location_text: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    district: str = "",
    form_data: dict[str, Any] | None = None,
) -> Case:
    """Open a case for a party and record the contact that opened it on the party's history."""
    require(actor, Scope.CASES_WRITE, party_id=party_id)
    errors: dict[str, str] = {}
    description = description.strip()
    if len(description) > MAX_DESCRIPTION:
        errors["description"] = _("Write at most %d characters.") % MAX_DESCRIPTION
    if priority not in Case.Priority.values:
        errors["priority"] = _("Unknown value.")
    if (latitude is None) != (longitude is None):
        errors["latitude"] = _("Give both latitude and longitude, or neither.")
    elif latitude is not None and longitude is not None:
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            errors["latitude"] = _("Coordinates out of range.")
    party = Party.objects.filter(pk=party_id).first()
    if party is None:
        errors["party"] = _("No such party.")
    elif party.status != Party.Status.ACTIVE:
        errors["party"] = _("This party was merged into another; open the case there.")
    service = PublicService.objects.filter(code=service_code, active=True).first()
    if service is None:
        errors["service"] = _("Unknown service.")
    if not Channel.objects.filter(pk=channel).exists():
        errors["channel"] = _("Unknown channel.")
    if errors:
        raise ValidationFailed(errors)
    assert service is not None and party is not None  # noqa: S101 - narrowed by the checks above
    now = timezone.now()
    with transaction.atomic():
        case = Case.objects.create(
            reference=next_case_reference(timezone.localdate(now).year),
            party=party,
            service=service,
            channel_id=channel,
            department=service.department,
            priority=priority,
            opened_at=now,
            due_date=add_working_days(timezone.localdate(now), service.deadline_days),
            description=description,
            form_data=form_data or {},
            location_text=location_text.strip(),
            latitude=latitude,
            longitude=longitude,
            district=district.strip(),
        )
        Interaction.objects.create(
            party=party,
            channel_id=channel,
            agency=service.department,
            direction=Interaction.Direction.INBOUND,
            relationship=Interaction.Relationship.INFORMATION,
            kind=Interaction.Kind.REQUEST,
            service=service,
            case=case,
            agent_id=actor.user_id,
            occurred_at=now,
            summary=description or service.name_es,
        )
        audit_record(
            actor=actor,
            action=Action.CASE_CREATE,
            party_id=party.pk,
            object_type="case",
            object_id=case.pk,
        )
    return case
