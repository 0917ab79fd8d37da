"""Sending text messages (SMS). The backend is a setting, as Django's email backend is:
``VENTANILLA_SMS_BACKEND`` names a class with ``send(recipient, body)``. The default writes each
message as a file in ``var/sms/`` so nothing leaves the machine until an operator plugs in a
provider's gateway."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("ventanilla.sms")


class SmsError(Exception):
    """The message could not be handed to the provider; the caller may retry later."""


class SmsBackend(Protocol):
    def send(self, recipient: str, body: str) -> None: ...


class FileBackend:
    """Writes every message to a file in VENTANILLA_SMS_FILE_PATH (one file per message)."""

    def send(self, recipient: str, body: str) -> None:
        folder = Path(settings.VENTANILLA_SMS_FILE_PATH)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")  # noqa: DTZ005 - a file name
            path = folder / f"{stamp}-{recipient.lstrip('+')}.txt"
            path.write_text(f"To: {recipient}\n\n{body}\n", encoding="utf-8")
        except OSError as error:
            raise SmsError(str(error)) from error


class LogBackend:
    """Writes every message to the log (for development and tests)."""

    def send(self, recipient: str, body: str) -> None:
        logger.info("SMS to %s: %s", recipient, body)


def send_sms(recipient: str, body: str) -> None:
    """Send one text message with the configured backend; raises SmsError when it fails."""
    backend: SmsBackend = import_string(settings.VENTANILLA_SMS_BACKEND)()
    backend.send(recipient, body)
