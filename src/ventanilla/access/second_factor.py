"""The staff second factor: who must confirm a sign-in with a TOTP code, and the writes that
enrol an authenticator app and check its codes (django-otp's TOTP devices, throttled), and the
single-use recovery codes for a member of staff without their phone (django-otp's static
device, throttled the same way)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from base64 import b32encode
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django_otp.models import VerifyNotAllowed  # type: ignore[import-untyped]
from django_otp.plugins.otp_static.models import (  # type: ignore[import-untyped]
    StaticDevice,
    StaticToken,
)
from django_otp.plugins.otp_totp.models import TOTPDevice  # type: ignore[import-untyped]

from ventanilla.access.models import ROLES_NEEDING_SECOND_FACTOR

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

# One device per member of staff, under this name; enrolling again replaces an unconfirmed one.
DEVICE_NAME = "Ventanilla"
RECOVERY_DEVICE_NAME = "Recovery codes"
RECOVERY_CODES = 10
# Letters and digits nobody confuses when reading them from paper (no 0/o, 1/l/i).
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_LENGTH = 10  # 31^10: about 49 bits, tried one at a time with a doubling wait


def second_factor_required_for(*, roles: frozenset[str], is_superuser: bool) -> bool:
    """Whether holding these roles means confirming each sign-in with a code."""
    if settings.VENTANILLA_STAFF_SECOND_FACTOR == "off":
        return False
    return is_superuser or bool(roles & ROLES_NEEDING_SECOND_FACTOR)


def is_verified(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether this request's session was confirmed with a second factor (django-otp's flag)."""
    check = getattr(user, "is_verified", None)
    return bool(check is not None and check())


def confirmed_device(user: AbstractBaseUser) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).order_by("id").first()


@dataclass(frozen=True)
class Enrolment:
    """What an authenticator app needs: the otpauth:// URI (for the QR code) and the secret in
    base 32 (for typing it in by hand)."""

    device: TOTPDevice
    uri: str
    secret: str


def enrolment_of(device: TOTPDevice) -> Enrolment:
    secret = b32encode(device.bin_key).decode("ascii")
    return Enrolment(device=device, uri=device.config_url, secret=secret)


def totp_device_start(*, user: AbstractBaseUser) -> Enrolment:
    """The unconfirmed device a member of staff is enrolling, created on first visit; the same
    one (and secret) on a reload, so a QR code already scanned keeps working."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user_id=user.pk, confirmed=False)
            .order_by("id")
            .first()
        )
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return enrolment_of(device)


@dataclass(frozen=True)
class CodeCheck:
    """The outcome of a code: accepted, wrong, or not checked because of too many wrong ones
    (then ``wait_until`` says when the next is looked at)."""

    accepted: bool
    wait_until: datetime | None = None


def _check(device: TOTPDevice, token: str) -> CodeCheck:
    allowed, details = device.verify_is_allowed()
    if not allowed:
        info: dict[str, Any] = details or {}
        if info.get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS:
            return CodeCheck(accepted=False, wait_until=info.get("locked_until"))
        return CodeCheck(accepted=False)
    return CodeCheck(accepted=bool(device.verify_token(token.strip().replace(" ", ""))))


def totp_device_confirm(*, user: AbstractBaseUser, device_id: int, token: str) -> CodeCheck:
    """Confirm the device being enrolled with its first code; any other confirmed device of
    the user is removed, so a lost phone is replaced, not kept alongside."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(pk=device_id, user_id=user.pk, confirmed=False)
            .first()
        )
        if device is None:
            return CodeCheck(accepted=False)
        check = _check(device, token)
        if check.accepted:
            TOTPDevice.objects.filter(user_id=user.pk).exclude(pk=device.pk).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
    return check


def totp_verify(*, user: AbstractBaseUser, token: str) -> tuple[CodeCheck, TOTPDevice | None]:
    """Check a sign-in code against the user's confirmed device (locked while checked, so two
    requests cannot both use one code)."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user_id=user.pk, confirmed=True)
            .order_by("id")
            .first()
        )
        if device is None:
            return CodeCheck(accepted=False), None
        return _check(device, token), device


def _recovery_digest(code: str) -> str:
    """What the database keeps of a recovery code: a keyed hash, cut to django-otp's 16
    characters. Someone who reads the tables (or a backup) cannot use the codes, nor try them
    all offline without the key. A new SECRET_KEY makes the codes useless: staff make new ones."""
    normalized = "".join(ch for ch in code.lower() if ch.isalnum())
    mac = hmac.new(settings.SECRET_KEY.encode(), f"recovery:{normalized}".encode(), hashlib.sha256)
    return mac.hexdigest()[:16]


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
    half = RECOVERY_LENGTH // 2
    return f"{raw[:half]}-{raw[half:]}"


def recovery_codes_issue(*, user: AbstractBaseUser) -> list[str]:
    """Ten new single-use recovery codes for ``user``, replacing any left. Returned once, to be
    shown once: only their keyed hashes are kept."""
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
    with transaction.atomic():
        device = (
            StaticDevice.objects.select_for_update()
            .filter(user_id=user.pk, name=RECOVERY_DEVICE_NAME)
            .first()
        )
        if device is None:
            device = StaticDevice.objects.create(
                user=user, name=RECOVERY_DEVICE_NAME, confirmed=True
            )
        device.token_set.all().delete()
        StaticToken.objects.bulk_create(
            [StaticToken(device=device, token=_recovery_digest(code)) for code in codes]
        )
    return codes


def recovery_codes_left(*, user: AbstractBaseUser) -> int:
    """How many unused recovery codes ``user`` holds (0 when none were ever issued)."""
    return StaticToken.objects.filter(
        device__user_id=user.pk, device__name=RECOVERY_DEVICE_NAME
    ).count()


def recovery_code_verify(
    *, user: AbstractBaseUser, code: str
) -> tuple[CodeCheck, StaticDevice | None]:
    """Check a recovery code instead of the app's code; a right one is spent at once. Wrong ones
    make the next wait longer, as with the app's codes (the device is locked while checked)."""
    with transaction.atomic():
        device = (
            StaticDevice.objects.select_for_update()
            .filter(user_id=user.pk, name=RECOVERY_DEVICE_NAME, confirmed=True)
            .first()
        )
        if device is None:
            return CodeCheck(accepted=False), None
        return _check(device, _recovery_digest(code)), device
