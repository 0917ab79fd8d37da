"""The citizen's answer in the portal, as they notice it: the page stops asking once they
answered and shows their message and photo; a refused file is explained beside the field; the
staff history then says "The citizen replied" with the photo."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.conftest import portal_client, sign_in
from tests.factories import make_party
from ventanilla.access.actors import Actor, actor_for_citizen, actor_for_user
from ventanilla.cases.models import Case
from ventanilla.cases.services import (
    case_citizen_reply,
    case_open,
    case_transition,
)
from ventanilla.catalog.models import PublicService

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40


@pytest.fixture
def worker_user(make_staff: Any) -> Any:
    return make_staff("tramitadora", "urbanismo", "case_worker")


@pytest.fixture
def worker(worker_user: Any) -> Actor:
    return actor_for_user(worker_user)


@pytest.fixture
def case(worker: Actor, service: PublicService) -> Case:
    party = make_party(worker, given_name="Lucía", family_name_1="Vega")
    case = case_open(actor=worker, party_id=party.pk, service_code=service.code, channel="web")
    for action in ("accept", "start"):
        case_transition(actor=worker, case_id=case.pk, action=action)
    return case_transition(
        actor=worker, case_id=case.pk, action="ask_citizen", reason="Envíe una foto de la acera"
    )


def staff_client(user: Any, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    sign_in(client, user)
    return client


def test_the_portal_stops_asking_once_the_citizen_answered_with_a_photo(case: Case) -> None:
    client = portal_client(case.party)
    before = client.get(f"/portal/me/cases/{case.reference}/").content.decode()
    assert 'data-testid="asked"' in before and 'type="file"' in before

    sent = client.post(
        f"/portal/me/cases/{case.reference}/message/",
        {"text": "Ahí va la foto", "file": SimpleUploadedFile("acera.png", PNG, "image/png")},
    )

    assert sent.status_code == 302
    after = client.get(sent["Location"]).content.decode()
    assert 'data-testid="asked"' not in after
    assert "the office is working on your case again" in after
    assert "You wrote:" in after and "Ahí va la foto" in after
    assert "You attached acera.png." in after
    assert Case.objects.get(pk=case.pk).status == "in_progress"


def test_a_refused_file_is_explained_beside_the_field_and_the_text_is_kept(case: Case) -> None:
    client = portal_client(case.party)

    refused = client.post(
        f"/portal/me/cases/{case.reference}/message/",
        {
            "text": "Ahí va",
            "file": SimpleUploadedFile("acera.png", b"<html>hola</html>", "image/png"),
        },
    )

    page = refused.content.decode()
    assert refused.status_code == 415
    assert 'id="id_file_error"' in page and "not accepted" in page
    assert "Ahí va</textarea>" in page
    assert Case.objects.get(pk=case.pk).status == "waiting_citizen"


def test_the_portal_asks_for_a_message_or_a_file(case: Case) -> None:
    response = portal_client(case.party).post(
        f"/portal/me/cases/{case.reference}/message/", {"text": "  "}
    )

    assert response.status_code == 422
    assert "Write your message or attach a file." in response.content.decode()


def test_the_staff_history_says_the_citizen_replied_with_the_text_and_the_photo(
    case: Case, worker_user: Any
) -> None:
    case_citizen_reply(
        actor=actor_for_citizen(case.party),
        case_id=case.pk,
        text="Ahí va la foto",
        file_name="acera.png",
        content=io.BytesIO(PNG),
        size=len(PNG),
    )

    page = staff_client(worker_user).get(f"/console/cases/{case.reference}/").content.decode()
    spanish = (
        staff_client(worker_user, "es").get(f"/console/cases/{case.reference}/").content.decode()
    )

    assert "The citizen replied" in page and "Ahí va la foto" in page
    assert 'data-testid="event-attachment"' in page and "acera.png" in page
    assert "Reply to the citizen</span>" not in page
    assert "El ciudadano respondió" in spanish
