"""``ventanilla demo`` prints logins a tester can use: the agent with the password alone, the staff
who need a second factor with an authenticator secret that stays the same, and a citizen of the
town who can sign in to the portal."""

from __future__ import annotations

import re
from base64 import b32decode
from io import StringIO
from pathlib import Path
from typing import Any

import duckdb
import pytest
from django.core.management import call_command
from django.test import Client
from django_otp.oath import totp

from ventanilla.consent.models import Consent
from ventanilla.demo.catalogue import DEMO_PASSWORD
from ventanilla.parties.models import ContactPoint, Identifier
from ventanilla.warehouse.boundaries import district_boundaries

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def warehouse_path(settings: Any, tmp_path: Path) -> Path:
    """The demo builds the warehouse: in the test's own folder, never the installation's."""
    settings.VENTANILLA_WAREHOUSE_PATH = tmp_path / "warehouse.duckdb"
    settings.VENTANILLA_DISTRICTS_GEOJSON = tmp_path / "districts.geojson"
    return settings.VENTANILLA_WAREHOUSE_PATH


def run_demo() -> str:
    out = StringIO()
    call_command("demo", citizens=40, seed=5, no_serve=True, stdout=out)
    return out.getvalue()


def test_the_demo_builds_the_warehouse_so_the_analyst_sees_figures(
    warehouse_path: Path,
) -> None:
    run_demo()

    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        [(contacts,)] = con.execute("SELECT COUNT(*) FROM fact_interaction").fetchall()
        districts = {
            name for (name,) in con.execute("SELECT district FROM dim_district").fetchall()
        }
    assert contacts > 0
    # The map is drawn on the town's boundaries, one shape for each district its cases record.
    drawn = district_boundaries(warehouse_path.parent / "districts.geojson")
    assert drawn is not None and districts <= set(drawn.names)


def test_the_demo_keeps_the_administrations_own_boundaries(warehouse_path: Path) -> None:
    own = warehouse_path.parent / "districts.geojson"
    own.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")

    run_demo()

    assert own.read_text(encoding="utf-8") == '{"type": "FeatureCollection", "features": []}'


def secrets_in(output: str) -> dict[str, str]:
    return dict(re.findall(r"^\s+(\w+)\s+secret ([A-Z2-7]+)$", output, flags=re.MULTILINE))


def test_the_demo_prints_an_authenticator_secret_for_staff_who_need_one_and_keeps_it() -> None:
    first = secrets_in(run_demo())
    second = secrets_in(run_demo())

    assert set(first) == {"tramitador", "supervisora", "dpd", "admin"}
    assert first == second


def test_with_the_printed_secret_a_tester_signs_in_as_the_supervisor() -> None:
    secret = secrets_in(run_demo())["supervisora"]
    client = Client()

    client.post("/accounts/login/", {"username": "supervisora", "password": DEMO_PASSWORD})
    code = f"{totp(b32decode(secret)):06d}"
    response = client.post("/accounts/second-factor/", {"code": code})

    assert response["Location"] == "/console/home/"
    assert client.get("/console/").status_code == 200


def test_the_demo_agent_signs_in_with_the_password_alone() -> None:
    run_demo()
    client = Client()

    response = client.post("/accounts/login/", {"username": "agente", "password": DEMO_PASSWORD})

    assert response["Location"] == "/console/home/"


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


def test_the_demo_publishes_notices_in_both_languages_once() -> None:
    run_demo()
    run_demo()

    spanish = Client(HTTP_ACCEPT_LANGUAGE="es").get("/portal/notices/").content.decode()
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/portal/notices/").content.decode()
    feed = Client().get("/portal/notices/feed.atom").content.decode()

    assert "Corte de la Calle Mayor por obras de saneamiento" in spanish
    assert "Calle Mayor closed for sewer works" in english
    assert "School meal grants: applications open" in english
    assert feed.count("<entry>") == 3


def test_the_demo_mines_the_services_that_follow_each_other() -> None:
    from ventanilla.associations.models import AssociationRun

    run_demo()

    assert AssociationRun.objects.count() == 1
