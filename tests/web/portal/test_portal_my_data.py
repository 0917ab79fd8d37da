"""The signed-in citizen's pages: their own data from every agency, withdrawing their consents,
who else has used their data and on what basis, and the downloads, each audited."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from tests.factories import make_party, signed_form
from ventanilla.access.actors import Actor, actor_for_citizen, actor_for_user
from ventanilla.audit.models import AuditEntry
from ventanilla.cases.models import Case
from ventanilla.cases.services import case_open
from ventanilla.citizen360.selectors import party_360
from ventanilla.consent.models import Consent
from ventanilla.consent.services import consent_record
from ventanilla.parties.models import Party
from ventanilla.parties.selectors import party_get
from ventanilla.privacy.selectors import disclosures_of_party

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(make_staff: Any) -> Actor:
    """A front-line agent of the town hall with a user name the citizen must never see."""
    return actor_for_user(make_staff("jperez", "ayto", "agent"))


@pytest.fixture
def citizen(agent: Actor) -> Party:
    return make_party(agent, given_name="Lucía", family_name_1="Vega")


@pytest.fixture
def consent(agent: Actor, citizen: Party) -> Consent:
    return consent_record(
        actor=agent,
        party_id=citizen.pk,
        purpose="Ayuda al alquiler joven",
        recipient_code="salud",
        data_categories=["income", "address"],
        channel="desk",
        evidence=signed_form(),
    )


def signed_in(party: Party, language: str = "en") -> Client:
    """A browser holding a citizen session, as the emailed link leaves it."""
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    session = client.session
    session["portal_party"] = str(party.pk)
    session["portal_seen"] = time.time()
    session.save()
    return client


def test_my_data_shows_the_profile_identifiers_contacts_cases_of_every_agency_and_consents(
    agent: Actor, citizen: Party, consent: Consent, service: Any, make_staff: Any
) -> None:
    case_open(actor=agent, party_id=citizen.pk, service_code=service.code, channel="web")
    other = actor_for_user(make_staff("sanitaria", "salud", "agent"))
    health_case = case_open(
        actor=actor_for_user(make_staff("urbanista", "urbanismo", "agent")),
        party_id=citizen.pk,
        service_code=service.code,
        channel="desk",
    )
    Case.objects.filter(pk=health_case.pk).update(status="closed")
    assert other.agency_ids  # an agency that owns neither case

    page = signed_in(citizen).get("/portal/me/").content.decode()

    assert "Lucía Vega" in page
    assert citizen.identifiers.get().value in page
    assert citizen.contact_points.get(kind="email").value in page
    assert page.count('data-testid="case"') == 2
    assert "Minor works permit" in page
    assert "Ayuda al alquiler joven" in page and "Withdraw" in page
    assert AuditEntry.objects.filter(
        action="party.self_view", party_id=citizen.pk, actor=f"citizen:{citizen.pk.hex[:8]}"
    ).exists()


def test_my_data_never_shows_another_persons_record(agent: Actor, citizen: Party) -> None:
    neighbour = make_party(agent, given_name="Marta", family_name_1="Soler")

    page = signed_in(citizen).get("/portal/me/").content.decode()

    assert "Marta" not in page and neighbour.identifiers.get().value not in page


def test_withdrawing_a_consent_asks_first_then_stops_it_at_once(
    citizen: Party, consent: Consent
) -> None:
    client = signed_in(citizen)
    url = f"/portal/me/consents/{consent.pk}/withdraw/"

    confirm = client.get(url)
    consent.refresh_from_db()
    assert confirm.status_code == 200 and "Yes, withdraw it" in confirm.content.decode()
    assert consent.in_force(timezone.now())

    done = client.post(url, follow=True)

    consent.refresh_from_db()
    assert not consent.in_force(timezone.now())
    assert "Your consent was withdrawn" in done.content.decode()
    entry = AuditEntry.objects.get(action="consent.withdraw", object_id=str(consent.pk))
    assert entry.actor == f"citizen:{citizen.pk.hex[:8]}" and entry.party_id == citizen.pk


def test_another_persons_consent_is_not_found_and_stays_in_force(
    agent: Actor, citizen: Party
) -> None:
    neighbour = make_party(agent)
    theirs = consent_record(
        actor=agent,
        party_id=neighbour.pk,
        purpose="Beca comedor",
        recipient_code="salud",
        data_categories=["income"],
        channel="desk",
        evidence=signed_form(),
    )
    client = signed_in(citizen)
    url = f"/portal/me/consents/{theirs.pk}/withdraw/"

    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    theirs.refresh_from_db()
    assert theirs.withdrawn_at is None


def test_a_use_on_another_legal_basis_cannot_be_withdrawn_as_if_it_were_consent(
    agent: Actor, citizen: Party
) -> None:
    obligation = consent_record(
        actor=agent,
        party_id=citizen.pk,
        purpose="Padrón municipal",
        recipient_code="padron",
        data_categories=["address"],
        legal_basis="legal_obligation",
        channel="desk",
    )
    client = signed_in(citizen)

    page = client.get("/portal/me/").content.decode()
    response = client.post(f"/portal/me/consents/{obligation.pk}/withdraw/", follow=True)

    assert "cannot be withdrawn here" in page
    assert "does not rest on your consent" in response.content.decode()
    obligation.refresh_from_db()
    assert obligation.withdrawn_at is None


def test_who_has_used_my_data_shows_the_agents_360_read_by_agency_and_role_not_name(
    agent: Actor, citizen: Party
) -> None:
    party_360(actor=agent, party_id=citizen.pk, purpose="Atención en ventanilla")

    page = signed_in(citizen).get("/portal/me/disclosures/").content.decode()

    assert "Opened the 360° view" in page
    assert "Town hall" in page  # the agency's name in the citizen's language, not its code
    assert "Front-line agent" in page
    assert "Atención en ventanilla" in page
    assert "public interest" in page
    assert "jperez" not in page


def test_the_citizens_own_visits_are_not_listed_but_are_recorded(
    agent: Actor, citizen: Party
) -> None:
    client = signed_in(citizen)
    client.get("/portal/me/")
    client.get("/portal/me/disclosures/")

    page = client.get("/portal/me/disclosures/").content.decode()

    assert "looked at their own data" not in page
    assert "read who has used their data" not in page
    assert page.count('data-testid="disclosure"') == 1  # the agent registering her
    assert AuditEntry.objects.filter(action="party.disclosures", party_id=citizen.pk).count() == 2


def test_a_use_under_a_consent_links_to_that_consent(
    agent: Actor, citizen: Party, consent: Consent
) -> None:
    page = signed_in(citizen).get("/portal/me/disclosures/").content.decode()

    assert "Recorded a consent" in page
    assert f'href="/portal/me/#consent-{consent.pk}"' in page
    assert "Consent of the person" in page


def test_the_disclosure_log_reads_in_spanish_too(agent: Actor, citizen: Party) -> None:
    party_get(actor=agent, party_id=citizen.pk)

    page = signed_in(citizen, "es").get("/portal/me/disclosures/").content.decode()

    assert "Ayuntamiento" in page


def test_the_disclosure_log_pages_newest_first(agent: Actor, citizen: Party) -> None:
    for _ in range(30):
        party_get(actor=agent, party_id=citizen.pk)
    client = signed_in(citizen)
    first = client.get("/portal/me/disclosures/").content.decode()
    cursor = first.split("?cursor=")[1].split('"')[0]

    second = client.get(f"/portal/me/disclosures/?cursor={cursor}").content.decode()

    assert first.count('data-testid="disclosure"') == 25
    assert second.count('data-testid="disclosure"') == 6  # 30 reads and the registration
    assert "Registered a party" in second and "Registered a party" not in first


def test_a_broken_cursor_goes_back_to_the_first_page(citizen: Party) -> None:
    response = signed_in(citizen).get("/portal/me/disclosures/?cursor=%%%")

    assert response.status_code == 302 and response["Location"] == "/portal/me/disclosures/"


def test_the_disclosure_query_count_does_not_grow_with_the_log(
    agent: Actor, citizen: Party, consent: Consent
) -> None:
    me = actor_for_citizen(citizen)
    with CaptureQueriesContext(connection) as few:
        disclosures_of_party(actor=me)
    for _ in range(40):
        party_get(actor=agent, party_id=citizen.pk)
    consent_record(
        actor=agent,
        party_id=citizen.pk,
        purpose="Beca comedor",
        recipient_code="padron",
        data_categories=["income"],
        channel="desk",
        evidence=signed_form(),
    )
    with CaptureQueriesContext(connection) as many:
        page = disclosures_of_party(actor=me)

    assert len(page.items) == 25
    # The entries, their agencies, the consents they name, and the audit row of this read.
    assert len(many) == len(few) <= 8


def test_downloading_my_data_as_json_holds_everything_and_is_audited(
    agent: Actor, citizen: Party, consent: Consent
) -> None:
    party_360(actor=agent, party_id=citizen.pk)

    response = signed_in(citizen).get("/portal/me/my-data.json")

    document = json.loads(response.content)
    assert response["Content-Disposition"] == 'attachment; filename="my-data.json"'
    assert document["party"]["given_name"] == "Lucía"
    assert [c["purpose"] for c in document["consents"]] == ["Ayuda al alquiler joven"]
    assert "jperez" not in response.content.decode()  # staff appear by role
    assert any(e["who"] == "Front-line agent" for e in document["disclosure_log"])
    assert AuditEntry.objects.filter(
        action="party.export", party_id=citizen.pk, actor__startswith="citizen:"
    ).exists()


def test_downloading_my_data_as_a_page(citizen: Party) -> None:
    response = signed_in(citizen).get("/portal/me/my-data.html")

    assert response["Content-Disposition"] == 'attachment; filename="my-data.html"'
    assert "<html" in response.content.decode() and "Lucía" in response.content.decode()


def test_a_citizen_cannot_export_someone_else(agent: Actor, citizen: Party) -> None:
    neighbour = make_party(agent)

    from ventanilla.core.errors import PermissionDenied
    from ventanilla.privacy.export import party_export

    with pytest.raises(PermissionDenied):
        party_export(actor=actor_for_citizen(citizen), party_id=neighbour.pk)


def test_a_session_of_a_person_since_erased_is_ended(citizen: Party) -> None:
    client = signed_in(citizen)
    Party.objects.filter(pk=citizen.pk).update(status=Party.Status.ERASED)

    response = client.get("/portal/me/")

    assert response.status_code == 302 and response["Location"] == "/portal/sign-in/"


def test_citizen_pages_are_not_cached(citizen: Party) -> None:
    response = signed_in(citizen).get("/portal/me/")

    assert "no-store" in response["Cache-Control"]


def test_an_expired_consent_shows_as_expired_without_a_withdraw_button(
    agent: Actor, citizen: Party
) -> None:
    expiring = consent_record(
        actor=agent,
        party_id=citizen.pk,
        purpose="Censo electoral",
        recipient_code="padron",
        data_categories=["address"],
        channel="desk",
        expires_at=timezone.now() + timedelta(days=1),
        evidence=signed_form(),
    )
    Consent.objects.filter(pk=expiring.pk).update(
        granted_at=timezone.now() - timedelta(days=3), expires_at=timezone.now() - timedelta(days=1)
    )

    page = signed_in(citizen).get("/portal/me/").content.decode()

    assert "Expired" in page
    assert f"/portal/me/consents/{expiring.pk}/withdraw/" not in page


def test_the_disclosure_log_shows_which_agency_handed_data_over_and_on_which_consent(
    agent: Actor, citizen: Party
) -> None:
    from ventanilla.sharing.services import sharing_request

    consent_record(
        actor=agent,
        party_id=citizen.pk,
        purpose="Bonificación del IBI",
        recipient_code="ayto",
        data_categories=["income"],
        channel="desk",
        evidence=signed_form(),
    )
    sharing_request(
        actor=agent,
        party_id=citizen.pk,
        holder_code="salud",
        purpose="Bonificación del IBI por renta",
        data_categories=["income"],
    )

    with translation.override("en"):
        items = disclosures_of_party(actor=actor_for_citizen(citizen)).items

    answer = next(item for item in items if item.action == "sharing.answer")
    assert answer.agencies == ["Health"]
    assert answer.who == "The agency that holds the data, answering another's request"
    assert answer.consent is not None and answer.purpose == "Bonificación del IBI"
    asked = next(item for item in items if item.action == "sharing.request")
    assert asked.who == "Front-line agent"
