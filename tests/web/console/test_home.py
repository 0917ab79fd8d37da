"""Every role signs in to a home page of its own, the menu offers only what the role may open,
and a refusal or a missing page is a page of the site, in the reader's language."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.conftest import PASSWORD, sign_in
from ventanilla.audit.models import AuditEntry

MENU = re.compile(r'<nav aria-label="[^"]*">(.*?)</nav>', re.S)

# What each role's menu holds, by address, besides the home page and the password page.
EXPECTED = {
    "agent": {
        "/console/",
        "/console/cases/",
        "/console/inbox/",
        "/console/call-backs/",
        "/console/mail/",
        "/console/desk/",
    },
    "case_worker": {
        "/console/",
        "/console/cases/",
        "/console/inbox/",
        "/console/call-backs/",
        "/console/mail/",
        "/console/desk/",
    },
    "supervisor": {
        "/console/",
        "/console/cases/",
        "/console/inbox/",
        "/console/call-backs/",
        "/console/mail/",
        "/console/desk/",
        "/console/matches/",
        "/console/trust/",
        "/console/messages/",
        "/console/notices/",
        "/console/surveys/",
        "/console/moderation/",
        "/console/budgets/",
        "/console/proposals/",
        "/console/analytics/",
        "/console/analytics/alerts/",
        "/console/analytics/segments/",
        "/console/analytics/associations/",
        "/console/analytics/deadline-risk/",
        "/console/loops/",
    },
    "analyst": {
        "/console/surveys/",
        "/console/analytics/",
        "/console/analytics/alerts/",
        "/console/analytics/segments/",
        "/console/analytics/associations/",
        "/console/analytics/deadline-risk/",
    },
    "dpo": {
        "/console/",
        "/console/cases/",
        "/console/desk/",
        "/console/audit/",
        "/console/retention/",
    },
    "administrator": {
        "/console/",
        "/console/cases/",
        "/console/inbox/",
        "/console/call-backs/",
        "/console/mail/",
        "/console/desk/",
        "/console/matches/",
        "/console/trust/",
        "/console/messages/",
        "/console/notices/",
        "/console/surveys/",
        "/console/moderation/",
        "/console/budgets/",
        "/console/proposals/",
        "/console/analytics/",
        "/console/analytics/alerts/",
        "/console/analytics/segments/",
        "/console/analytics/associations/",
        "/console/analytics/deadline-risk/",
        "/console/loops/",
        "/console/audit/",
        "/console/retention/",
    },
}


def menu_links(html: str) -> set[str]:
    [menu] = MENU.findall(html)
    return set(re.findall(r'href="([^"]+)"', menu)) - {"/console/home/", "/accounts/password/"}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_each_role_lands_on_its_home_page_with_the_menu_of_what_it_may_open(
    role: str, make_staff: Any
) -> None:
    user = make_staff(f"u-{role}", "ayto", role)
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), user)

    response = client.get("/console/home/")

    assert response.status_code == 200
    assert menu_links(response.content.decode()) - {"/admin/"} == EXPECTED[role]
    for address in EXPECTED[role]:  # every link leads to a page the role may open
        assert client.get(address).status_code == 200, address


def test_signing_in_leads_to_the_home_page(make_staff: Any) -> None:
    make_staff("agente", "ayto", "agent")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")

    response = client.post("/accounts/login/", {"username": "agente", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/console/home/"


def test_the_analyst_lands_on_a_home_that_leads_to_the_dashboards(make_staff: Any) -> None:
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), make_staff("ana", "ayto", "analyst"))

    response = client.get("/", follow=True)

    page = response.content.decode()
    assert response.redirect_chain[-1][0] == "/console/home/"
    assert "Your role: Analyst." in page
    assert '<a href="/console/analytics/">Dashboards of the administration' in page
    assert "Sign out" in page
    assert not AuditEntry.objects.filter(action="access.denied").exists()


def test_the_administrator_finds_the_administration_site_in_the_menu(make_staff: Any) -> None:
    user = make_staff("root", "ayto", "administrator")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), user)

    links = menu_links(client.get("/console/home/").content.decode())

    assert "/admin/" in links
    assert client.get("/admin/").status_code == 200


def test_a_refusal_is_a_page_of_the_site_in_spanish_with_the_way_back(make_staff: Any) -> None:
    client = sign_in(Client(), make_staff("ana", "ayto", "analyst"))

    response = client.get("/console/cases/")

    page = response.content.decode()
    assert response.status_code == 403
    assert "<h1>No permitido</h1>" in page
    assert "Hace falta el permiso «Leer expedientes»." in page
    assert 'href="/console/home/"' in page
    assert "Cerrar sesión" in page


def test_a_missing_page_is_a_page_of_the_site_in_english(make_staff: Any) -> None:
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), make_staff())

    response = client.get("/console/nothing-here/")

    page = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Not found</h1>" in page
    assert 'href="/console/home/"' in page


def test_nothing_is_offered_before_the_second_factor_is_given(make_staff: Any) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(make_staff("sup", "ayto", "supervisor"))  # password only, no code yet

    response = client.get("/accounts/second-factor/enrol/")

    assert not {link for link in menu_links(response.content.decode()) if "/console/" in link}


def test_a_page_and_its_menu_read_the_staff_members_roles_once(make_staff: Any) -> None:
    user = make_staff("u-menu", "ayto", "supervisor")
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), user)

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/console/home/")

    assert response.status_code == 200
    membership_reads = [q for q in queries if 'FROM "access_membership"' in q["sql"]]
    assert len(membership_reads) == 1, [q["sql"] for q in membership_reads]
