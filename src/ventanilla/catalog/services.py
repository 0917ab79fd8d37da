"""Writes of the catalogue: agencies and public services (safe to run twice)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from ventanilla.catalog.models import Agency, Channel, LifeEvent, PublicService
from ventanilla.core.errors import ValidationFailed


def agency_ensure(
    *, code: str, kind: str, name_es: str, name_en: str = "", parent: Agency | None = None
) -> Agency:
    """Create the agency, or bring an existing one with this code up to date."""
    if kind not in Agency.Kind.values:
        raise ValidationFailed({"kind": f"Unknown agency kind {kind!r}."})
    path = f"{parent.path}/{code}" if parent else code
    with transaction.atomic():
        agency, _ = Agency.objects.update_or_create(
            code=code,
            defaults={
                "kind": kind,
                "name_es": name_es,
                "name_en": name_en or name_es,
                "parent": parent,
                "path": path,
            },
        )
    return agency


def life_event_ensure(
    *,
    code: str,
    kind: str,
    name_es: str,
    name_en: str,
    description_es: str = "",
    description_en: str = "",
) -> LifeEvent:
    event, _ = LifeEvent.objects.update_or_create(
        code=code,
        defaults={
            "kind": kind,
            "name_es": name_es,
            "name_en": name_en,
            "description_es": description_es,
            "description_en": description_en,
        },
    )
    return event


def service_ensure(
    *,
    code: str,
    name_es: str,
    name_en: str,
    department: Agency,
    competent_agency: Agency | None = None,
    deadline_days: int = 30,
    channels: Iterable[str] = (),
    life_events: Iterable[LifeEvent] = (),
    description_es: str = "",
    description_en: str = "",
    input_schema: dict[str, object] | None = None,
) -> PublicService:
    with transaction.atomic():
        service, _ = PublicService.objects.update_or_create(
            code=code,
            defaults={
                "name_es": name_es,
                "name_en": name_en,
                "description_es": description_es,
                "description_en": description_en,
                "department": department,
                "competent_agency": competent_agency or department,
                "deadline_days": deadline_days,
                "input_schema": input_schema or {},
            },
        )
        service.channels.set(Channel.objects.filter(code__in=list(channels)))
        service.life_events.set(list(life_events))
    return service


# The built-in contact channels; their codes are part of the API. Migration 0002 keeps its own
# frozen copy, as migrations must; this list is what a flushed database is brought back to.
BUILT_IN_CHANNELS: tuple[tuple[str, str, str, bool], ...] = (
    ("web", "Portal web", "Web portal", False),
    ("kiosk", "Quiosco", "Kiosk", False),
    ("email", "Correo electrónico", "Email", False),
    ("phone", "Teléfono", "Phone", True),
    ("desk", "Atención presencial", "In-person desk", True),
    ("api", "API / otra administración", "API / another administration", False),
    ("post", "Correo postal", "Post", False),
    ("app", "Aplicación móvil", "Mobile app", False),
)


def channels_ensure() -> None:
    """Create any built-in channel that is missing (after a flush, say); safe to run twice."""
    present = set(Channel.objects.values_list("code", flat=True))
    Channel.objects.bulk_create(
        [
            Channel(code=code, name_es=name_es, name_en=name_en, assisted=assisted)
            for code, name_es, name_en, assisted in BUILT_IN_CHANNELS
            if code not in present
        ]
    )
