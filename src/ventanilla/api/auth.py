"""How the API knows who calls: a staff session (with CSRF) or an integrating system's API key."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth

from ventanilla.access.actors import Actor, actor_for_api_key, actor_for_user
from ventanilla.api import ratelimit


class SecondFactorRequired(AuthenticationError):
    """A staff session whose roles need a second factor that has not been given yet."""

    def __init__(self) -> None:
        super().__init__(
            message=_(
                "Your session has not been confirmed with a second factor. Enter the code from "
                "your authenticator app at /accounts/second-factor/, or use an API key."
            )
        )


class StaffSession(SessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Actor | None:
        if not request.user.is_authenticated:
            return None
        actor = actor_for_user(request.user)
        if actor.second_factor_pending:
            raise SecondFactorRequired
        return actor if actor.is_staff_member else None


class ApiKeyBearer(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Actor | None:
        actor = actor_for_api_key(token.strip())
        if actor is None or actor.api_key_id is None:
            # Guessing keys counts against the caller's address like any call without a key.
            allowance = ratelimit.check_address(request)
            if allowance is not None and not allowance.allowed:
                raise ratelimit.RateLimited(allowance)
            return None
        ratelimit.check_key(request, key_id=actor.api_key_id, own_limit=actor.rate_per_minute)
        return actor


AUTH: list[Any] = [ApiKeyBearer(), StaffSession()]
