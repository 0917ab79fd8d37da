"""Writes of the catalogue: agencies, public services, holidays and the knowledge base (each
safe to run twice: matched by its code, created or brought up to date)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from ventanilla.catalog.forms import check_input_schema
from ventanilla.catalog.models import (
    Agency,
    Channel,
    DataCategory,
    Holiday,
    KnowledgeArticle,
    LifeEvent,
    PublicService,
)
from ventanilla.catalog.selectors import forget_holidays
from ventanilla.core.errors import NotFound, ValidationFailed

EVIDENCE_KEYS = frozenset({"code", "name_es", "name_en"})


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
    position: int | None = None,
) -> LifeEvent:
    """Create or update a life event; ``position`` (its place on the portal) is kept as the
    editors left it unless given, so a re-import does not undo their order."""
    defaults: dict[str, object] = {
        "kind": kind,
        "name_es": name_es,
        "name_en": name_en,
        "description_es": description_es,
        "description_en": description_en,
    }
    if position is not None:
        defaults["position"] = position
    event, _ = LifeEvent.objects.update_or_create(code=code, defaults=defaults)
    return event


def _check_evidence(evidence: Sequence[dict[str, str]]) -> list[dict[str, str]]:
    checked = []
    for position, item in enumerate(evidence, start=1):
        if not isinstance(item, dict) or not item.get("code") or not item.get("name_es"):
            raise ValidationFailed(
                {"evidence": f"Item {position} needs a code and a Spanish name (name_es)."}
            )
        extra = set(item) - EVIDENCE_KEYS
        if extra:
            raise ValidationFailed(
                {"evidence": f"Item {position} has unknown keys: {', '.join(sorted(extra))}."}
            )
        checked.append(
            {"code": item["code"], "name_es": item["name_es"], "name_en": item.get("name_en", "")}
        )
    return checked


def service_ensure(
    *,
    code: str,
    name_es: str,
    name_en: str,
    department: Agency | None,
    competent_agency: Agency | None = None,
    deadline_days: int = 30,
    channels: Iterable[str] = (),
    life_events: Iterable[LifeEvent] = (),
    description_es: str = "",
    description_en: str = "",
    input_schema: dict[str, Any] | None = None,
    cost_es: str = "",
    cost_en: str = "",
    cost_amount: Decimal | None = None,
    output_es: str = "",
    output_en: str = "",
    evidence: Sequence[dict[str, str]] = (),
    reopen_if_unhappy: bool = False,
    anonymous_reports: bool = False,
    active: bool = True,
    data_categories: Sequence[str] = (),
) -> PublicService:
    """Create the service, or bring the one with this code up to date. The input form must be a
    JSON Schema a form can be made of (see ``catalog.forms``); unknown channels are an error."""
    competent = competent_agency or department
    if competent is None:
        raise ValidationFailed({"competent_agency": "A service needs a competent agency."})
    try:
        check_input_schema(input_schema or {})
    except ValueError as error:
        raise ValidationFailed({"input_schema": str(error)}) from error
    if cost_amount is not None and cost_amount < 0:
        raise ValidationFailed({"cost_amount": "A cost cannot be negative."})
    checked_evidence = _check_evidence(evidence)
    unknown = sorted(set(data_categories) - set(DataCategory.values))
    if unknown:
        raise ValidationFailed(
            {"data_categories": f"Unknown data categories: {', '.join(unknown)}."}
        )
    channel_codes = sorted(set(channels))
    found = list(Channel.objects.filter(code__in=channel_codes))
    missing = set(channel_codes) - {c.code for c in found}
    if missing:
        raise ValidationFailed({"channels": f"Unknown channels: {', '.join(sorted(missing))}."})
    with transaction.atomic():
        service, _ = PublicService.objects.update_or_create(
            code=code,
            defaults={
                "name_es": name_es,
                "name_en": name_en,
                "description_es": description_es,
                "description_en": description_en,
                "department": department,
                "competent_agency": competent,
                "deadline_days": deadline_days,
                "input_schema": input_schema or {},
                "cost_es": cost_es,
                "cost_en": cost_en,
                "cost_amount": cost_amount,
                "output_es": output_es,
                "output_en": output_en,
                "evidence": checked_evidence,
                "reopen_if_unhappy": reopen_if_unhappy,
                "anonymous_reports": anonymous_reports,
                "active": active,
                "data_categories": sorted(set(data_categories)),
            },
        )
        service.channels.set(found)
        service.life_events.set(list(life_events))
    return service


def holiday_ensure(*, agency_code: str, day: date, name_es: str, name_en: str = "") -> Holiday:
    """Record a day off for the agency and everything below it (a national holiday on the
    administration, a local one on the town hall); renames it when it is there already."""
    agency = Agency.objects.filter(code=agency_code).first()
    if agency is None:
        raise NotFound(f"No agency {agency_code!r}.", field="agency")
    with transaction.atomic():
        holiday, _ = Holiday.objects.update_or_create(
            agency=agency, date=day, defaults={"name_es": name_es, "name_en": name_en}
        )
        # Deadlines computed after this commit must see the new day off.
        transaction.on_commit(forget_holidays)
    forget_holidays()
    return holiday


def knowledge_article_ensure(
    *,
    code: str,
    title_es: str,
    body_es: str,
    title_en: str = "",
    body_en: str = "",
    keywords: str = "",
    service_codes: Iterable[str] = (),
    active: bool = True,
) -> KnowledgeArticle:
    """Create the knowledge-base article, or bring the one with this code up to date, linked to
    exactly ``service_codes`` (all of which must exist)."""
    codes = sorted(set(service_codes))
    services = list(PublicService.objects.filter(code__in=codes))
    missing = set(codes) - {s.code for s in services}
    if missing:
        raise ValidationFailed({"services": f"Unknown services: {', '.join(sorted(missing))}."})
    if not title_es.strip() or not body_es.strip():
        raise ValidationFailed({"title_es": "An article needs a Spanish title and body."})
    with transaction.atomic():
        article, _ = KnowledgeArticle.objects.update_or_create(
            code=code,
            defaults={
                "title_es": title_es,
                "title_en": title_en,
                "body_es": body_es,
                "body_en": body_en,
                "keywords": keywords,
                "active": active,
            },
        )
        article.services.set(services)
    return article


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
    ("open311", "Open311", "Open311", False),
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
