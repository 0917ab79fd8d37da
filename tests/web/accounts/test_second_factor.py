"""Staff whose roles see personal data confirm each sign-in with a code from an authenticator
app (TOTP): enrolment with a QR code, the code page, wrong codes, and the doors that insist."""

from __future__ import annotations

import re
from base64 import b32decode
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from freezegun import freeze_time

from tests.conftest import PASSWORD, sign_in, totp_code
from ventanilla.access.models import ROLES_NEEDING_SECOND_FACTOR
from ventanilla.access.second_factor import recovery_code_verify, recovery_codes_issue
from ventanilla.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

NEEDING = sorted(ROLES_NEEDING_SECOND_FACTOR)
RECOVERY_PAGE = "/accounts/second-factor/recovery-codes/"


def password_sign_in(client: Client, username: str, next_url: str = "/console/") -> Any:
    return client.post(
        f"/accounts/login/?next={next_url}", {"username": username, "password": PASSWORD}
    )


def enrolled(make_staff: Any, username: str = "supervisora", role: str = "supervisor") -> Any:
    user = make_staff(username, "ayto", role)
    TOTPDevice.objects.create(user=user, name="Ventanilla", confirmed=True)
    return user


def test_a_front_line_agent_signs_in_with_the_password_alone(agent_user: Any) -> None:
    client = Client()

    response = password_sign_in(client, "agente")

    assert response["Location"] == "/console/"
    assert client.get("/console/").status_code == 200


@pytest.mark.parametrize("role", NEEDING)
def test_after_the_password_an_enrolled_member_of_staff_is_asked_for_the_code(
    role: str, make_staff: Any
) -> None:
    enrolled(make_staff, "persona", role)
    client = Client()

    response = password_sign_in(client, "persona")

    assert response["Location"].startswith("/accounts/second-factor/?next=")
    console = client.get("/console/")
    assert console.status_code == 302
    assert console["Location"].startswith("/accounts/second-factor/")


def test_the_right_code_opens_the_console(make_staff: Any) -> None:
    user = enrolled(make_staff)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    password_sign_in(client, "supervisora")

    code = totp_code(TOTPDevice.objects.get(user=user))
    response = client.post("/accounts/second-factor/", {"code": code, "next": "/console/?q=ana"})

    assert response["Location"] == "/console/?q=ana"
    assert client.get("/console/").status_code == 200


def test_a_wrong_code_is_refused_next_to_the_field_in_english_and_spanish(
    make_staff: Any,
) -> None:
    enrolled(make_staff)
    english, spanish = Client(HTTP_ACCEPT_LANGUAGE="en"), Client(HTTP_ACCEPT_LANGUAGE="es")
    password_sign_in(english, "supervisora")
    password_sign_in(spanish, "supervisora")

    with freeze_time() as clock:
        in_english = english.post("/accounts/second-factor/", {"code": "000000"})
        clock.tick(10)
        in_spanish = spanish.post("/accounts/second-factor/", {"code": "000000"})

    assert "That code is not right" in in_english.content.decode()
    assert 'aria-describedby="code-error"' in in_english.content.decode()
    assert "Ese código no es correcto" in in_spanish.content.decode()
    assert english.get("/console/").status_code == 302


def test_after_a_wrong_code_the_next_one_waits_even_if_right(make_staff: Any) -> None:
    user = enrolled(make_staff)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    password_sign_in(client, "supervisora")
    device = TOTPDevice.objects.get(user=user)

    with freeze_time() as clock:
        # Each wrong code doubles the wait before the next is checked: 1 s, 2 s, 4 s.
        for pause in (1.5, 2.5, 1):
            client.post("/accounts/second-factor/", {"code": "000000"})
            clock.tick(pause)
        right_too_soon = client.post("/accounts/second-factor/", {"code": totp_code(device)})
        clock.tick(5)
        right_later = client.post("/accounts/second-factor/", {"code": totp_code(device)})

    assert "Too many wrong codes" in right_too_soon.content.decode()
    assert right_later.status_code == 302


