"""Staff sign-in events in the audit log: signing in and out, refused passwords (the user name
typed, never the password), lock-outs, and the second factor given, refused or set up."""

from __future__ import annotations

import json
import re
from base64 import b32decode
from typing import Any

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from freezegun import freeze_time

from tests.conftest import PASSWORD, totp_code
from ventanilla.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

WRONG_PASSWORD = "not-the-password-Zq81"


def password_sign_in(client: Client, username: str, password: str = PASSWORD) -> Any:
    return client.post(
        "/accounts/login/?next=/console/",
        {"username": username, "password": password},
        REMOTE_ADDR="198.51.100.7",
    )


def entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def test_a_password_sign_in_and_the_sign_out_are_audited(agent_user: Any) -> None:
    client = Client()

    password_sign_in(client, "agente")
    client.post("/accounts/logout/")

    [signed_in] = entries("staff.sign_in")
    [signed_out] = entries("staff.sign_out")
    assert signed_in.actor == signed_out.actor == "agente"
    assert signed_in.user_id == agent_user.pk and signed_in.agencies == "ayto"
    assert signed_in.detail == {"client": "198.51.100.7"}


def test_a_refused_sign_in_records_the_user_name_typed_but_never_the_password(
    agent_user: Any,
) -> None:
    response = password_sign_in(Client(), "agente", WRONG_PASSWORD)

    [refused] = entries("staff.sign_in_failed")
    assert response.status_code == 200
    assert refused.actor == "anonymous" and refused.user_id is None
    assert refused.detail == {"client": "198.51.100.7", "username": "agente"}
    stored = json.dumps([entry.detail for entry in AuditEntry.objects.all()])
    assert WRONG_PASSWORD not in stored


def test_a_sign_in_for_an_unknown_user_name_is_audited_too(db: None) -> None:
    password_sign_in(Client(), "nadie", WRONG_PASSWORD)

    assert entries("staff.sign_in_failed")[0].detail["username"] == "nadie"


def test_the_lock_out_after_too_many_wrong_passwords_is_audited(
    agent_user: Any, settings: Any
) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        password_sign_in(client, "agente", WRONG_PASSWORD)

    locked = password_sign_in(client, "agente")

    assert locked.status_code == 429
    assert entries("staff.locked_out")
    assert entries("staff.locked_out")[-1].detail["username"] == "agente"
    assert not entries("staff.sign_in")  # the right password, while locked, does not sign in


def test_the_second_factor_given_and_refused_are_audited(make_staff: Any) -> None:
    user = make_staff("supervisora", "ayto", "supervisor")
    device = TOTPDevice.objects.create(user=user, name="Ventanilla", confirmed=True)
    client = Client()
    password_sign_in(client, "supervisora")

    with freeze_time() as clock:
        client.post("/accounts/second-factor/", {"code": "000000"})
        clock.tick(5)
        client.post("/accounts/second-factor/", {"code": totp_code(device)})

    [failed] = entries("second_factor.failed")
    [verified] = entries("second_factor.verified")
    assert failed.detail["kind"] == "app" and failed.detail["reason"] == "wrong"
    assert verified.actor == "supervisora" and verified.detail["kind"] == "app"


def test_setting_up_an_app_and_its_recovery_codes_are_audited(make_staff: Any) -> None:
    make_staff("tramitador", "urbanismo", "case_worker")
    client = Client()
    password_sign_in(client, "tramitador")
    page = client.get("/accounts/second-factor/enrol/").content.decode()
    secret = re.search(r'data-testid="secret">([A-Z2-7 ]+)<', page)
    assert secret is not None

    client.post(
        "/accounts/second-factor/enrol/",
        {"code": f"{totp(b32decode(secret.group(1).replace(' ', ''))):06d}"},
    )

    [enrolled] = entries("second_factor.enrolled")
    [issued] = entries("second_factor.recovery_issued")
    assert enrolled.actor == issued.actor == "tramitador"
    assert issued.detail["count"] == 10
    assert set(issued.detail) == {"client", "count"}  # how many, never the codes
