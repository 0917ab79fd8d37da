"""The citizens' message templates: one per event, language and medium, edited by supervisors and
administrators (``template_update`` and its neighbours, each checked and audited), filled in by
``render`` with only the named placeholders, and cached a short while per process."""

from __future__ import annotations

import importlib
import logging
import re
import time
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_record
from ventanilla.core.errors import NotFound, ValidationFailed
from ventanilla.notifications.models import Medium, NotificationEvent, NotificationTemplate

logger = logging.getLogger("ventanilla.notifications.templates")

LANGUAGES = ("es", "en")


FALLBACK_LANGUAGE = "es"


# ``{name}`` is filled in, ``{{`` and ``}}`` are literal braces; anything else between braces
# ({0}, {reference.__class__}, {text!r}) is not a placeholder and is left as written. Templates
# are edited by staff, so they must never reach attributes or indexes of the values.
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")


def render(template: str, values: Mapping[str, str]) -> str:
    """Fill ``{name}`` placeholders from ``values``; unknown ones stay visible, nothing raises."""

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        name = match.group(1)
        return str(values[name]) if name in values else token

    return _PLACEHOLDER.sub(replace, template)


def case_link(reference: str, *, satisfaction: bool = False) -> str:
    """The portal page of a case (or of its satisfaction question) for the citizen."""
    base = settings.VENTANILLA_PUBLIC_URL.rstrip("/")
    suffix = "satisfaction/" if satisfaction else ""
    return f"{base}/portal/me/cases/{reference}/{suffix}"


def life_event_link(request_id: Any) -> str:
    """The portal page of a life-event request: the combined status of its cases."""
    base = settings.VENTANILLA_PUBLIC_URL.rstrip("/")
    return f"{base}/portal/me/life-events/{request_id}/"


TEMPLATES_TTL = 30.0


_template_cache: dict[str, tuple[float, dict[tuple[str, str], NotificationTemplate]]] = {}


def active_templates(event: str) -> dict[tuple[str, str], NotificationTemplate]:
    """The active templates of ``event`` by (language, medium); each process keeps them for
    ``TEMPLATES_TTL`` seconds (and forgets them at once when it changes one through the services
    below)."""
    cached = _template_cache.get(event)
    if cached is not None and time.monotonic() - cached[0] < TEMPLATES_TTL:
        return cached[1]
    templates = {
        (t.language, t.medium): t
        for t in NotificationTemplate.objects.filter(event=event, active=True)
    }
    _template_cache[event] = (time.monotonic(), templates)
    return templates


def forget_templates() -> None:
    """Drop this process's copy of the templates (after a change, and between tests)."""
    _template_cache.clear()


DEFAULT_TEMPLATE_MIGRATIONS = (
    "cases.migrations.0003_default_notification_templates",
    "cases.migrations.0008_consent_messages",
    "notifications.migrations.0002_life_event_message",
    "notifications.migrations.0005_appointment_reminder",
    "notifications.migrations.0006_mail_received_message",
    "notifications.migrations.0007_satisfaction_message",
    "notifications.migrations.0010_participation_message",
)


def templates_ensure() -> int:
    """Create any default message template that is missing (after a flush, say), leaving the
    ones staff have edited alone; the defaults are those the migrations above seed. Returns how
    many were created."""
    rows = [
        row
        for name in DEFAULT_TEMPLATE_MIGRATIONS
        for row in importlib.import_module(f"ventanilla.{name}").rows()
    ]
    created = 0
    for row in rows:
        _template, made = NotificationTemplate.objects.get_or_create(
            event=row["event"],
            language=row["language"],
            medium=row["medium"],
            defaults={"subject": row["subject"], "body": row["body"]},
        )
        created += int(made)
    if created:
        transaction.on_commit(forget_templates)
    return created


PLACEHOLDERS = ("reference", "service", "status", "text", "due_date", "link")


MAX_SMS = 320


def templates_list(*, actor: Actor) -> list[NotificationTemplate]:
    require(actor, Scope.CATALOG_MANAGE)
    return list(NotificationTemplate.objects.order_by("event", "language", "medium"))


def template_update(
    *, actor: Actor, template_id: Any, subject: str, body: str, active: bool
) -> NotificationTemplate:
    """Change what citizens are told at one moment. Only the known placeholders may be used, so
    a typo shows here rather than as ``{refrence}`` in a citizen's inbox."""
    require(actor, Scope.CATALOG_MANAGE)
    subject, body = subject.strip(), body.strip()
    with transaction.atomic():
        template = NotificationTemplate.objects.select_for_update().filter(pk=template_id).first()
        if template is None:
            raise NotFound(_("No such message."))
        errors = template_errors(template.medium, subject, body)
        if errors:
            raise ValidationFailed(errors)
        template.subject, template.body, template.active = subject, body, active
        template.save(update_fields=["subject", "body", "active", "updated_at"])
        _audit_template(actor, Action.MESSAGE_TEMPLATE_CHANGE, template)
    logger.info("%s changed the %s message %s", actor.label, template.medium, template)
    return template