def test_a_code_is_accepted_only_once(make_staff: Any) -> None:
    user = enrolled(make_staff)
    first, second = Client(), Client()
    password_sign_in(first, "supervisora")
    password_sign_in(second, "supervisora")
    code = totp_code(TOTPDevice.objects.get(user=user))

    with freeze_time():
        accepted = first.post("/accounts/second-factor/", {"code": code})
        replayed = second.post("/accounts/second-factor/", {"code": code})

    assert accepted.status_code == 302
    assert replayed.status_code == 200
    assert second.get("/console/").status_code == 302


def test_without_an_app_the_member_of_staff_enrols_with_a_qr_code_and_a_first_code(
    make_staff: Any,
) -> None:
    make_staff("tramitador", "urbanismo", "case_worker")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    password_sign_in(client, "tramitador")

    sent_on = client.get("/accounts/second-factor/?next=/console/")
    page = client.get(sent_on["Location"]).content.decode()
    secret = re.search(r'data-testid="secret">([A-Z2-7 ]+)<', page)
    assert secret is not None
    assert 'src="data:image/svg+xml' in page
    assert 'autocomplete="one-time-code"' in page and 'inputmode="numeric"' in page
    key = b32decode(secret.group(1).replace(" ", ""))
    response = client.post(
        "/accounts/second-factor/enrol/", {"code": f"{totp(key):06d}", "next": "/console/"}
    )

    assert response["Location"] == RECOVERY_PAGE + "?next=%2Fconsole%2F"
    assert TOTPDevice.objects.get(user__username="tramitador").confirmed
    assert client.get("/console/").status_code == 200


def test_enrolment_with_a_wrong_code_confirms_nothing(make_staff: Any) -> None:
    make_staff("tramitador", "urbanismo", "case_worker")
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    password_sign_in(client, "tramitador")

    response = client.post("/accounts/second-factor/enrol/", {"code": "123"})

    assert "Ese código no es correcto" in response.content.decode()
    assert not TOTPDevice.objects.filter(confirmed=True).exists()
    assert client.get("/console/").status_code == 302


def test_an_enrolled_member_of_staff_cannot_add_an_app_without_the_current_code(
    make_staff: Any,
) -> None:
    enrolled(make_staff)
    client = Client()
    password_sign_in(client, "supervisora")

    response = client.get("/accounts/second-factor/enrol/")

    assert response["Location"].startswith("/accounts/second-factor/?")
    assert TOTPDevice.objects.count() == 1


def test_the_api_refuses_a_session_without_the_second_factor_with_a_clear_problem(
    make_staff: Any,
) -> None:
    enrolled(make_staff)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    password_sign_in(client, "supervisora")

    response = client.get("/api/v1/parties", {"q": "ana"})

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "urn:ventanilla:problem:not-authenticated"
    assert "second factor" in response.json()["detail"]


def test_the_api_accepts_the_session_once_the_code_is_given(make_staff: Any) -> None:
    client = sign_in(Client(), enrolled(make_staff))

    assert client.get("/api/v1/parties", {"q": "ana"}).status_code == 200


def test_an_api_key_is_not_asked_for_a_second_factor(api: Client) -> None:
    assert api.get("/api/v1/parties", {"q": "ana"}).status_code == 200


def test_the_admin_asks_a_superuser_for_the_code(town: Any) -> None:
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    TOTPDevice.objects.create(user=root, name="Ventanilla", confirmed=True)
    client = Client()
    password_sign_in(client, "root", next_url="/admin/")

    refused = client.get("/admin/")
    sent_on = client.get(refused["Location"])

    assert refused.status_code == 302
    assert sent_on["Location"].startswith("/accounts/second-factor/")
    assert sign_in(Client(), root).get("/admin/").status_code == 200


