"""Staff sign-in pages: password, then the second factor (enrolment with a QR code, the 6-digit
code, or a recovery code), the recovery codes page, the lock-out page after too many wrong
passwords, and changing one's password. Each second-factor outcome is audited."""

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
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp import login as otp_login  # type: ignore[import-untyped]

from ventanilla.access.actors import actor_for_user
from ventanilla.access.second_factor import (
    RECOVERY_CODES,
    CodeCheck,
    confirmed_device,
    is_verified,
    recovery_code_verify,
    recovery_codes_issue,
    recovery_codes_left,
    totp_device_confirm,
    totp_device_start,
    totp_verify,
)
from ventanilla.audit.actions import Action
from ventanilla.core.sessions import session_started
from ventanilla.web.accounts.sign_in_log import sign_in_event

# Fresh recovery codes wait here, in this session only, until their owner says they kept them.
FRESH_CODES_KEY = "recovery_codes_fresh"


def home(request: HttpRequest) -> HttpResponse:
    """Where the site's root sends a visitor: signed-in staff to the console, anyone else to the
    citizen portal."""
    if request.user.is_authenticated:
        return redirect("console:home")
    return redirect("portal:home")


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
            return _with_next("accounts:second-factor", url)
        return url


def _code_error(check: CodeCheck) -> str:
    if check.wait_until is not None:
        local = timezone.localtime(check.wait_until)
        return _("Too many wrong codes. Wait until %(time)s and try again.") % {
            "time": local.strftime("%H:%M:%S")
        }
    return _("That code is not right. Enter the 6 digits your authenticator app shows now.")


def _recovery_error(check: CodeCheck) -> str:
    if check.wait_until is not None:
        return _code_error(check)
    return _("That recovery code is not right, or it was used already.")


def _failed(request: HttpRequest, check: CodeCheck, kind: str) -> None:
    reason = "waiting" if check.wait_until is not None else "wrong"
    sign_in_event(request, Action.SECOND_FACTOR_FAILED, user=request.user, kind=kind, reason=reason)


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
        return redirect(_with_next("accounts:second-factor-enrol", next_url))
    error = recovery_error = ""
    if request.method == "POST" and "recovery_code" in request.POST:
        check, device = recovery_code_verify(user=user, code=request.POST["recovery_code"])
        if check.accepted:
            left = recovery_codes_left(user=user)
            sign_in_event(request, Action.SECOND_FACTOR_RECOVERY_USED, user=user, codes_left=left)
            if left <= 2:
                messages.warning(request, _low_codes(left))
            return _verified(request, device)
        _failed(request, check, "recovery")
        recovery_error = _recovery_error(check)
    elif request.method == "POST":
        check, device = totp_verify(user=user, token=request.POST.get("code", ""))
        if check.accepted:
            sign_in_event(request, Action.SECOND_FACTOR_VERIFIED, user=user, kind="app")
            return _verified(request, device)
        _failed(request, check, "app")
        error = _code_error(check)
    return render(
        request,
        "registration/second_factor.html",
        {"next": next_url, "error": error, "recovery_error": recovery_error},
    )


def _low_codes(left: int) -> str:
    if left == 0:
        return _("That was your last recovery code. Make new ones now on the recovery codes page.")
    return ngettext(
        "You have %(count)d recovery code left. Make new ones on the recovery codes page.",
        "You have %(count)d recovery codes left. Make new ones on the recovery codes page.",
        left,
    ) % {"count": left}


@login_required
def second_factor_enrol(request: HttpRequest) -> HttpResponse:
    """Add an authenticator app: scan the QR code (or type the secret), then enter a code.

    With a confirmed app already, a new one can only be added from a session that gave the
    current one's code (a lost phone is removed by an administrator instead)."""
    next_url = _safe_next(request)
    user: Any = request.user  # signed in (login_required), wrapped by django-otp
    if confirmed_device(user) is not None and not is_verified(user):
        return redirect(_with_next("accounts:second-factor", next_url))
    enrolment = totp_device_start(user=user)
    error = ""
    if request.method == "POST":
        with transaction.atomic():
            check = totp_device_confirm(
                user=user, device_id=enrolment.device.pk, token=request.POST.get("code", "")
            )
            if check.accepted:
                sign_in_event(request, Action.SECOND_FACTOR_ENROLLED, user=user)
                codes = recovery_codes_issue(user=user)
                sign_in_event(
                    request, Action.SECOND_FACTOR_RECOVERY_ISSUED, user=user, count=len(codes)
                )
        if check.accepted:
            messages.success(request, _("Your authenticator app is set up."))
            enrolment.device.refresh_from_db()
            _verified(request, enrolment.device)
            request.session[FRESH_CODES_KEY] = codes
            return redirect(_with_next("accounts:second-factor-recovery-codes", next_url))
        _failed(request, check, "enrolment")
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
            return redirect_to_login(
                request.get_full_path(), login_url=reverse("accounts:second-factor")
            )
        return view(request, *args, **kwargs)

    return login_required(wrapper)


@_second_factor_first
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Recovery codes: the fresh ones, once, until their owner says they kept them (or as a
    text file to keep); otherwise how many are left, and a button to make new ones."""
    next_url = _safe_next(request)
    user: Any = request.user
    fresh: list[str] = request.session.get(FRESH_CODES_KEY) or []
    if request.method == "POST":
        if request.POST.get("action") == "new":
            with transaction.atomic():
                codes = recovery_codes_issue(user=user)
                sign_in_event(
                    request, Action.SECOND_FACTOR_RECOVERY_ISSUED, user=user, count=len(codes)
                )
            request.session[FRESH_CODES_KEY] = codes
            return redirect(_with_next("accounts:second-factor-recovery-codes", next_url))
        request.session.pop(FRESH_CODES_KEY, None)  # "I have kept them"
        return redirect(next_url)
    if fresh and request.GET.get("download") == "txt":
        body = _("Recovery codes for %(user)s (each works once):") % {"user": user.get_username()}
        response = HttpResponse(
            "\n".join([body, "", *fresh, ""]), content_type="text/plain; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="recovery-codes.txt"'
        return response
    context = {
        "next": next_url,
        "codes": fresh,
        "left": recovery_codes_left(user=user),
        "total": RECOVERY_CODES,
        "has_app": confirmed_device(user) is not None,
    }
    return render(request, "registration/recovery_codes.html", context)


password_change = _second_factor_first(
    auth_views.PasswordChangeView.as_view(success_url=reverse_lazy("accounts:password-change-done"))
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
