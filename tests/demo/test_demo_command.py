"""``ventanilla demo`` tells a visitor how to sign in to the portal as a citizen of the town."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command

from ventanilla.consent.models import Consent
from ventanilla.parties.models import ContactPoint, Identifier

pytestmark = pytest.mark.django_db


def test_the_demo_prints_a_citizen_who_can_sign_in_and_where_the_link_lands() -> None:
    out = StringIO()

    call_command("demo", no_serve=True, citizens=200, seed=7, stdout=out, stderr=StringIO())

    text = out.getvalue()
    found = re.search(r"DNI (\w+)\s+email (\S+)", text)
    assert found, text
    identifier = Identifier.objects.get(scheme="dni", value=found.group(1))
    assert ContactPoint.objects.filter(
        party=identifier.party, kind="email", value=found.group(2)
    ).exists()
    assert Consent.objects.filter(party=identifier.party).exists()  # one to withdraw
    assert "/portal/sign-in/" in text and "mail" in text