def test_a_verified_session_is_not_asked_again(make_staff: Any) -> None:
    client = sign_in(Client(), enrolled(make_staff))

    assert client.get("/accounts/second-factor/?next=/console/")["Location"] == "/console/"


def test_the_second_factor_can_be_switched_off_in_development(
    make_staff: Any, settings: Any
) -> None:
    settings.VENTANILLA_STAFF_SECOND_FACTOR = "off"
    make_staff("supervisora", "ayto", "supervisor")
    client = Client()

    response = password_sign_in(client, "supervisora")

    assert response["Location"] == "/console/"
    assert client.get("/console/").status_code == 200


def test_the_code_page_works_after_an_idle_pause_only_if_the_session_lives(
    make_staff: Any,
) -> None:
    user = enrolled(make_staff)
    client = Client()
    with freeze_time() as clock:
        password_sign_in(client, "supervisora")
        clock.tick(timedelta(hours=1))
        response = client.post(
            "/accounts/second-factor/",
            {"code": totp_code(TOTPDevice.objects.get(user=user))},
        )

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_front_line_agent_may_set_up_an_app_from_the_password_page(agent_user: Any) -> None:
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), agent_user)
    page = client.get("/accounts/password/").content.decode()
    assert 'href="/accounts/second-factor/enrol/"' in page

    enrol = client.get("/accounts/second-factor/enrol/").content.decode()
    secret = re.search(r'data-testid="secret">([A-Z2-7 ]+)<', enrol)
    assert secret is not None
    code = f"{totp(b32decode(secret.group(1).replace(' ', ''))):06d}"
    response = client.post("/accounts/second-factor/enrol/", {"code": code})

    assert response["Location"] == RECOVERY_PAGE + "?next=%2Fconsole%2Fhome%2F"
    assert TOTPDevice.objects.get(user=agent_user).confirmed
    assert password_sign_in(Client(), "agente")["Location"] == "/console/"  # still not asked


def enrol_by_page(client: Client) -> Any:
    """Go through enrolment as a person would: read the key off the page, type the app's code."""
    page = client.get("/accounts/second-factor/enrol/?next=/console/").content.decode()
    secret = re.search(r'data-testid="secret">([A-Z2-7 ]+)<', page)
    assert secret is not None
    code = f"{totp(b32decode(secret.group(1).replace(' ', ''))):06d}"
    return client.post("/accounts/second-factor/enrol/", {"code": code, "next": "/console/"})


def codes_on(page: str) -> list[str]:
    return re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", page)


def with_recovery_codes(make_staff: Any) -> tuple[Any, list[str]]:
    user = enrolled(make_staff)
    return user, recovery_codes_issue(user=user)


def test_enrolling_shows_ten_recovery_codes_once_with_a_way_to_keep_them(
    make_staff: Any,
) -> None:
    make_staff("tramitador", "urbanismo", "case_worker")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    password_sign_in(client, "tramitador")

    shown = client.get(enrol_by_page(client)["Location"])
    page = shown.content.decode()
    download = client.get(RECOVERY_PAGE + "?download=txt")
    done = client.post(RECOVERY_PAGE, {"action": "done", "next": "/console/"})
    again = client.get(RECOVERY_PAGE).content.decode()

    codes = codes_on(page)
    assert len(set(codes)) == 10
    assert "shown only this once" in page and "Download as a text file" in page
    assert download["Content-Disposition"] == 'attachment; filename="recovery-codes.txt"'
    assert all(code in download.content.decode() for code in codes)
    assert done["Location"] == "/console/"
    assert codes_on(again) == [] and "You have 10 unused recovery codes." in again


def test_recovery_codes_are_kept_only_as_keyed_hashes(make_staff: Any) -> None:
    _user, codes = with_recovery_codes(make_staff)

    kept = set(StaticToken.objects.values_list("token", flat=True))

    assert len(kept) == 10
    assert not kept & ({code for code in codes} | {code.replace("-", "") for code in codes})


