"""Ready-made authenticator devices for the demo staff whose roles need a second factor, so that
a tester adds the printed secret to an app instead of enrolling. Development only: a real member
of staff enrols their own phone (``access.second_factor``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice  # type: ignore[import-untyped]

from ventanilla.access.second_factor import (
    DEVICE_NAME,
    Enrolment,
    enrolment_of,
    second_factor_required_for,
)
from ventanilla.demo.catalogue import STAFF

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


def demo_totp_device_ensure(*, user: AbstractBaseUser) -> Enrolment:
    """A confirmed device for a demo account, kept across runs (so a tester's authenticator
    app keeps working)."""
    if settings.VENTANILLA_PRODUCTION:
        raise RuntimeError("Demo devices are never created in production.")
    with transaction.atomic():
        device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).order_by("id").first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)
    return enrolment_of(device)


def demo_second_factors() -> list[tuple[str, Enrolment]]:
    """The demo staff whose roles need a second factor, each with a confirmed authenticator
    device (the same one on every run)."""
    users = get_user_model().objects.filter(username__in=[staff.username for staff in STAFF])
    by_name = {user.get_username(): user for user in users}
    enrolments = []
    for staff in STAFF:
        user = by_name.get(staff.username)
        if user is None:
            continue
        needs = second_factor_required_for(
            roles=frozenset({staff.role}), is_superuser=bool(user.is_superuser)
        )
        if needs:
            enrolments.append((staff.username, demo_totp_device_ensure(user=user)))
    return enrolments
