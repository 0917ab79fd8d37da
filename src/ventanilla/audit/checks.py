"""System checks of the audit log's settings, shown by ``ventanilla check`` and at start-up."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Warning


def sink_configured(**kwargs: Any) -> list[CheckMessage]:
    """In production a log whose checkpoints live only in the database can be cut unseen by
    whoever controls the database; say so until a sink is chosen."""
    if not settings.VENTANILLA_PRODUCTION or settings.VENTANILLA_AUDIT_SINK:
        return []
    return [
        Warning(
            "VENTANILLA_AUDIT_SINK is not set: the audit log's checkpoints are kept only in the "
            "database, so entries cut from its end with the head rewound cannot be detected.",
            hint="Set VENTANILLA_AUDIT_SINK=file:/path (on storage the database's "
            "administrators cannot rewrite) or syslog: (forwarded to another host).",
            id="ventanilla.audit.W001",
        )
    ]