def test_a_recovery_code_confirms_the_sign_in_once_instead_of_the_app(make_staff: Any) -> None:
    _user, codes = with_recovery_codes(make_staff)
    first, second = Client(HTTP_ACCEPT_LANGUAGE="en"), Client(HTTP_ACCEPT_LANGUAGE="en")
    password_sign_in(first, "supervisora")
    password_sign_in(second, "supervisora")

    accepted = first.post(
        "/accounts/second-factor/", {"recovery_code": f" {codes[0].upper()} ", "next": "/console/"}
    )
    replayed = second.post("/accounts/second-factor/", {"recovery_code": codes[0]})

    assert accepted["Location"] == "/console/"
    assert first.get("/console/").status_code == 200
    assert replayed.status_code == 200
    assert "That recovery code is not right" in replayed.content.decode()
    assert second.get("/console/").status_code == 302
    used = AuditEntry.objects.get(action="second_factor.recovery_used")
    assert used.actor == "supervisora" and used.detail["codes_left"] == 9


def test_a_wrong_recovery_code_is_refused_next_to_its_field(make_staff: Any) -> None:
    with_recovery_codes(make_staff)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    password_sign_in(client, "supervisora")

    response = client.post("/accounts/second-factor/", {"recovery_code": "aaaaa-aaaaa"})

    page = response.content.decode()
    assert "That recovery code is not right" in page
    assert 'aria-describedby="recovery-help recovery-error"' in page
    assert '<details class="recovery" open>' in page
    failed = AuditEntry.objects.get(action="second_factor.failed")
    assert failed.detail["kind"] == "recovery" and failed.detail["reason"] == "wrong"


def test_making_new_recovery_codes_stops_the_old_ones(make_staff: Any) -> None:
    user, old = with_recovery_codes(make_staff)
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), user)

    made = client.post(RECOVERY_PAGE, {"action": "new"})
    new = codes_on(client.get(made["Location"]).content.decode())
    stranger = Client(HTTP_ACCEPT_LANGUAGE="en")
    password_sign_in(stranger, "supervisora")
    with freeze_time():
        refused = stranger.post("/accounts/second-factor/", {"recovery_code": old[0]})

    assert len(new) == 10 and not set(new) & set(old)
    assert "That recovery code is not right" in refused.content.decode()
    assert AuditEntry.objects.filter(action="second_factor.recovery_issued").count() == 1


def test_the_recovery_codes_page_asks_for_the_second_factor_first(make_staff: Any) -> None:
    with_recovery_codes(make_staff)
    client = Client()
    password_sign_in(client, "supervisora")

    response = client.post(RECOVERY_PAGE, {"action": "new"})

    assert response["Location"].startswith("/accounts/second-factor/")
    assert not AuditEntry.objects.filter(action="second_factor.recovery_issued").exists()


def test_the_last_recovery_code_used_says_to_make_new_ones(make_staff: Any) -> None:
    user, codes = with_recovery_codes(make_staff)
    for code in codes[:-1]:  # nine sign-ins without the phone
        assert recovery_code_verify(user=user, code=code)[0].accepted
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    password_sign_in(client, "supervisora")

    response = client.post("/accounts/second-factor/", {"recovery_code": codes[-1]}, follow=True)

    assert response.status_code == 200
    assert "That was your last recovery code" in response.content.decode()


def test_with_one_recovery_code_left_the_person_is_told_to_make_new_ones(
    make_staff: Any,
) -> None:
    user, codes = with_recovery_codes(make_staff)
    for code in codes[:-2]:
        assert recovery_code_verify(user=user, code=code)[0].accepted
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    password_sign_in(client, "supervisora")

    response = client.post("/accounts/second-factor/", {"recovery_code": codes[-2]}, follow=True)

    assert "You have 1 recovery code left." in response.content.decode()
