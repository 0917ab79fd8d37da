"""Staff sign-in events in the audit log: password sign-in, refusal, lock-out and sign-out (from
Django's and django-axes' signals, whichever page called ``authenticate``), and the second-factor
outcomes the sign-in pages report.

Django's authentication announces its events only as signals; receiving them here is the one
place they meet the audit log (which sits above ``access``, so ``access`` cannot write to it).
A refused sign-in records the user name typed, never the password.
"""

from __future__ import annotations

from typing import Any

from axes.helpers import get_client_ip_address  # type: ignore[import-untyped]
from axes.signals import user_locked_out  # type: ignore[import-untyped]
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.http import HttpRequest

from ventanilla.access.actors import Actor, actor_for_user
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_record

USERNAME_CHARS = 150  # Django's own limit for a user name


def _client(request: HttpRequest | None) -> str:
    """The visitor's address as django-axes counts it (the same proxy settings apply)."""
    if request is None:
        return ""
    return str(get_client_ip_address(request) or "")


def sign_in_event(
    request: HttpRequest | None,
    action: Action,
    *,
    actor: Actor | None = None,
    user: Any = None,
    **detail: Any,
) -> None:
    """One audit entry for a sign-in event, with the address it came from."""
    if actor is None:
        actor = actor_for_user(user) if user is not None else Actor(label="anonymous")
    audit_record(
        actor=actor,
        action=action,
        object_type="user" if actor.user_id else "",
        object_id=actor.user_id or "",
        detail={"client": _client(request), **detail},
    )


def _typed_username(credentials: dict[str, Any] | None) -> str:
    # Only the user name: Django masks the password in these credentials, but nothing else
    # typed into the form belongs in the log.
    return str((credentials or {}).get("username") or "")[:USERNAME_CHARS]


def _signed_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    sign_in_event(request, Action.STAFF_SIGN_IN, user=user)


def _refused(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    sign_in_event(request, Action.STAFF_SIGN_IN_FAILED, username=_typed_username(credentials))


def _locked_out(
    sender: Any, request: HttpRequest | None = None, username: str | None = None, **kwargs: Any
) -> None:
    sign_in_event(request, Action.STAFF_LOCKED_OUT, username=str(username or "")[:USERNAME_CHARS])


def _signed_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:  # signing out of no session is no event
        sign_in_event(request, Action.STAFF_SIGN_OUT, user=user)


def connect() -> None:
    """Listen to the sign-in signals (called once, when the app is ready)."""
    user_logged_in.connect(_signed_in, dispatch_uid="ventanilla.sign_in_log.signed_in")
    user_login_failed.connect(_refused, dispatch_uid="ventanilla.sign_in_log.refused")
    user_locked_out.connect(_locked_out, dispatch_uid="ventanilla.sign_in_log.locked_out")
    user_logged_out.connect(_signed_out, dispatch_uid="ventanilla.sign_in_log.signed_out")
