"""Sign-in to the portal with a national eID (OpenID Connect) against a provider the tests run on
127.0.0.1: the DNI/NIE it vouches for decides who signs in, a person not on record is
registered, and a cancelled, replayed or forged return signs nobody in."""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
from django.test import Client

from tests.factories import make_party, valid_dni
from tests.oidc_provider import Provider
from ventanilla.access.actors import Actor
from ventanilla.audit.actions import Action
from ventanilla.audit.models import AuditEntry
from ventanilla.merging.services import party_merge
from ventanilla.parties.models import Identifier, Party
from ventanilla.parties.services import IdentifierInput

pytestmark = pytest.mark.django_db

OPERATOR = Actor(label="test:operator", sees_everything=True)


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with Provider() as running:
        yield running


@pytest.fixture(autouse=True)
def eid_settings(settings: object, provider: Provider) -> Provider:
    settings.VENTANILLA_OIDC_ISSUER = provider.issuer  # type: ignore[attr-defined]
    settings.VENTANILLA_OIDC_CLIENT_ID = provider.client_id  # type: ignore[attr-defined]
    settings.VENTANILLA_OIDC_CLIENT_SECRET = provider.client_secret  # type: ignore[attr-defined]
    provider.id_token_extra = {}
    provider.userinfo_only = set()
    return provider


def person(dni: str, **claims: str) -> dict[str, str]:
    return {
        "sub": f"sub-{dni}",
        "dni": dni,
        "given_name": "Marta",
        "family_name": "de la Fuente García",
        "birthdate": "1984-03-09",
        "email": "marta.fuente@example.org",
        **claims,
    }


def through_provider(client: Client, provider: Provider, start: str = "/portal/sign-in/eid/"):
    """The browser's round trip: to the provider, and back with what it answers."""
    going = client.get(start)
    assert going.status_code == 302
    assert going["Location"].startswith(f"{provider.issuer}/authorize?")
    at = urlparse(going["Location"])
    connection = http.client.HTTPConnection(at.hostname, at.port, timeout=5)
    connection.request("GET", f"{at.path}?{at.query}")
    answer = connection.getresponse()
    assert answer.status == 302
    back = urlparse(answer.getheader("Location"))
    connection.close()
    assert back.path == "/portal/sign-in/eid/return/"
    return client.get(f"{back.path}?{back.query}"), f"{back.path}?{back.query}"


def test_a_person_on_record_signs_in_and_their_dni_becomes_verified(provider: Provider) -> None:
    dni = valid_dni()
    party = make_party(
        OPERATOR, given_name="Marta", identifiers=[IdentifierInput(scheme="dni", value=dni)]
    )
    provider.person = person(dni)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")

    returned, _url = through_provider(client, provider)

    assert returned.status_code == 302
    assert returned["Location"] == "/portal/me/"
    page = client.get("/portal/me/")
    assert page.status_code == 200
    assert "Marta" in page.content.decode()
    assert Identifier.objects.get(party=party, scheme="dni").verified is True
    entry = AuditEntry.objects.get(action=Action.PORTAL_EID_USED)
    assert entry.party_id == party.pk
    assert entry.detail["registered"] is False
    assert Party.objects.filter(identifiers__value=dni).count() == 1


def test_a_person_not_on_record_is_registered_with_a_verified_dni(provider: Provider) -> None:
    dni = valid_dni()
    provider.person = person(dni)
    client = Client(HTTP_ACCEPT_LANGUAGE="es")

    returned, _url = through_provider(client, provider)

    assert returned["Location"] == "/portal/me/"
    party = Party.objects.get(identifiers__value=dni)
    assert (party.given_name, party.family_name_1, party.family_name_2) == (
        "Marta",
        "de la Fuente",
        "García",
    )
    assert str(party.birth_date) == "1984-03-09"
    assert party.preferred_language == "es"
    assert party.identifiers.get().verified is True
    assert party.contact_points.get().normalized == "marta.fuente@example.org"
    page = client.get("/portal/me/").content.decode()
    assert "Le hemos dado de alta con su identidad electrónica" in page
    assert AuditEntry.objects.get(action=Action.PORTAL_EID_USED).detail["registered"] is True


def test_the_dni_given_only_by_user_info_is_read_from_there(provider: Provider) -> None:
    dni = valid_dni()
    party = make_party(OPERATOR, identifiers=[IdentifierInput(scheme="dni", value=dni)])
    provider.person = person(dni)
    provider.userinfo_only = {"dni"}

    returned, _url = through_provider(Client(), provider)

    assert returned["Location"] == "/portal/me/"
    assert "/userinfo" in provider.requests
    assert Identifier.objects.get(party=party).verified is True