def template_create(
    *,
    actor: Actor,
    event: str,
    language: str,
    medium: str,
    subject: str,
    body: str,
    active: bool = True,
) -> NotificationTemplate:
    """Add what citizens are told at one moment, in one language, by one medium, checked as a
    change is."""
    require(actor, Scope.CATALOG_MANAGE)
    subject, body = subject.strip(), body.strip()
    errors: dict[str, str] = {}
    if event not in NotificationEvent.values:
        errors["event"] = _("Unknown value.")
    if language not in LANGUAGES:
        errors["language"] = _("Unknown value.")
    if medium not in Medium.values:
        errors["medium"] = _("Unknown value.")
    errors.update(template_errors(medium, subject, body))
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        # The unique constraint decides under concurrency; this check only words the answer.
        if NotificationTemplate.objects.filter(
            event=event, language=language, medium=medium
        ).exists():
            raise ValidationFailed(
                {"event": _("There is a message for this moment, language and medium already.")}
            )
        template = NotificationTemplate.objects.create(
            event=event, language=language, medium=medium, subject=subject, body=body, active=active
        )
        _audit_template(actor, Action.MESSAGE_TEMPLATE_CHANGE, template, added=True)
    logger.info("%s added the %s message %s", actor.label, template.medium, template)
    return template


def template_delete(*, actor: Actor, template_id: Any) -> None:
    """Remove a message: at that moment, by that medium, people reading that language are sent
    the Spanish one instead, or nothing when it was the Spanish one (see ``notify_case``)."""
    require(actor, Scope.CATALOG_MANAGE)
    with transaction.atomic():
        template = NotificationTemplate.objects.select_for_update().filter(pk=template_id).first()
        if template is None:
            raise NotFound(_("No such message."))
        _audit_template(actor, Action.MESSAGE_TEMPLATE_DELETE, template)
        template.delete()
    logger.info("%s deleted the %s message %s", actor.label, template.medium, template)


def template_errors(medium: str, subject: str, body: str) -> dict[str, str]:
    """What is wrong with a message's text for its medium (nothing: an empty dict)."""
    errors: dict[str, str] = {}
    for field, text in (("subject", subject), ("body", body)):
        unknown = sorted(
            {m.group(1) for m in _PLACEHOLDER.finditer(text) if m.group(1)} - set(PLACEHOLDERS)
        )
        if unknown:
            errors[field] = _("Unknown placeholder: %(names)s. Use %(known)s.") % {
                "names": ", ".join(f"{{{name}}}" for name in unknown),
                "known": ", ".join(f"{{{name}}}" for name in PLACEHOLDERS),
            }
    if not body:
        errors["body"] = _("Write the message.")
    elif medium == Medium.SMS and len(body) > MAX_SMS:
        errors["body"] = _("An SMS holds at most %d characters.") % MAX_SMS
    elif len(body) > 4000:
        errors["body"] = _("Write at most %d characters.") % 4000
    if medium == Medium.EMAIL and not subject:
        errors["subject"] = _("An email needs a subject.")
    if len(subject) > 200:
        errors["subject"] = _("Write at most %d characters.") % 200
    return errors


def _audit_template(
    actor: Actor, action: Action, template: NotificationTemplate, *, added: bool = False
) -> None:
    """The entry of a change of a template, with what it says now (it holds no personal data);
    the processes' copies of the templates are dropped once the change commits."""
    detail: dict[str, Any] = {
        "event": template.event,
        "language": template.language,
        "medium": template.medium,
        "subject": template.subject,
        "body": template.body,
        "active": template.active,
    }
    if added:
        detail["added"] = True
    audit_record(
        actor=actor,
        action=action,
        object_type="notification_template",
        object_id=template.pk,
        detail=detail,
    )
    transaction.on_commit(forget_templates)


def template_preview(template: NotificationTemplate, subject: str, body: str) -> dict[str, str]:
    """The message as a citizen would read it, with example values."""
    values = {
        "reference": f"{settings.VENTANILLA_CASE_PREFIX}-2026-000123",
        "service": _("Certificate of residence"),
        "status": _("Resolved"),
        "text": _("The certificate is ready to download."),
        "due_date": formats.date_format(timezone.localdate(), "SHORT_DATE_FORMAT"),
        "link": case_link(f"{settings.VENTANILLA_CASE_PREFIX}-2026-000123"),
    }
    with translation.override(template.language):
        return {"subject": render(subject, values), "body": render(body, values)}
