"""Security headers on every response: a Content-Security-Policy with no inline script or style,
the browser features the application never uses switched off, and no copy of any answer kept
by a browser or a proxy unless the answer says it may be."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        # Console pages, portal pages and API answers carry personal data, and even the public
        # pages show who is signed in: none may stay in a shared cache or in the browser's
        # history for the next person at the desk or kiosk. Static files (whose answers say
        # how long to keep them) and any answer that chose its own caching keep theirs.
        if "Cache-Control" not in response and not request.path.startswith(settings.STATIC_URL):
            response["Cache-Control"] = "no-store"
            response.setdefault("Pragma", "no-cache")
        return response