def test_the_record_a_dni_was_merged_into_signs_in(provider: Provider) -> None:
    dni = valid_dni()
    merged = make_party(OPERATOR, identifiers=[IdentifierInput(scheme="dni", value=dni)])
    survivor = make_party(OPERATOR, identifiers=[])
    party_merge(actor=OPERATOR, survivor_id=survivor.pk, merged_id=merged.pk, reason="same")
    provider.person = person(dni)
    client = Client()

    through_provider(client, provider)

    entry = AuditEntry.objects.get(action=Action.PORTAL_EID_USED)
    assert entry.party_id == survivor.pk
    assert Party.objects.filter(identifiers__value=dni).get().pk == survivor.pk


def test_the_page_asked_for_before_signing_in_comes_next(provider: Provider) -> None:
    dni = valid_dni()
    make_party(OPERATOR, identifiers=[IdentifierInput(scheme="dni", value=dni)])
    provider.person = person(dni)

    returned, _url = through_provider(
        Client(), provider, start="/portal/sign-in/eid/?next=/portal/me/cases/"
    )

    assert returned["Location"] == "/portal/me/cases/"


def test_cancelling_at_the_provider_signs_nobody_in(provider: Provider) -> None:
    provider.person = None
    client = Client(HTTP_ACCEPT_LANGUAGE="en")

    returned, _url = through_provider(client, provider)

    assert returned["Location"] == "/portal/sign-in/"
    page = client.get("/portal/sign-in/").content.decode()
    assert "Sign-in with Cl@ve was cancelled." in page
    assert client.get("/portal/me/")["Location"] == "/portal/sign-in/"
    assert not AuditEntry.objects.filter(action=Action.PORTAL_EID_USED).exists()


def test_a_return_used_twice_signs_in_once(provider: Provider) -> None:
    dni = valid_dni()
    make_party(OPERATOR, identifiers=[IdentifierInput(scheme="dni", value=dni)])
    provider.person = person(dni)
    through_provider(Client(), provider)
    provider.person = person(dni)
    _returned, url = through_provider(Client(), provider)

    stranger = Client(HTTP_ACCEPT_LANGUAGE="en")
    replayed = stranger.get(url)

    assert replayed["Location"] == "/portal/sign-in/"
    assert "did not succeed" in stranger.get("/portal/sign-in/").content.decode()
    assert stranger.get("/portal/me/")["Location"] == "/portal/sign-in/"
    assert AuditEntry.objects.filter(action=Action.PORTAL_EID_USED).count() == 2


@pytest.mark.parametrize(
    "forged",
    [{"aud": "another-client"}, {"iss": "http://evil.example"}, {"nonce": "not-the-one"}],
    ids=["audience", "issuer", "nonce"],
)
def test_an_id_token_meant_for_someone_else_is_refused(
    provider: Provider, forged: dict[str, str]
) -> None:
    provider.person = person(valid_dni())
    provider.id_token_extra = forged
    client = Client()

    returned, _url = through_provider(client, provider)

    assert returned["Location"] == "/portal/sign-in/"
    assert client.get("/portal/me/")["Location"] == "/portal/sign-in/"
    assert not Party.objects.exists()


def test_an_answer_without_a_valid_dni_says_so_and_registers_nobody(provider: Provider) -> None:
    provider.person = person("12345678A")  # wrong check letter
    client = Client(HTTP_ACCEPT_LANGUAGE="en")

    through_provider(client, provider)

    assert "did not give a valid DNI or NIE" in client.get("/portal/sign-in/").content.decode()
    assert not Party.objects.exists()


def test_the_sign_in_page_offers_the_eid_in_both_languages() -> None:
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/portal/sign-in/").content.decode()
    spanish = Client(HTTP_ACCEPT_LANGUAGE="es").get("/portal/sign-in/").content.decode()

    assert 'href="/portal/sign-in/eid/"' in english
    assert "Sign in with Cl@ve" in english
    assert "Identifíquese con Cl@ve" in spanish


def test_without_a_provider_configured_the_eid_is_not_offered(settings: object) -> None:
    settings.VENTANILLA_OIDC_ISSUER = ""  # type: ignore[attr-defined]
    client = Client()

    assert "/portal/sign-in/eid/" not in client.get("/portal/sign-in/").content.decode()
    assert client.get("/portal/sign-in/eid/").status_code == 404


def test_an_unreachable_provider_gives_a_clear_message(settings: object) -> None:
    settings.VENTANILLA_OIDC_ISSUER = "http://127.0.0.1:9"  # type: ignore[attr-defined]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")

    going = client.get("/portal/sign-in/eid/")

    assert going["Location"] == "/portal/sign-in/"
    assert "not available right now" in client.get("/portal/sign-in/").content.decode()
