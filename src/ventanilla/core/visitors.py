"""Where a visitor comes from, as the doors that face the public need to know it: the portal
counts sign-in tries per address, the kiosk opens only to the office networks."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The visitor's address: the connection's, or the last one the trusted proxy added."""
    if settings.VENTANILLA_CLIENT_ADDRESS_HEADER:
        forwarded = request.headers.get(settings.VENTANILLA_CLIENT_ADDRESS_HEADER, "")
        if forwarded.strip():
            return forwarded.split(",")[-1].strip()
    return str(request.META.get("REMOTE_ADDR", ""))
