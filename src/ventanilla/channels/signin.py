"""Staff sign-in pages: password, then the second factor (enrolment with a QR code, or the
6-digit code), the lock-out page after too many wrong passwords, and changing one's password."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import login as otp_login  # type: ignore[import-untyped]

from ventanilla.access.actors import actor_for_user
from ventanilla.access.second_factor import (
    CodeCheck,
    confirmed_device,
    is_verified,
    totp_device_confirm,
    totp_device_start,
    totp_verify,
)
from ventanilla.core.sessions import session_started


def _safe_next(request: HttpRequest) -> str:
    """Where to go after this step: the ``next`` asked for, if it stays on this site."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


class StaffLoginView(auth_views.LoginView):
    """Django's sign-in, which then sends staff who need a second factor on to give it."""

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        session_started(self.request.session)
        return response

    def get_success_url(self) -> str:
        url = super().get_success_url()
        if actor_for_user(self.request.user).second_factor_pending:
            return _with_next("second-factor", url)
        return url


def _code_error(check: CodeCheck) -> str:
    if check.wait_until is not None:
        local = timezone.localtime(check.wait_until)
        return _("Too many wrong codes. Wait until %(time)s and try again.") % {
            "time": local.strftime("%H:%M:%S")
        }
    return _("That code is not right. Enter the 6 digits your authenticator app shows now.")


def _verified(request: HttpRequest, device: Any) -> HttpResponse:
    # A new session key once the second factor is given, as after a password sign-in.
    request.session.cycle_key()
    otp_login(request, device)
    return redirect(_safe_next(request))


@login_required
def second_factor(request: HttpRequest) -> HttpResponse:
    """Ask for the code of the authenticator app enrolled by this member of staff."""
    next_url = _safe_next(request)
    user: Any = request.user  # signed in (login_required), wrapped by django-otp
    if is_verified(user):
        return redirect(next_url)
    if confirmed_device(user) is None:
        if not actor_for_user(user).second_factor_pending:
            return redirect(next_url)
        return redirect(_with_next("second-factor-enrol", next_url))
    error = ""
    if request.method == "POST":
        check, device = totp_verify(user=user, token=request.POST.get("code", ""))
        if check.accepted:
            return _verified(request, device)
        error = _code_error(check)
    return render(
        request,
        "registration/second_factor.html",
        {"next": next_url, "error": error},
    )


@login_required
def second_factor_enrol(request: HttpRequest) -> HttpResponse:
    """Add an authenticator app: scan the QR code (or type the secret), then enter a code.

    With a confirmed app already, a new one can only be added from a session that gave the
    current one's code (a lost phone is removed by an administrator instead)."""
    next_url = _safe_next(request)
    user: Any = request.user  # signed in (login_required), wrapped by django-otp
    if confirmed_device(user) is not None and not is_verified(user):
        return redirect(_with_next("second-factor", next_url))
    enrolment = totp_device_start(user=user)
    error = ""
    if request.method == "POST":
        check = totp_device_confirm(
            user=user, device_id=enrolment.device.pk, token=request.POST.get("code", "")
        )
        if check.accepted:
            messages.success(request, _("Your authenticator app is set up."))
            enrolment.device.refresh_from_db()
            return _verified(request, enrolment.device)
        error = _code_error(check)
    qr = segno.make(enrolment.uri, error="m")
    context = {
        "next": next_url,
        "error": error,
        "qr": qr.svg_data_uri(scale=5, border=2),
        # Grouped in fours, as authenticator apps accept and people read more easily.
        "secret": " ".join(enrolment.secret[i : i + 4] for i in range(0, len(enrolment.secret), 4)),
        "uri": enrolment.uri,
    }
    return render(
        request,
        "registration/second_factor_enrol.html",
        context,
    )


def _second_factor_first(view: Callable[..., HttpResponseBase]) -> Callable[..., Any]:
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if actor_for_user(request.user).second_factor_pending:
            return redirect_to_login(request.get_full_path(), login_url=reverse("second-factor"))
        return view(request, *args, **kwargs)

    return login_required(wrapper)


password_change = _second_factor_first(
    auth_views.PasswordChangeView.as_view(success_url=reverse_lazy("password-change-done"))
)
password_change_done = _second_factor_first(auth_views.PasswordChangeDoneView.as_view())


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any
) -> HttpResponse:
    """django-axes' answer to a sign-in while locked: when to try again, in the user's
    language. Every failed try during the lock starts the cool-off again, so it is from now."""
    until: datetime = timezone.localtime(timezone.now() + settings.AXES_COOLOFF_TIME)
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "registration/locked_out.html",
        {"until": until, "minutes": minutes, "limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )
